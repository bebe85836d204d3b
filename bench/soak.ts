// The soak: one dist/podgate under mixed traffic for SOAK_MINUTES (10), sampled every
// SOAK_INTERVAL_S (10) for RSS, open fds and upstream connections; writes bench/results/soak.md
// and its PNGs. `deno run -A bench/soak.ts` after `bash scripts/build` (SOAK_BIN, SOAK_COMMIT name
// another binary and the commit it was built from); never part of the tests.
import { describeMachine, renderMachine } from "./lib/machine.ts";
import { type BenchContext, freePort, startBackend, waitForPing } from "./lib/peers.ts";
import { parseStatusKiB } from "./lib/proc_stats.ts";
import { ProcessGroup, type Running } from "./lib/process_group.ts";
import { renderSoakReport, type SoakLoad, soakPngs, type SoakSample } from "./lib/soak_report.ts";
import { runWrk } from "./lib/wrk.ts";

const log = (line: string) => console.error(line);
const env = (name: string, fallback: string) => Deno.env.get(name) ?? fallback;
const minutes = Number(env("SOAK_MINUTES", "10"));
const intervalS = Number(env("SOAK_INTERVAL_S", "10"));
const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const bin = env("SOAK_BIN", `${root}/dist/podgate`);
const out = env("SOAK_OUT", `${root}/bench/results/soak.md`);
const proxyCpu = env("BENCH_PROXY_CPU", "1");
const loadCpu = env("BENCH_LOAD_CPU", "0");

/** The sum over each named metric's series in podgate's /metrics; absent when unreadable. */
async function metricSums(base: string, names: string[]): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  try {
    const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(2000) });
    for (const line of (await res.text()).split("\n")) {
      const name = names.find((n) => line.startsWith(n + " ") || line.startsWith(n + "{"));
      if (name) sums.set(name, (sums.get(name) ?? 0) + Number(line.split(" ").at(-1)));
    }
  } catch {
    // a sample without the metrics: the report shows a dash
  }
  return sums;
}

