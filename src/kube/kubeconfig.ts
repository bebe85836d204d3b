// The kubeconfig config: files merged the way kubectl merges them (the first file to name a
// cluster, user or context wins), read by @kubernetes/client-node's KubeConfig. It is imported
// lazily because it costs hundreds of milliseconds at start-up that in-cluster runs don't need.
// Only its credential logic is used (certificates, tokens, exec plugins), never its API client.
import type { KubeConfig } from "@kubernetes/client-node/dist/config.js";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { type KubeConnection, type KubeCredentials, reloadingCredentials } from "./connection.ts";
import { type FileAccess, readOptional } from "./in_cluster.ts";

export interface KubeconfigOptions extends FileAccess {
  /** Kubeconfig files in priority order (KUBECONFIG's colon list); missing ones are skipped. */
  paths: readonly string[];
  /** Use this context instead of the files' current-context. */
  context?: string | undefined;
  tokenReloadMs?: number;
  now?: () => number;
}

// client-node reads neither kubectl's `tokenFile` user field nor re-reads a token file, so
// podgate reads that field itself.
const rawKubeconfig = z.object({
  users: z.array(z.object({
    name: z.string(),
    user: z.object({ tokenFile: z.string().optional() }).nullish(),
  })).nullish(),
}).nullish();

interface Loaded {
  config: KubeConfig;
  context: string;
  namespace: string | undefined;
  server: string;
  /** The current user's tokenFile, as an absolute path when the file gave a relative one. */
  tokenFile: string | undefined;
}

function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
}

function absolute(dir: string, path: string): string {
  return path.startsWith("/") ? path : `${dir}/${path}`;
}

async function load(options: KubeconfigOptions, paths: string[]): Promise<Loaded> {
  // Deep import: the package index also loads every generated API client.
  const { KubeConfig } = await import("@kubernetes/client-node/dist/config.js");
  const merged = new KubeConfig();
  merged.loadFromOptions({ clusters: [], users: [], contexts: [], currentContext: undefined });
  const tokenFiles = new Map<string, string>();
  for (const path of paths) {
    const text = await options.readTextFile(path);
    const single = new KubeConfig();
    let raw: z.output<typeof rawKubeconfig>;
    try {
      single.loadFromString(text);
      raw = rawKubeconfig.parse(parseYaml(text));
    } catch (error) {
      throw new TypeError(`Cannot read kubeconfig ${path}: ${(error as Error).message}`);
    }
    single.makePathsAbsolute(dirname(path));
    if (!merged.currentContext && single.currentContext) {
      merged.setCurrentContext(single.currentContext);
    }
    for (const cluster of single.clusters) {
      if (!merged.getCluster(cluster.name)) merged.addCluster(cluster);
    }
    for (const user of single.users) {
      if (!merged.getUser(user.name)) merged.addUser(user);
    }
    for (const context of single.contexts) {
      if (!merged.getContextObject(context.name)) merged.addContext(context);
    }
    for (const entry of raw?.users ?? []) {
      const file = entry.user?.tokenFile;
      if (file && !tokenFiles.has(entry.name)) {
        tokenFiles.set(entry.name, absolute(dirname(path), file));
      }
    }
  }

  const where = paths.join(":");
  const context = options.context ?? merged.currentContext;
  if (!context) throw new TypeError(`Cannot use kubeconfig ${where}: no current-context is set`);
  const contextObject = merged.getContextObject(context);
  if (!contextObject) {
    const known = merged.contexts.map((c) => c.name).join(", ") || "none";
    throw new TypeError(
      `Cannot use kubeconfig ${where}: no context "${context}" (known: ${known})`,
    );
  }
  merged.setCurrentContext(context);
  const cluster = merged.getCurrentCluster();
  if (!cluster?.server) {
    throw new TypeError(
      `Cannot use kubeconfig ${where}: context "${context}" names cluster "${contextObject.cluster}", which has no server`,
    );
  }
  return {
    config: merged,
    context,
    namespace: contextObject.namespace || undefined,
    server: cluster.server.replace(/\/+$/, ""),
    tokenFile: tokenFiles.get(contextObject.user),
  };
}

interface HttpsOptions {
  headers?: Record<string, string>;
  ca?: string | Uint8Array;
  cert?: string | Uint8Array;
  key?: string | Uint8Array;
  rejectUnauthorized?: boolean;
  auth?: string;
}

const pem = (value: string | Uint8Array | undefined): string | undefined =>
  value === undefined
    ? undefined
    : typeof value === "string"
    ? value
    : new TextDecoder().decode(value);

async function credentialsOf(state: Loaded, files: FileAccess): Promise<KubeCredentials> {
  const opts: HttpsOptions = {};
  try {
    await state.config.applyToHTTPSOptions(opts as never);
  } catch (error) {
    throw new Error(
      `Cannot get credentials for kubeconfig context "${state.context}": ${
        (error as Error).message.trim()
      }`,
      { cause: error },
    );
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(opts.headers ?? {})) {
    headers[name.toLowerCase()] = String(value);
  }
  if (opts.auth) headers.authorization = `Basic ${btoa(opts.auth)}`;
  if (state.tokenFile) {
    const token = await readOptional(files, state.tokenFile);
    if (!token) throw new Error(`Cannot read the kubeconfig tokenFile ${state.tokenFile}`);
    headers.authorization = `Bearer ${token}`;
  }
  const ca = pem(opts.ca);
  const cert = pem(opts.cert);
  const key = pem(opts.key);
  return {
    tls: {
      ...(ca ? { caCerts: [ca] } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      ...(opts.rejectUnauthorized === false ? { insecureSkipVerify: true } : {}),
    },
    headers,
  };
}

/** The connection a kubeconfig describes; throws when no file exists or the context is unusable. */
export async function kubeconfigConnection(options: KubeconfigOptions): Promise<KubeConnection> {
  const { tokenReloadMs = 60_000, now = Date.now } = options;
  const paths: string[] = [];
  for (const path of options.paths) {
    if (await options.fileExists(path)) paths.push(path);
  }
  if (paths.length === 0) {
    throw new TypeError(`Cannot use a kubeconfig: no file at ${options.paths.join(", ")}`);
  }
  let state = await load(options, paths);
  // A forced refresh (after a 401) re-reads the files and runs the exec plugin again, since
  // client-node caches an exec credential until its own expiry.
  const credentials = reloadingCredentials(async (refresh) => {
    if (refresh) state = await load(options, paths);
    return credentialsOf(state, options);
  }, { reloadMs: tokenReloadMs, now });
  await credentials();
  return {
    server: state.server,
    source: "kubeconfig",
    description: `${paths.join(":")} (context ${state.context})`,
    namespace: state.namespace,
    credentials,
  };
}
