// `podgate backend`: the demo workload.
import { backendApp, podInfoFrom } from "../backend/app.ts";
import { backendConfigSchema } from "../config/mod.ts";
import {
  type CommandContext,
  commandLogger,
  type ExitCode,
  loadCommandConfig,
  untilSignal,
} from "./context.ts";
import { within } from "../timing.ts";
import { parseFlags } from "./flags.ts";

export const BACKEND_HELP = `podgate backend — the demo workload to balance

Usage: podgate backend [--config FILE] [--port N] [--service-name NAME]

Endpoints: GET /status, GET /ping, GET /health, POST /echo (streams the body back).
Pod metadata comes from POD_NAME, POD_IP, NAMESPACE, NODE_NAME (the Downward API).
Settings: file keys port, hostname, serviceName, logLevel, drainMs; env PODGATE_<KEY>.`;

export async function runBackend({ runtime, argv }: CommandContext): Promise<ExitCode> {
  const { flags } = parseFlags(argv);
  if (flags.help) {
    runtime.writeOut(BACKEND_HELP);
    return 0;
  }
  const loaded = await loadCommandConfig(backendConfigSchema, flags, runtime);
  if (!loaded) return 2;
  const { config, warnings } = loaded;
  const logger = commandLogger(runtime, config.logLevel, "backend");
  for (const warning of warnings) logger.warn("config_warning", { detail: warning });

  const app = backendApp({ config, pod: podInfoFrom(runtime.env) });
  const server = await runtime.serve((req) => app.fetch(req), {
    port: config.port,
    hostname: config.hostname,
    onError: (error) => {
      logger.error("handler_error", { error });
      return new Response('{"error":"internal error"}', { status: 500 });
    },
  });
  logger.info("listening", { hostname: server.hostname, port: server.port, runtime: runtime.name });

  const signal = await untilSignal(runtime);
  logger.info("shutting_down", { signal });
  const clean = await within(server.shutdown(), config.drainMs);
  if (!clean) await server.close();
  logger.info("stopped", { drained: clean });
  logger.flush();
  return 0;
}
