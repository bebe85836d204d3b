// `podgate backend`: the demo workload.
import { backendApp, podInfoFrom } from "../backend/app.ts";
import { backendConfigSchema } from "../config/mod.ts";
import { type CommandContext, type ExitCode, prepareCommand, untilSignal } from "./context.ts";
import { within } from "../timing.ts";

export const BACKEND_HELP = `podgate backend — the demo workload to balance

Usage: podgate backend [--config FILE] [--port N] [--service-name NAME]

Endpoints: GET /status, GET /ping, GET /health, POST /echo (streams the body back).
Pod metadata comes from POD_NAME, POD_IP, NAMESPACE, NODE_NAME (the Downward API).
Settings: file keys port, hostname, serviceName, logLevel, drainMs; env PODGATE_<KEY>.`;

export async function runBackend(ctx: CommandContext): Promise<ExitCode> {
  const { runtime } = ctx;
  const prepared = await prepareCommand(ctx, {
    name: "backend",
    help: BACKEND_HELP,
    schema: backendConfigSchema,
  });
  if (typeof prepared === "number") return prepared;
  const { config, logger } = prepared;

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
