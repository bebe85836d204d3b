// Builds the image archive with scripts/image and reads it back with tar: what it printed, the
// index and manifests inside, and the layer's entries.
import { ROOT, run } from "./podman.ts";

export interface Built {
  archive: string;
  /** Digests as scripts/image printed them: `sha256:…`. */
  layer: string;
  /** The binary's digest, as put in the layer. */
  binary: string;
  config: string;
  manifest: string;
  labels: Record<string, string>;
  /** Everything it printed on stdout, for the test log. */
  printed: string;
}

/** Runs scripts/image (which builds dist/podgate first) writing the archive to `archive`. */
export async function buildImage(archive: string): Promise<Built> {
  const out = await run("bash", [`${ROOT}scripts/image`], { env: { IMAGE_OUT: archive } });
  if (out.code !== 0) throw new Error(`scripts/image exited ${out.code}: ${out.stderr}`);
  const field = (name: string) => {
    const value = new RegExp(`^${name}: (\\S+)`, "m").exec(out.stdout)?.[1];
    if (!value) throw new Error(`scripts/image printed no ${name} line:\n${out.stdout}`);
    return value;
  };
  // labels: version=0.1.0 revision=… source=…
  const labels = Object.fromEntries(
    (/^labels: (.*)$/m.exec(out.stdout)?.[1] ?? "").split(" ").map((kv) => {
      const at = kv.indexOf("=");
      return [kv.slice(0, at), kv.slice(at + 1)];
    }),
  );
  return {
    archive,
    layer: field("layer"),
    binary: field("binary"),
    config: field("config"),
    manifest: field("manifest"),
    labels,
    printed: out.stdout.trim(),
  };
}

async function tar(script: string): Promise<string> {
  const out = await run("bash", ["-c", `set -o pipefail; ${script}`]);
  if (out.code !== 0) throw new Error(`${script}: ${out.stderr}`);
  return out.stdout;
}

/** The bytes of one file of the archive, as text. */
export const member = (archive: string, path: string) => tar(`tar -xOf '${archive}' '${path}'`);

export async function memberJson<T = Record<string, unknown>>(
  archive: string,
  path: string,
): Promise<T> {
  return JSON.parse(await member(archive, path)) as T;
}

/** A blob's path inside the archive. */
export const blobPath = (digest: string) => `blobs/sha256/${digest.replace(/^sha256:/, "")}`;

export interface Entry {
  path: string;
  /** `drwxr-xr-x`, `-rw-r--r--`, … as tar lists it. */
  mode: string;
  owner: string;
  size: number;
}

/** The layer's entries, in the order they are stored. */
export async function layerEntries(archive: string, layer: string): Promise<Entry[]> {
  const listing = await tar(`tar -xOf '${archive}' '${blobPath(layer)}' | tar -tv --numeric-owner`);
  return listing.trim().split("\n").map((line) => {
    const [mode = "", owner = "", size = "0", , , ...path] = line.trim().split(/\s+/);
    return { mode, owner, size: Number(size), path: path.join(" ").replace(/\/$/, "") };
  });
}

export const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