async function sample(pid: number, base: string, t: number): Promise<SoakSample> {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const mib = (key: string) => parseStatusKiB(status, key) / 1024;
  const fds = [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
  const metrics = await metricSums(base, [
    "podgate_upstream_connections",
    "podgate_requests_total",
  ]);
  const upstream = metrics.get("podgate_upstream_connections");
  const requests = metrics.get("podgate_requests_total");
  return {
    t,
    rssMiB: mib("VmRSS"),
    rssAnonMiB: mib("RssAnon"),
    rssFileMiB: mib("RssFile"),
    fds,
    ...(upstream === undefined ? {} : { upstreamConnections: upstream }),
    ...(requests === undefined ? {} : { requestsTotal: requests }),
  };
}

/**
 * Clients that leave mid-body, one every 100 ms until `until`: half of a 1 MiB POST then close,
 * or a 1 MiB GET of which only 64 KiB are read.
 */
async function leavers(port: number, until: number) {
  const counts = { started: 0, failed: 0 };
  const head = (lines: string[]) => new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n");
  const half = new Uint8Array(512 * 1024).fill(120);
  while (Date.now() < until) {
    const post = counts.started % 2 === 0;
    counts.started++;
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      try {
        if (post) {
          await conn.write(head(["POST /echo HTTP/1.1", "Host: soak", "Content-Length: 1048576"]));
          for (let off = 0; off < half.length;) off += await conn.write(half.subarray(off));
        } else {
          await conn.write(head(["GET /1m HTTP/1.1", "Host: soak"]));
          const buf = new Uint8Array(16 * 1024);
          for (let read = 0; read < 64 * 1024;) {
            const n = await conn.read(buf);
            if (n === null) break;
            read += n;
          }
        }
      } finally {
        conn.close();
      }
    } catch {
      counts.failed++;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return counts;
}

async function commit(): Promise<string> {
  const { stdout } = await new Deno.Command("git", {
    args: ["rev-parse", "--short", "HEAD"],
    cwd: root,
  }).output();
  return new TextDecoder().decode(stdout).trim();
}

async function main(): Promise<number> {
  const started = new Date();
  const tmp = await Deno.makeTempDir({ prefix: "podgate-soak-" });
  const group = new ProcessGroup();
  Deno.addSignalListener("SIGINT", async () => {
    await group.stopAll(500);
    Deno.exit(130);
  });
  try {
    const ctx: BenchContext = { root, tmp, group, proxyCpu, loadCpu, backends: [] };
    for (let i = 1; i <= 3; i++) {
      const port = freePort();
      await waitForPing(`http://127.0.0.1:${port}`, await startBackend(ctx, "go", i, port));
      ctx.backends.push(`127.0.0.1:${port}`);
    }
    const port = freePort();
    const proxy: Running = group.spawn("podgate", [bin, "proxy"], {
      cpu: proxyCpu,
      cwd: tmp,
      quietStdout: true,
      env: {
        PODGATE_DISCOVERY: "static",
        PODGATE_BACKENDS: ctx.backends.join(","),
        PODGATE_PORT: String(port),
        PODGATE_HOSTNAME: "127.0.0.1",
      },
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForPing(base, proxy);
    const durationS = minutes * 60;
    log(`soak: ${bin} on ${base}, ${minutes} min, a sample every ${intervalS} s`);

    const script = `${root}/bench/wrk/report.lua`;
    const wrk = (name: string, path: string, connections: number, bodyBytes?: number) =>
      runWrk(group, base + path, {
        connections,
        duration: `${durationS}s`,
        cpu: loadCpu,
        script,
        ...(bodyBytes ? { bodyBytes } : {}),
      }).then((result): SoakLoad => ({ name, result }), (e): SoakLoad => ({
        name,
        error: e instanceof Error ? e.message : String(e),
      }));
    const t0 = Date.now();
    const loads = Promise.all([
      wrk("small GET /ping, 16 conns", "/ping", 16),
      wrk("1 MiB GET /1m, 4 conns", "/1m", 4),
      wrk("1 MiB POST /echo, 4 conns", "/echo", 4, 1 << 20),
    ]);
    const leaving = leavers(port, t0 + durationS * 1000);
    const samples: SoakSample[] = [];
    for (let i = 1; i * intervalS <= durationS; i++) {
      await new Promise((resolve) => setTimeout(resolve, t0 + i * intervalS * 1000 - Date.now()));
      if (proxy.hasExited()) throw new Error(`podgate exited: ${proxy.outputTail().slice(-400)}`);
      const s = await sample(proxy.pid, base, (Date.now() - t0) / 1000);
      samples.push(s);
      log(
        `soak: ${s.t.toFixed(0)} s RSS ${s.rssMiB.toFixed(1)} MiB (anon ${
          s.rssAnonMiB.toFixed(1)
        }), fds ${s.fds}, upstream ${s.upstreamConnections ?? "?"}`,
      );
    }
    const [loadResults, leaverCounts] = await Promise.all([loads, leaving]);
    const pngs = soakPngs(samples);
    const stem = out.replace(/\.md$/, "");
    await Deno.writeFile(`${stem}-rss.png`, pngs.rss);
    await Deno.writeFile(`${stem}-sockets.png`, pngs.sockets);
    await Deno.writeFile(`${stem}-throughput.png`, pngs.throughput);
    const name = (path: string) => path.split("/").at(-1)!;
    const parts = {
      started,
      machine: renderMachine(await describeMachine(root)),
      commit: Deno.env.get("SOAK_COMMIT") ?? await commit(),
      binary: bin.replace(`${root}/`, ""),
      durationS,
      intervalS,
      loads: loadResults,
      leavers: leaverCounts,
      samples,
      rssPng: name(`${stem}-rss.png`),
      socketsPng: name(`${stem}-sockets.png`),
      throughputPng: name(`${stem}-throughput.png`),
    };
    await Deno.writeTextFile(out, renderSoakReport(parts));
    // Every sample unsummarized, beside the report (git-ignored: *.raw).
    await Deno.writeTextFile(`${stem}.raw`, JSON.stringify(parts, null, 2));
    log(`soak: wrote ${out}`);
    return 0;
  } catch (error) {
    log(`soak: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await group.stopAll();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

Deno.exit(await main());
