// `podgate proxy`: the edge load balancer.
import { proxyConfigSchema } from "../config/mod.ts";
import { createSources } from "../discovery/from_config.ts";
import { type RunningProxy, startProxy } from "../proxy/server.ts";
import { type CommandContext, type ExitCode, prepareCommand, untilSignal } from "./context.ts";

export const PROXY_HELP = `podgate proxy — the edge load balancer (the default command)

Usage: podgate proxy [--config FILE] [--port N] [--backends HOST:PORT,...]
                     [--backend-service-name SVC] [--backend-port PORT] [--strategy NAME]

Config: --config FILE, else ./config.json, else /etc/config/config.json (JSON or YAML);
then PODGATE_* environment variables; then flags. Later wins.
  port                 listen port (PODGATE_PORT, default 8080)
  discovery            static | kubernetes (PODGATE_DISCOVERY; from the fields below if unset)
  backends             static backends, host:port list (PODGATE_BACKENDS=a:1,b:2)
  backendServiceName   Kubernetes Service to discover (PODGATE_BACKEND_SERVICE_NAME)
  backendPort          backend port number or name (PODGATE_BACKEND_PORT, default 8080)
  namespace            namespace to watch (PODGATE_NAMESPACE)
  strategy             round-robin (PODGATE_STRATEGY)
  routes               host and path routes, HTTPRoute's fields (config file only)
  routesFrom           config | gateway (HTTPRoutes of the Gateway named by gateway.name)
  adminPort            serve /health /ready /info /debug on their own port
See README.md for every setting and timer.

Own routes: /health, /ready, /info, /metrics, /debug/next-backend, /debug/routes; everything
else is proxied.`;

export async function runProxy(ctx: CommandContext): Promise<ExitCode> {
  const { runtime } = ctx;
  const prepared = await prepareCommand(ctx, {
    name: "proxy",
    help: PROXY_HELP,
    schema: proxyConfigSchema,
  });
  if (typeof prepared === "number") return prepared;
  const { config, logger } = prepared;

  // Discovery starts before the proxy exists; its restarts are counted once the proxy does.
  const running: { proxy?: RunningProxy } = {};
  let sources;
  try {
    sources = await createSources(config, {
      runtime,
      logger,
      onWatchRestart: (reason) => {
        running.proxy?.metrics.watchRestart(reason);
        running.proxy?.dashboard.watchRestart(reason);
      },
    });
  } catch (error) {
    // A missing kubeconfig, an unreadable service account or a failing exec plugin: config errors.
    logger.flush();
    runtime.writeErr(`podgate proxy: ${(error as Error).message}`);
    return 2;
  }
  const proxy = await startProxy({ config, runtime, logger, ...sources });
  running.proxy = proxy;
  const signal = await untilSignal(runtime);
  logger.info("signal", { signal });
  await proxy.drain();
  return 0;
}
