// Runs podgate's image under podman the way the manifests run it, and tells whether this machine
// can run containers at all. podman reads the settings scripts/setup --test wrote for this machine
// (.tmp/podman/containers.conf: runc, and rlimits the host allows) unless CONTAINERS_CONF is set.

export const ROOT = new URL("../../", import.meta.url).pathname;
const PROJECT_CONF = `${ROOT}.tmp/podman/containers.conf`;

function containersConf(): string | undefined {
  const set = Deno.env.get("CONTAINERS_CONF");
  if (set) return set;
  try {
    return Deno.statSync(PROJECT_CONF).isFile ? PROJECT_CONF : undefined;
  } catch {
    return undefined;
  }
}
export const CONTAINERS_CONF = containersConf();
const ENV: Record<string, string> = CONTAINERS_CONF ? { CONTAINERS_CONF } : {};

/** k8s/*\/deployment.yaml's securityContext as podman flags, on the host's network. */
export const AS_THE_MANIFESTS = [
  "--read-only",
  "--read-only-tmpfs=false", // only the /tmp below, like the pods' emptyDir
  "--user=1001:1001",
  "--cap-drop=ALL",
  "--security-opt=no-new-privileges",
  "--tmpfs=/tmp:rw,size=16m,mode=1777",
  "--network=host",
];

export interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end and returns its exit code and output. */
export async function run(
  cmd: string,
  args: string[],
  { stdin, env = {} }: { stdin?: string; env?: Record<string, string> } = {},
): Promise<Output> {
  const child = new Deno.Command(cmd, {
    args,
    env: { ...ENV, ...env },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const file = await Deno.open(stdin);
    await file.readable.pipeTo(child.stdin);
  }
  const out = await child.output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

export const podman = (...args: string[]) => run("podman", args);

/** Like podman() but throws, with podman's stderr, unless it exits 0. */
export async function podmanOk(...args: string[]): Promise<string> {
  const out = await podman(...args);
  if (out.code !== 0) throw new Error(`podman ${args.join(" ")} exited ${out.code}: ${out.stderr}`);
  return out.stdout;
}

/**
 * Why this machine cannot run containers, or undefined when it can: podman runs a rootfs of the
 * host's own `true` and its libraries with the manifests' flags. This image is not podgate's, so a
 * broken podgate image fails its tests instead of skipping them.
 */
export async function cannotRunContainers(): Promise<string | undefined> {
  const which = await run("bash", ["-c", "command -v podman"]);
  if (which.code !== 0) {
    return "podman is not installed, and scripts/setup --test could not install it";
  }
  const rootfs = await Deno.makeTempDir({ prefix: "podgate-probe-" });
  try {
    await Deno.chmod(rootfs, 0o755); // UID 1001 must reach /bin/true
    const ldd = await run("ldd", ["/bin/true"]);
    const libs = [...ldd.stdout.matchAll(/(\/\S+) \(0x[0-9a-f]+\)/g)].map((m) => m[1]!);
    for (const file of ["/bin/true", ...libs]) {
      const dir = `${rootfs}${file.slice(0, file.lastIndexOf("/"))}`;
      await Deno.mkdir(dir, { recursive: true });
      await Deno.copyFile(await Deno.realPath(file), `${rootfs}${file}`);
      await Deno.chmod(`${rootfs}${file}`, 0o755);
    }
    await Deno.mkdir(`${rootfs}/tmp`);
    const out = await podman("run", "--rm", ...AS_THE_MANIFESTS, "--rootfs", rootfs, "/bin/true");
    if (out.code === 0) return undefined;
    return `podman cannot run even a rootfs holding only /bin/true here ` +
      `(CONTAINERS_CONF=${CONTAINERS_CONF ?? "unset"}; exit ${out.code}): ${out.stderr.trim()}`;
  } finally {
    await Deno.remove(rootfs, { recursive: true });
  }
}

export interface LogLine {
  msg?: string;
  [key: string]: unknown;
}

/** One `podman run` in the foreground: its exit code is the container's. */
export class Container {
  readonly name: string;
  readonly logs: LogLine[] = [];
  readonly status: Promise<Deno.CommandStatus>;
  #stderr = "";
  #exited = false;
  #changed = new Set<() => void>();

  constructor(name: string, runArgs: string[]) {
    this.name = name;
    const child = new Deno.Command("podman", {
      args: ["run", "--rm", `--name=${name}`, ...runArgs],
      env: ENV,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const pumped = Promise.all([
      this.#pump(child.stdout, (line) => {
        try {
          this.logs.push(JSON.parse(line));
        } catch {
          this.logs.push({ text: line });
        }
      }),
      this.#pump(child.stderr, (line) => (this.#stderr += `${line}\n`)),
    ]);
    this.status = child.status.then(async (s) => {
      await pumped;
      this.#exited = true;
      this.#changed.forEach((f) => f());
      return s;
    });
  }

  async #pump(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) {
    let rest = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + text).split("\n");
      rest = lines.pop()!;
      lines.forEach(onLine);
      this.#changed.forEach((f) => f());
    }
    if (rest) onLine(rest);
  }

  stderr(): string {
    return this.#stderr;
  }

  /** The first log line that matches, waiting up to `timeoutMs`. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.logs.find(match);
        if (hit || this.#exited) {
          clearTimeout(timer);
          this.#changed.delete(check);
          if (hit) resolve(hit);
          else reject(new Error(`${this.name} exited first; stderr:\n${this.#stderr}`));
        }
      };
      const timer = setTimeout(() => {
        this.#changed.delete(check);
        reject(new Error(`${this.name}: no such log line in ${timeoutMs} ms:\n${this.#stderr}`));
      }, timeoutMs);
      this.#changed.add(check);
      check();
    });
  }

  /** The port it logged in its `listening` line. */
  async port(): Promise<number> {
    return (await this.waitForLog((l) => l.msg === "listening")).port as number;
  }

  /** Sends a signal the way the kubelet does: to the container, not to the podman client. */
  kill(signal = "TERM"): Promise<string> {
    return podmanOk("kill", `--signal=${signal}`, this.name);
  }

  /** Removes the container if it still runs, and waits for `podman run` to end. */
  async remove(): Promise<void> {
    if (!this.#exited) await podman("rm", "--force", "--time=0", this.name);
    await this.status;
  }
}
