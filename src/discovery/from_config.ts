// Builds the discovery a proxy config asks for.
import type { ProxyConfig } from "../config/mod.ts";
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

export async function createDiscovery(
  config: ProxyConfig,
  deps: DiscoveryDeps,
): Promise<Discovery> {
  if (config.discovery === "static") return staticDiscovery(config.backends);
  const { runtime, logger, env = runtime.env } = deps;
  const kube = config.kubernetes;
  // Loaded only for kubernetes discovery: static start-up and memory do not pay for the client.
  const [
    { createKubeClient },
    { resolveKubeConnection, resolveNamespace },
    { kubernetesDiscovery },
  ] = await Promise
    .all([import("../kube/client.ts"), import("../kube/config.ts"), import("./kubernetes.ts")]);
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
  const serviceName = config.backendServiceName!; // the schema requires it for kubernetes
  logger.info("kube_connection", {
    server: connection.server,
    source: connection.source,
    from: connection.description,
    namespace,
    service: serviceName,
    backend_port: config.backendPort,
  });
  return kubernetesDiscovery({
    api,
    namespace,
    serviceName,
    backendPort: config.backendPort,
    logger,
    timers: {
      backoffInitialMs: kube.backoffInitialMs,
      backoffMaxMs: kube.backoffMaxMs,
      watchTimeoutMinSeconds: kube.watchTimeoutMinSeconds,
      watchTimeoutMaxSeconds: kube.watchTimeoutMaxSeconds,
    },
    ...(deps.onWatchRestart ? { onRestart: deps.onWatchRestart } : {}),
  });
}
