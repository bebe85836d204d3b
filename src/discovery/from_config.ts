// Builds the discovery a proxy config asks for: the implicit route's one Discovery, or, for a
// config with routes, the Service watches their backendRefs need (and the HTTPRoute source).
import type { ProxyConfig } from "../config/mod.ts";
import type { KubeApi } from "../kube/api.ts";
import type { KubeConnection } from "../kube/connection.ts";
import type { RouteSpec } from "../routes/types.ts";
import type { ServiceWatches } from "./service_watches.ts";
import type { RestartReason } from "../kube/reflector.ts";
import type { Logger } from "../log.ts";
import type { Runtime } from "../runtime/mod.ts";
import { staticDiscovery } from "./static.ts";
import type { Discovery } from "./types.ts";

export interface DiscoveryDeps {
  runtime: Runtime;
  logger: Logger;
  /** The environment (KUBECONFIG, HOME, NAMESPACE, KUBERNETES_SERVICE_*); runtime.env by default. */
  env?: (name: string) => string | undefined;
  /** The service account directory; tests point it at a temporary one. */
  serviceAccountDir?: string;
  /** Called each time the Kubernetes watch restarts, with why. */
  onWatchRestart?: (reason: RestartReason) => void;
}

/** Where routes come from when they change at run time (HTTPRoutes): whole lists, each time. */
export interface RouteSource {
  start(onRoutes: (routes: readonly RouteSpec[]) => void): void;
  stop(): Promise<void>;
}

/** What feeds a proxy's backends: one of the three, by the config. */
export interface ProxySources {
  /** The implicit route's discovery (a config without routes). */
  discovery?: Discovery;
  /** The EndpointSlice watches of routes' Service backendRefs. */
  services?: ServiceWatches;
  /** HTTPRoutes, for `routesFrom: gateway`. */
  routeSource?: RouteSource;
  /** The namespace of a Service backendRef that names none. */
  namespace?: string;
}

/** The sources a config needs; a config without routes gets exactly createDiscovery's. */
export async function createSources(
  config: ProxyConfig,
  deps: DiscoveryDeps,
): Promise<ProxySources> {
  if (config.routes === undefined && config.routesFrom !== "gateway") {
    return { discovery: await createDiscovery(config, deps) };
  }
  if (config.discovery === "static") return {};
  const { api, namespace, connection } = await connectKube(config, deps);
  const { serviceWatches } = await import("./service_watches.ts");
  const services = serviceWatches({
    api,
    logger: deps.logger,
    timers: reflectorTimers(config),
    ...(deps.onWatchRestart ? { onRestart: deps.onWatchRestart } : {}),
  });
  if (config.routesFrom !== "gateway") return { services, namespace };
  const [{ gatewayRoutes }, { createKubePatcher }] = await Promise.all([
    import("../gateway/mod.ts"),
    import("../kube/patch.ts"),
  ]);
  const routeSource = gatewayRoutes({
    api,
    patcher: createKubePatcher(connection, {
      tlsFetch: deps.runtime.tlsFetch,
      requestTimeoutMs: config.kubernetes.requestTimeoutMs,
    }),
    settings: { ...config.gateway!, namespace: config.gateway!.namespace ?? namespace },
    logger: deps.logger,
    timers: reflectorTimers(config),
  });
  return { services, routeSource, namespace };
}

function reflectorTimers(config: ProxyConfig) {
  const kube = config.kubernetes;
  return {
    backoffInitialMs: kube.backoffInitialMs,
    backoffMaxMs: kube.backoffMaxMs,
    watchTimeoutMinSeconds: kube.watchTimeoutMinSeconds,
    watchTimeoutMaxSeconds: kube.watchTimeoutMaxSeconds,
  };
}

/** The API server connection a config names, prepared, and the namespace it defaults to. */
async function connectKube(
  config: ProxyConfig,
  deps: DiscoveryDeps,
): Promise<{ api: KubeApi; namespace: string; connection: KubeConnection }> {
  const { runtime, logger, env = runtime.env } = deps;
  const kube = config.kubernetes;
  // Loaded only for kubernetes discovery: static start-up and memory do not pay for the client.
  const [{ createKubeClient }, { resolveKubeConnection, resolveNamespace }] = await Promise.all([
    import("../kube/client.ts"),
    import("../kube/config.ts"),
  ]);
  const { connection, defaultNamespace } = await resolveKubeConnection({
    kubeconfig: kube.kubeconfig,
    context: kube.context,
    env,
    readTextFile: runtime.readTextFile,
    fileExists: runtime.fileExists,
    tokenReloadMs: kube.tokenReloadMs,
    ...(deps.serviceAccountDir ? { serviceAccountDir: deps.serviceAccountDir } : {}),
  });
  const api = createKubeClient(connection, {
    tlsFetch: runtime.tlsFetch,
    requestTimeoutMs: kube.requestTimeoutMs,
    defaultNamespace,
  });
  await api.prepare();
  const namespace = resolveNamespace({
    configured: config.namespace,
    env: env("NAMESPACE"),
    connection: api.defaultNamespace,
  });
  logger.info("kube_connection", {
    server: connection.server,
    source: connection.source,
    from: connection.description,
    namespace,
    ...(config.backendServiceName
      ? { service: config.backendServiceName, backend_port: config.backendPort }
      : { routes_from: config.routesFrom }),
  });
  return { api, namespace, connection };
}

export async function createDiscovery(
  config: ProxyConfig,
  deps: DiscoveryDeps,
): Promise<Discovery> {
  if (config.discovery === "static") return staticDiscovery(config.backends);
  const { logger } = deps;
  const { api, namespace } = await connectKube(config, deps);
  const { kubernetesDiscovery } = await import("./kubernetes.ts");
  const serviceName = config.backendServiceName!; // the schema requires it for kubernetes
  return kubernetesDiscovery({
    api,
    namespace,
    serviceName,
    backendPort: config.backendPort,
    logger,
    timers: reflectorTimers(config),
    ...(deps.onWatchRestart ? { onRestart: deps.onWatchRestart } : {}),
  });
}
