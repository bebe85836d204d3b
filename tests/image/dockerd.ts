// A Docker engine of the test's own (socket, data and exec roots in a temp dir; no iptables, no
// bridge), to `docker load` the archive where a dockerd is installed. The host's Docker, if any, is
// not touched.
import { type Output, run } from "./podman.ts";

export class Dockerd {
  readonly host: string;
  #dir: string;
  #child: Deno.ChildProcess;

  private constructor(dir: string, child: Deno.ChildProcess) {
    this.#dir = dir;
    this.host = `unix://${dir}/docker.sock`;
    this.#child = child;
  }

  /** Starts dockerd and waits until it answers; throws with its log if it does not come up. */
  static async start(): Promise<Dockerd> {
    const dir = await Deno.makeTempDir({ prefix: "podgate-dockerd-" });
    const log = await Deno.open(`${dir}/log`, { write: true, create: true });
    const child = new Deno.Command("dockerd", {
      args: [
        `--host=unix://${dir}/docker.sock`,
        `--data-root=${dir}/root`,
        `--exec-root=${dir}/exec`,
        `--pidfile=${dir}/dockerd.pid`,
        "--containerd-namespace=podgate-test",
        "--iptables=false",
        "--ip-forward=false",
        "--ip-masq=false",
        "--bridge=none",
        "--storage-driver=vfs", // needs nothing from the kernel; the image is loaded, not run
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    child.stderr.pipeTo(log.writable).catch(() => {});
    const daemon = new Dockerd(dir, child);
    for (let i = 0; i < 150; i++) {
      if ((await daemon.docker("version")).code === 0) return daemon;
      await new Promise((r) => setTimeout(r, 100));
    }
    const text = await Deno.readTextFile(`${dir}/log`).catch(() => "");
    await daemon.stop();
    throw new Error(`dockerd did not answer on its socket in 15 s:\n${text.slice(-2000)}`);
  }

  docker(...args: string[]): Promise<Output> {
    return run("docker", args, { env: { DOCKER_HOST: this.host } });
  }

  async stop(): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch { /* already gone */ }
    await this.#child.status;
    // dockerd leaves its network namespace bind-mounted under the exec root.
    const mounts = (await Deno.readTextFile("/proc/self/mountinfo")).split("\n")
      .map((line) => line.split(" ")[4] ?? "").filter((at) => at.startsWith(`${this.#dir}/`));
    for (const at of mounts.reverse()) await run("umount", [at]);
    await Deno.remove(this.#dir, { recursive: true });
  }
}
