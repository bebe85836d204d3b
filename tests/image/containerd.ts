// A containerd of the test's own (socket, root and state in a temp dir, no CRI), to import the
// archive the way `kind load image-archive` does inside a kind node.
import { run } from "./podman.ts";

export class Containerd {
  readonly address: string;
  #dir: string;
  #child: Deno.ChildProcess;

  private constructor(dir: string, child: Deno.ChildProcess) {
    this.#dir = dir;
    this.address = `${dir}/containerd.sock`;
    this.#child = child;
  }

  /** Starts containerd and waits for its socket; throws with its log if it does not come up. */
  static async start(): Promise<Containerd> {
    const dir = await Deno.makeTempDir({ prefix: "podgate-containerd-" });
    await Deno.writeTextFile(
      `${dir}/config.toml`,
      [
        "version = 2",
        `root = "${dir}/root"`,
        `state = "${dir}/state"`,
        'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
        "[grpc]",
        `  address = "${dir}/containerd.sock"`,
      ].join("\n"),
    );
    const log = await Deno.open(`${dir}/log`, { write: true, create: true });
    const child = new Deno.Command("containerd", {
      args: ["--config", `${dir}/config.toml`],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    child.stderr.pipeTo(log.writable).catch(() => {});
    const daemon = new Containerd(dir, child);
    for (let i = 0; i < 100; i++) {
      if ((await daemon.ctr("version")).code === 0) return daemon;
      await new Promise((r) => setTimeout(r, 100));
    }
    const text = await Deno.readTextFile(`${dir}/log`).catch(() => "");
    await daemon.stop();
    throw new Error(`containerd did not answer on its socket in 10 s:\n${text.slice(-2000)}`);
  }

  ctr(...args: string[]) {
    return run("ctr", ["--address", this.address, ...args]);
  }

  /** kind's own command (nodeutils.LoadImageArchive), with the archive on stdin. */
  importLikeKind(archive: string) {
    return run("ctr", [
      "--address",
      this.address,
      "--namespace=k8s.io",
      "images",
      "import",
      "--all-platforms",
      "--digests",
      "--snapshotter=native", // the node uses overlayfs; the names and digests do not depend on it
      "-",
    ], { stdin: archive });
  }

  async stop(): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch { /* already gone */ }
    await this.#child.status;
    await Deno.remove(this.#dir, { recursive: true });
  }
}
