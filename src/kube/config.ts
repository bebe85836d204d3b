// Finds the API server the way controllers do: an explicit kubeconfig, then KUBECONFIG, then the
// pod's service account, then ~/.kube/config. Also resolves which namespace to watch.
import {
  type FileAccess,
  inClusterConnection,
  readOptional,
  SERVICE_ACCOUNT_DIR,
} from "./in_cluster.ts";
import type { KubeConnection } from "./connection.ts";
import { kubeconfigConnection } from "./kubeconfig.ts";

export interface ResolveConnectionOptions extends FileAccess {
  /** The config's `kubernetes.kubeconfig`: use this file and nothing else. */
  kubeconfig?: string | undefined;
  /** The config's `kubernetes.context`: a kubeconfig context other than the current one. */
  context?: string | undefined;
  env: (name: string) => string | undefined;
  serviceAccountDir?: string;
  tokenReloadMs?: number;
  now?: () => number;
}

export interface ResolvedConnection {
  connection: KubeConnection;
  /** The service account's namespace file, else the kubeconfig context's namespace. */
  defaultNamespace: string | undefined;
}

export async function resolveKubeConnection(
  options: ResolveConnectionOptions,
): Promise<ResolvedConnection> {
  const { env, serviceAccountDir = SERVICE_ACCOUNT_DIR } = options;
  const fromKubeconfig = (paths: string[]) =>
    kubeconfigConnection({
      paths,
      context: options.context,
      readTextFile: options.readTextFile,
      fileExists: options.fileExists,
      ...(options.tokenReloadMs !== undefined ? { tokenReloadMs: options.tokenReloadMs } : {}),
      ...(options.now ? { now: options.now } : {}),
    });

  let connection: KubeConnection | undefined;
  const listed = (env("KUBECONFIG") ?? "").split(":").filter((path) => path !== "");
  const home = env("HOME");
  if (options.kubeconfig) connection = await fromKubeconfig([options.kubeconfig]);
  else if (listed.length > 0) connection = await fromKubeconfig(listed);
  else {
    connection = await inClusterConnection({
      env,
      dir: serviceAccountDir,
      readTextFile: options.readTextFile,
      fileExists: options.fileExists,
      ...(options.tokenReloadMs !== undefined ? { tokenReloadMs: options.tokenReloadMs } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    if (!connection && home && (await options.fileExists(`${home}/.kube/config`))) {
      connection = await fromKubeconfig([`${home}/.kube/config`]);
    }
  }
  if (!connection) {
    throw new Error(
      `Cannot find a Kubernetes API server: not in a cluster (KUBERNETES_SERVICE_HOST unset or no token in ${serviceAccountDir}), KUBECONFIG unset and no ${
        home ?? "~"
      }/.kube/config`,
    );
  }
  const serviceAccountNamespace = await readOptional(options, `${serviceAccountDir}/namespace`);
  return { connection, defaultNamespace: serviceAccountNamespace ?? connection.namespace };
}

export interface NamespaceSources {
  /** The config's `namespace` (file, PODGATE_NAMESPACE or flag). */
  configured?: string | undefined;
  /** `NAMESPACE`, from the Downward API. */
  env?: string | undefined;
  /** The service account file, else the kubeconfig context (KubeApi.defaultNamespace). */
  connection?: string | undefined;
}

/** The namespace to watch: config → NAMESPACE → service account → kubeconfig context → default. */
export function resolveNamespace(sources: NamespaceSources): string {
  const pick = [sources.configured, sources.env, sources.connection]
    .map((value) => value?.trim())
    .find((value) => value);
  return pick ?? "default";
}
