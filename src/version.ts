// The version podgate reports; scripts/build stamps nothing, so this is the source of truth.
export const VERSION = "0.1.0";
