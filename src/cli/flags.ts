// Command-line flags: `--name value`, `--name=value`, and `--name` alone for a switch.

export interface ParsedArgs {
  flags: Record<string, string>;
  positionals: string[];
}

/** `switches` are flags that never take a value. */
export function parseFlags(
  argv: readonly string[],
  switches: ReadonlySet<string> = new Set(),
): ParsedArgs {
  const flags: Record<string, string> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h") {
      flags.help = "true";
      continue;
    }
    if (!arg.startsWith("--") || arg === "--") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    if (eq !== -1) {
      flags[arg.slice(2, eq)] = arg.slice(eq + 1);
      continue;
    }
    const name = arg.slice(2);
    const next = argv[i + 1];
    if (switches.has(name) || name === "help" || next === undefined || next.startsWith("--")) {
      flags[name] = "true";
    } else {
      flags[name] = next;
      i++;
    }
  }
  return { flags, positionals };
}
