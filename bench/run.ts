// The benchmark: podgate next to nginx, HAProxy, Go's httputil.ReverseProxy, a minimal Bun proxy
// and direct-to-backend, in interleaved rounds, each proxy pinned to its own core. Run it through
// scripts/bench (`deno task bench`), which installs the tools and builds dist/podgate first.
import { describeMachine, renderMachine } from "./lib/machine.ts";
import { describeSample, measure, type MeasureContext } from "./lib/measure.ts";
import { freePort, PEERS, startBackend, waitForPing } from "./lib/peers.ts";
import { ProcessGroup } from "./lib/process_group.ts";
import { renderReport, type ScenarioTable } from "./lib/render_report.ts";
import { renderTable } from "./lib/render_table.ts";
import { writeRssPlots } from "./lib/rss_plots.ts";
import { commandLine, scenarios, type Settings, settingsSchema } from "./lib/settings.ts";
import { measureStartup, podgateStartupMs, renderStartup } from "./lib/startup.ts";
import { type Row, type Sample, summarize } from "./lib/summarize.ts";
import { checkIssue15Targets, checkTargets, renderTargets } from "./lib/targets.ts";

const log = (line: string) => console.error(line);
const message = (error: unknown) => error instanceof Error ? error.message : String(error);

async function clockTicksPerSecond(): Promise<number> {
  const { stdout } = await new Deno.Command("getconf", { args: ["CLK_TCK"] }).output();
  return Number(new TextDecoder().decode(stdout).trim()) || 100;
}

/** Three backends on the load core; the run cannot go on without them. */
async function startBackends(ctx: MeasureContext): Promise<void> {
  for (let i = 1; i <= 3; i++) {
    const port = freePort();
    const backend = await startBackend(ctx, ctx.settings.BENCH_BACKEND, i, port);
    await waitForPing(`http://127.0.0.1:${port}`, backend);
    ctx.backends.push(`127.0.0.1:${port}`);
  }
  log(`bench: backends (${ctx.settings.BENCH_BACKEND}) on ${ctx.backends.join(", ")}`);
}

/** Every scenario, rounds interleaved; counts failed measurements into `failures`. */
async function runScenarios(ctx: MeasureContext, failures: { count: number }) {
  const { settings } = ctx;
  const peers = PEERS.filter((p) =>
    (settings.BENCH_PEERS ? settings.BENCH_PEERS.includes(p.id) : p.id !== "podgate-base") &&
    (p.id !== "podgate-base" || Deno.env.get("PODGATE_BASE_BIN"))
  );
  const tables: ScenarioTable[] = [];
  for (const scenario of scenarios(settings)) {
    if (scenario.goBackendOnly && settings.BENCH_BACKEND !== "go") {
      tables.push({
        scenario,
        rows: [],
        skipped: "Skipped: `podgate backend` has no 1 MiB route.",
      });
      continue;
    }
    const samples = new Map(peers.map((p) => [p.id, [] as Sample[]]));
    for (let round = 1; round <= settings.BENCH_ROUNDS; round++) {
      // Rotate the order each round so no peer always runs right after the same neighbour.
      const order = peers.map((_, i) => peers[(i + round - 1) % peers.length]!);
      for (const peer of order) {
        const sample = await measure(ctx, peer, scenario, round);
        if (!sample.ok) failures.count++;
        samples.get(peer.id)!.push(sample);
        log(
          `[${scenario.id} ${round}/${settings.BENCH_ROUNDS}] ${peer.id}: ${
            describeSample(sample)
          }`,
        );
      }
    }
    const rows = summarize(samples);
    tables.push({ scenario, rows, samples: Object.fromEntries(samples) });
    console.log(`\n## ${scenario.title}\n\n${renderTable(rows)}\n`);
  }
  return tables;
}

async function runStartup(ctx: MeasureContext, failures: { count: number }) {
  if (ctx.settings.BENCH_STARTUP_RUNS === 0) return undefined;
  try {
    const result = await measureStartup(ctx, {
      port: freePort(),
      runs: ctx.settings.BENCH_STARTUP_RUNS,
    });
    console.log(`\n## Start-up (hyperfine)\n\n${renderStartup(result)}\n`);
    return result;
  } catch (error) {
    failures.count++;
    log(`bench: start-up measurement failed: ${message(error)}`);
    return message(error);
  }
}

async function main(settings: Settings): Promise<number> {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const started = new Date();
  const tmp = await Deno.makeTempDir({ prefix: "podgate-bench-" });
  const group = new ProcessGroup();
  const failures = { count: 0 };

  const stopOnSignal = (sig: Deno.Signal, code: number) =>
    Deno.addSignalListener(sig, async () => {
      log(`\nbench: ${sig}, stopping everything it started`);
      await group.stopAll(500);
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
      Deno.exit(code);
    });
  stopOnSignal("SIGINT", 130);
  stopOnSignal("SIGTERM", 143);
  globalThis.addEventListener("unload", () => group.killAllNow());

  try {
    const info = await describeMachine(root);
    const machine = renderMachine(info);
    log(machine);
    if (info.nproc < 2) log("bench: fewer than 2 CPUs; proxy and load share a core");
    const ctx: MeasureContext = {
      root,
      tmp,
      group,
      proxyCpu: settings.BENCH_PROXY_CPU ?? (info.nproc < 2 ? "0" : "1"),
      loadCpu: settings.BENCH_LOAD_CPU,
      backends: [],
      settings,
      ticks: await clockTicksPerSecond(),
    };
    await startBackends(ctx);
    const tables = await runScenarios(ctx, failures);
    const startup = await runStartup(ctx, failures);

    const rowsByScenario = new Map<string, Row[]>(tables.map((t) => [t.scenario.id, t.rows]));
    const startupMs = typeof startup === "object" ? podgateStartupMs(startup) : undefined;
    const targets = renderTargets(checkTargets(rowsByScenario, startupMs));
    console.log(`\n## podgate against the targets of issue 6\n\n${targets}\n`);
    const targets15 = renderTargets(checkIssue15Targets(rowsByScenario, startupMs));
    console.log(`\n## podgate against the targets of issue 15\n\n${targets15}\n`);
    const command = commandLine(Deno.env.toObject());
    const out = settings.BENCH_OUT.startsWith("/")
      ? settings.BENCH_OUT
      : `${root}/${settings.BENCH_OUT}`;
    const rssPlots = await writeRssPlots(tables, out.replace(/\.md$/, ""));
    const report = renderReport({
      settings,
      ctx,
      command,
      machine,
      tables,
      startup,
      targets,
      targets15,
      started,
      rssPlots,
    });
    await Deno.writeTextFile(out, report);
    // Every measurement, unsummarized, beside the report (git-ignored: *.raw).
    const raw = { started, command, settings, machine: info, tables, startup };
    await Deno.writeTextFile(out.replace(/(\.md)?$/, ".raw"), JSON.stringify(raw, null, 2));
    const failed = failures.count ? `; ${failures.count} measurement(s) failed` : "";
    log(`bench: wrote ${out}${failed}`);
    return failures.count ? 1 : 0;
  } catch (error) {
    log(`bench: ${message(error)}`);
    return 1;
  } finally {
    await group.stopAll();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

const parsed = settingsSchema.safeParse(Deno.env.toObject());
if (!parsed.success) {
  for (const issue of parsed.error.issues) log(`bench: ${issue.path.join(".")}: ${issue.message}`);
  Deno.exit(2);
}
Deno.exit(await main(parsed.data));
