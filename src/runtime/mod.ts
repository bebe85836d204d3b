// The runtime adapter: the one place that knows whether podgate runs on Deno or Bun.
import { bunRuntime } from "./bun.ts";
import { denoRuntime } from "./deno.ts";
import type { Runtime } from "./types.ts";

export type * from "./types.ts";

/** The runtime this process runs on. */
export const runtime: Runtime = "Bun" in globalThis ? bunRuntime : denoRuntime;
