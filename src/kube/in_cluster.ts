// The in-cluster config: the pod's service account (token, CA, namespace files) and the API
// server address Kubernetes puts in every pod's environment. Bound tokens rotate, so the token
// (and CA) are re-read on a timer and after a 401.
import { z } from "zod";
import { type KubeConnection, reloadingCredentials } from "./connection.ts";

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface FileAccess {
  readTextFile(path: string): Promise<string>;
  fileExists(path: string): Promise<boolean>;
}

export interface InClusterOptions extends FileAccess {
  env: (name: string) => string | undefined;
  /** The service account directory (tests point it at a temporary one). */
  dir?: string;
  tokenReloadMs?: number;
  now?: () => number;
}

const serviceEnv = z.object({
  KUBERNETES_SERVICE_HOST: z.string().trim().min(1),
  KUBERNETES_SERVICE_PORT: z.string().trim().regex(/^\d{1,5}$/, "expected a port number"),
});

/** `https://host:port`, with an IPv6 host bracketed. */
export function serverUrl(host: string, port: string): string {
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `https://${bracketed}:${port}`;
}

/** Reads a file and trims it; undefined when it does not exist. */
export async function readOptional(files: FileAccess, path: string): Promise<string | undefined> {
  if (!(await files.fileExists(path))) return undefined;
  const text = (await files.readTextFile(path)).trim();
  return text === "" ? undefined : text;
}

/**
 * The in-cluster connection, or undefined when this process does not run in a pod with a service
 * account (no KUBERNETES_SERVICE_HOST, or no token file).
 */
export async function inClusterConnection(
  options: InClusterOptions,
): Promise<KubeConnection | undefined> {
  const { env, dir = SERVICE_ACCOUNT_DIR, tokenReloadMs = 60_000, now = Date.now } = options;
  const files: FileAccess = options;
  if (!env("KUBERNETES_SERVICE_HOST")) return undefined;
  const tokenPath = `${dir}/token`;
  if (!(await files.fileExists(tokenPath))) return undefined;
  const parsed = serviceEnv.safeParse({
    KUBERNETES_SERVICE_HOST: env("KUBERNETES_SERVICE_HOST"),
    KUBERNETES_SERVICE_PORT: env("KUBERNETES_SERVICE_PORT"),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(
      `Cannot use the in-cluster config: ${String(issue?.path[0])}: ${issue?.message}`,
    );
  }
  const { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port } = parsed.data;
  const namespace = await readOptional(files, `${dir}/namespace`);

  const load = async () => {
    const token = await readOptional(files, tokenPath);
    if (!token) throw new Error(`Cannot read the service account token: ${tokenPath} is empty`);
    const ca = await readOptional(files, `${dir}/ca.crt`);
    return {
      tls: ca ? { caCerts: [ca] } : {},
      headers: { authorization: `Bearer ${token}` },
    };
  };
  const credentials = reloadingCredentials(load, { reloadMs: tokenReloadMs, now });
  await credentials(); // fail at start-up, not on the first request, when the files are unusable

  return {
    server: serverUrl(host, port),
    source: "in-cluster",
    description: dir,
    namespace,
    credentials,
  };
}
