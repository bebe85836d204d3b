// Starts podgate as a separate process — the compiled binary (PODGATE_BIN) or `deno run src/main.ts`
// — and reads its JSON log lines, so black-box tests drive it exactly as a user would.

const ROOT = new URL("../../", import.meta.url).pathname;

export interface LogLine {
  msg: string;
  level: string;
  [key: string]: unknown;
}

export interface Podgate {
  readonly pid: number;
  /** Every JSON line the process wrote to stdout so far. */
  readonly logs: LogLine[];
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the first log line that matches (waiting up to `timeoutMs`). */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** The port it logged in its `listening` line. */
  port(timeoutMs?: number): Promise<number>;
  kill(signal?: Deno.Signal): void;
  /** Resolves with the exit status once the process ends. */
  readonly status: Promise<Deno.CommandStatus>;
  /** Kills (SIGKILL) if still running and waits for the exit; safe to call twice. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Run as this uid/gid (needs root and setpriv); the binary then runs as the container would. */
  asUser?: number;
}

/** The compiled binary under test, or undefined (then tests run from source under Deno). */
export const PODGATE_BIN = Deno.env.get("PODGATE_BIN");

/** Whether this process may switch to another uid for the children it spawns. */
export function canDropPrivileges(): boolean {
  try {
    return Deno.uid() === 0 && Deno.statSync("/usr/bin/setpriv").isFile;
  } catch {
    return false;
  }
}

export function spawnPodgate(args: string[], options: SpawnOptions = {}): Podgate {
  const base = PODGATE_BIN
    ? [PODGATE_BIN, ...args]
    : [Deno.execPath(), "run", "-A", `${ROOT}src/main.ts`, ...args];
  const argv = options.asUser !== undefined
    ? [
      "/usr/bin/setpriv",
      `--reuid=${options.asUser}`,
      `--regid=${options.asUser}`,
      "--clear-groups",
      ...base,
    ]
    : base;
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env: { NO_COLOR: "1", ...options.env },
    cwd: options.cwd ?? ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  const logs: LogLine[] = [];
  let errText = "";
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  const pump = async (stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) => {
    const decoder = new TextDecoder();
    let rest = "";
    for await (const chunk of stream) {
      rest += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = rest.indexOf("\n")) !== -1) {
        onLine(rest.slice(0, nl));
        rest = rest.slice(nl + 1);
      }
    }
    if (rest) onLine(rest);
  };
  const done = Promise.all([
    pump(child.stdout, (line) => {
      try {
        logs.push(JSON.parse(line));
      } catch {
        logs.push({ msg: "(text)", level: "?", text: line });
      }
      notify();
    }),
    pump(child.stderr, (line) => {
      errText += line + "\n";
      notify();
    }),
  ]);
  const status = child.status.then(async (s) => {
    await done;
    notify();
    return s;
  });
  let exited = false;
  status.then(() => (exited = true));

  const waitForLog = (match: (line: LogLine) => boolean, timeoutMs = 10_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const hit = logs.find(match);
        if (hit) {
          cleanup();
          resolve(hit);
        } else if (exited) {
          cleanup();
          reject(new Error(`podgate exited before the expected log line; stderr:\n${errText}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `no matching log line within ${timeoutMs} ms; stderr:\n${errText}\nlogs:\n${
              JSON.stringify(logs)
            }`,
          ),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  return {
    pid: child.pid,
    logs,
    stderr: () => errText,
    waitForLog,
    async port(timeoutMs) {
      const line = await waitForLog((l) => l.msg === "listening", timeoutMs);
      return line.port as number;
    },
    kill(signal = "SIGTERM") {
      if (!exited) child.kill(signal);
    },
    status,
    async stop() {
      if (!exited) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }
      await status;
    },
  };
}

/** A TCP port nothing listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Polls `url` until it answers with `status` (default 200). */
export async function waitForStatus(url: string, status = 200, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.status === status) return;
      last = `status ${res.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}
