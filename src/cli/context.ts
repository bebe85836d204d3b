// What every command gets from main: the runtime, its arguments, and a way to load its config.
import type { z } from "zod";
import { ConfigError, loadConfig, type Loaded, readConfigFile } from "../config/mod.ts";
import { createLogger, type Level, type Logger } from "../log.ts";
import type { Runtime } from "../runtime/mod.ts";
import { parseFlags } from "./flags.ts";

export interface CommandContext {
  runtime: Runtime;
  argv: string[];
}

/** Exit codes: 0 ok, 1 failed, 2 bad config or usage. */
export type ExitCode = 0 | 1 | 2;

/**
 * Loads a command's config from `--config FILE` (or the default paths), PODGATE_* and the other
 * flags. Prints every problem to stderr and returns undefined when the config is bad.
 */
async function loadCommandConfig<S extends z.ZodType>(
  schema: S,
  flags: Record<string, string>,
  runtime: Runtime,
): Promise<Loaded<z.output<S>> | undefined> {
  const { config: configPath, ...rest } = flags;
  try {
    const file = await readConfigFile(configPath, runtime);
    return loadConfig(schema, { file, env: runtime.envAll(), flags: rest });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) runtime.writeErr(`config error: ${problem}`);
    return undefined;
  }
}

export function commandLogger(runtime: Runtime, level: Level, command: string): Logger {
  return createLogger({
    level,
    write: (chunk) => runtime.writeOut(chunk.slice(0, -1)),
    base: { cmd: command },
  });
}

/** Resolves on the first SIGTERM or SIGINT. */
export function untilSignal(runtime: Runtime): Promise<string> {
  return new Promise((resolve) => {
    const offs: Array<() => void> = [];
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      offs.push(runtime.onSignal(signal, () => {
        for (const off of offs) off();
        resolve(signal);
      }));
    }
  });
}

/**
 * The start every long-running command shares: `--help`, the config (exit 2 when it is bad), a
 * logger, and the config warnings logged. Returns an exit code when the command is already done.
 */
export async function prepareCommand<S extends z.ZodType>(
  { runtime, argv }: CommandContext,
  { name, help, schema }: { name: string; help: string; schema: S },
): Promise<{ config: Readonly<z.output<S>>; logger: Logger } | ExitCode> {
  const { flags } = parseFlags(argv);
  if (flags.help) {
    runtime.writeOut(help);
    return 0;
  }
  const loaded = await loadCommandConfig(schema, flags, runtime);
  if (!loaded) return 2;
  const { config, warnings } = loaded;
  const level = (config as { logLevel?: Level }).logLevel ?? "info";
  const logger = commandLogger(runtime, level, name);
  for (const warning of warnings) logger.warn("config_warning", { detail: warning });
  return { config, logger };
}
