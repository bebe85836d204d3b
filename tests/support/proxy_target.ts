// Two ways to run the proxy under test with the same environment-style config: in this Deno process
// (the runtime adapter's Deno half) or as a separate process (the compiled Bun binary, or Deno from
// source when PODGATE_BIN is unset).
import { loadConfig, proxyConfigSchema } from "../../src/config/mod.ts";
import { createSources } from "../../src/discovery/from_config.ts";
import { createLogger } from "../../src/log.ts";
import { startProxy } from "../../src/proxy/server.ts";
import { runtime } from "../../src/runtime/mod.ts";
import {
  canDropPrivileges,
  type LogLine,
  type Podgate,
  PODGATE_BIN,
  spawnPodgate,
} from "./process.ts";

export interface ProxyTarget {
  readonly kind: "in-process" | "process";
  readonly port: number;
  readonly url: string;
  /** JSON log lines written so far. */
  logs(): LogLine[];
  /** Everything a separate process wrote to stderr so far (in-process: undefined). */
  stderr?: () => string;
  /** SIGTERM for a process; drain() in-process. Resolves with the exit code (0 in-process). */
  terminate(): Promise<number>;
  stop(): Promise<void>;
}

export type StartProxy = (env: Record<string, string>) => Promise<ProxyTarget>;

export const startInProcess: StartProxy = async (env) => {
  const { config } = loadConfig(proxyConfigSchema, {
    env: { PODGATE_PORT: "0", PODGATE_HOSTNAME: "127.0.0.1", ...env },
  });
  const lines: LogLine[] = [];
  const logger = createLogger({
    level: config.logLevel,
    write: (chunk) => chunk.split("\n").filter(Boolean).forEach((l) => lines.push(JSON.parse(l))),
    flushMs: 1,
  });
  const sources = await createSources(config, { runtime, logger });
  const proxy = await startProxy({ config, runtime, logger, ...sources });
  let drained: Promise<boolean> | undefined;
  return {
    kind: "in-process",
    port: proxy.port,
    url: `http://127.0.0.1:${proxy.port}`,
    logs: () => (logger.flush(), lines),
    terminate: async () => (await (drained ??= proxy.drain()), 0),
    stop: async () => void await (drained ??= proxy.drain()),
  };
};

/** Runs the binary as UID 1001 when possible, the way the container runs it. */
export const startProcess: StartProxy = async (env) => {
  const asUser = PODGATE_BIN && canDropPrivileges() ? 1001 : undefined;
  const child: Podgate = spawnPodgate(["proxy"], {
    env: { PODGATE_PORT: "0", PODGATE_HOSTNAME: "127.0.0.1", ...env },
    ...(asUser !== undefined ? { asUser, cwd: "/" } : {}),
  });
  let port: number;
  try {
    port = await child.port();
  } catch (error) {
    await child.stop();
    throw error;
  }
  return {
    kind: "process",
    port,
    url: `http://127.0.0.1:${port}`,
    logs: () => child.logs,
    stderr: () => child.stderr(),
    terminate: async () => {
      child.kill("SIGTERM");
      return (await child.status).code;
    },
    stop: () => child.stop(),
  };
};
