// Every process the bench starts, pinned to a CPU, so that one `stopAll()` (on exit, on error, on
// Ctrl-C) leaves nothing behind — including workers a master forked (nginx).
import { processTree, stillAlive } from "./proc_stats.ts";

export interface SpawnOptions {
  /** CPU list for `taskset -c`; taskset execs the command, so the pid is the command's own. */
  cpu: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Discard stdout (a proxy's access log) instead of collecting it. */
  quietStdout?: boolean;
  /** How much of the output to keep (the tail). */
  keepBytes?: number;
}

export interface Running {
  readonly name: string;
  readonly pid: number;
  /** Resolves when the process exits. */
  readonly exited: Promise<Deno.CommandStatus>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** The tail of what it wrote to stderr and stdout (unless discarded). */
  outputTail(): string;
}

export class ProcessGroup {
  #running = new Set<Running>();

  /** Starts `command args…` pinned to a CPU. */
  spawn(name: string, command: string[], options: SpawnOptions): Running {
    const { cpu, env, cwd, quietStdout = false, keepBytes = 4096 } = options;
    const child = new Deno.Command("taskset", {
      args: ["-c", cpu, ...command],
      env: env ?? {},
      cwd: cwd ?? Deno.cwd(),
      stdin: "null",
      stdout: quietStdout ? "null" : "piped",
      stderr: "piped",
    }).spawn();
    let tail = "";
    const collect = async (stream: ReadableStream<Uint8Array> | null) => {
      if (!stream) return;
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        tail = (tail + chunk).slice(-keepBytes);
      }
    };
    const drained = Promise.all([
      collect(child.stderr),
      quietStdout ? Promise.resolve() : collect(child.stdout),
    ]).catch(() => {});
    let done = false;
    const exited = child.status.then(async (status) => {
      done = true;
      await drained;
      return status;
    });
    const running: Running = {
      name,
      pid: child.pid,
      exited,
      hasExited: () => done,
      outputTail: () => tail.trim(),
    };
    this.#running.add(running);
    exited.finally(() => this.#running.delete(running));
    return running;
  }

  /** Runs a command to completion (tracked, so Ctrl-C stops it too); returns its exit code and output. */
  async run(
    name: string,
    command: string[],
    options: SpawnOptions,
  ): Promise<{ code: number; output: string }> {
    const running = this.spawn(name, command, { keepBytes: 1 << 20, ...options });
    const { code } = await running.exited;
    return { code, output: running.outputTail() };
  }

  /** SIGTERM to the process, then SIGKILL to whatever of its tree is left after the grace period. */
  async stop(running: Running, graceMs = 2000): Promise<void> {
    if (running.hasExited()) return;
    const tree = processTree(running.pid);
    signal(running.pid, "SIGTERM");
    const timer = new Promise((resolve) => setTimeout(resolve, graceMs));
    const exited = await Promise.race([running.exited.then(() => true), timer.then(() => false)]);
    if (!exited) signal(running.pid, "SIGKILL");
    // Workers a master forked outlive a master that was killed: end them by identity, not by pid
    // alone, so a recycled pid is never hit.
    for (const worker of tree.slice(1)) if (stillAlive(worker)) signal(worker.pid, "SIGKILL");
    await running.exited;
  }

  /** Stops everything still running, in parallel. */
  async stopAll(graceMs = 2000): Promise<void> {
    await Promise.all([...this.#running].map((r) => this.stop(r, graceMs)));
  }

  /** Synchronous last resort for an exit path that cannot await: SIGKILL every tree. */
  killAllNow(): void {
    for (const r of this.#running) {
      for (const s of processTree(r.pid)) signal(s.pid, "SIGKILL");
    }
  }
}

function signal(pid: number, sig: Deno.Signal): void {
  try {
    Deno.kill(pid, sig);
  } catch {
    // already gone
  }
}
