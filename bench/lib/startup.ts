// Start-up time with hyperfine: from exec of the compiled binary (static discovery) to the first
// proxied 200, via bench/startup.sh; a probe-only baseline measures what the probe itself costs.
import { z } from "zod";
import type { BenchContext } from "./peers.ts";

const exportSchema = z.object({
  results: z.array(z.object({
    command: z.string(),
    mean: z.number(),
    stddev: z.number().nullable(),
    median: z.number(),
    min: z.number(),
    max: z.number(),
  })),
});

export interface StartupCase {
  name: string;
  command: string;
  meanMs: number;
  stddevMs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

export interface StartupResult {
  runs: number;
  cases: StartupCase[];
}

export async function measureStartup(
  ctx: BenchContext,
  { port, runs }: { port: number; runs: number },
): Promise<StartupResult> {
  const probe = `bash ${ctx.root}/bench/startup.sh`;
  const cases = [
    {
      name: "probe only (baseline, a running backend)",
      command: `${probe} ${ctx.backends[0]!.split(":")[1]}`,
    },
    { name: "dist/podgate proxy", command: `${probe} ${port} ${ctx.root}/dist/podgate proxy` },
    {
      name: "minimal Bun proxy (bun run of the .ts, for reference)",
      command:
        `${probe} ${port} ${ctx.root}/tools/node_modules/.bin/bun ${ctx.root}/bench/bun_minimal_proxy.ts`,
    },
  ];
  const out = `${ctx.tmp}/hyperfine.json`;
  const args = ["hyperfine", "-N", "--style", "basic", "--warmup", "3", "--runs", String(runs)];
  args.push("--export-json", out, ...cases.map((c) => c.command));
  const { code, output } = await ctx.group.run("hyperfine", args, {
    cpu: ctx.loadCpu,
    cwd: ctx.tmp, // no ./config.json to pick up by accident
    env: {
      STARTUP_CPU: ctx.proxyCpu,
      PODGATE_DISCOVERY: "static",
      PODGATE_BACKENDS: ctx.backends.join(","),
      PODGATE_PORT: String(port),
      PODGATE_HOSTNAME: "127.0.0.1",
      PORT: String(port),
      BACKENDS: ctx.backends.join(","),
    },
  });
  if (code !== 0) throw new Error(`hyperfine exited with ${code}: ${output.slice(-500)}`);
  const parsed = exportSchema.parse(JSON.parse(await Deno.readTextFile(out)));
  const ms = (s: number) => s * 1000;
  return {
    runs,
    cases: parsed.results.map((r, i) => ({
      name: cases[i]?.name ?? r.command,
      command: r.command,
      meanMs: ms(r.mean),
      stddevMs: ms(r.stddev ?? 0),
      medianMs: ms(r.median),
      minMs: ms(r.min),
      maxMs: ms(r.max),
    })),
  };
}

/** The podgate start-up figure: its median minus the probe's own median. */
export function podgateStartupMs(result: StartupResult): number | undefined {
  const [baseline, podgate] = result.cases;
  return baseline && podgate ? Math.max(0, podgate.medianMs - baseline.medianMs) : undefined;
}

export function renderStartup(result: StartupResult): string {
  const lines = [
    `| command | mean ± σ | median | min | max |`,
    `|---|---:|---:|---:|---:|`,
    ...result.cases.map((c) =>
      `| ${c.name} | ${c.meanMs.toFixed(1)} ± ${c.stddevMs.toFixed(1)} ms | ${
        c.medianMs.toFixed(1)
      } ms | ${c.minMs.toFixed(1)} ms | ${c.maxMs.toFixed(1)} ms |`
    ),
  ];
  const net = podgateStartupMs(result);
  if (net !== undefined) {
    lines.push(
      "",
      `podgate start-up (exec → first proxied 200), probe cost subtracted: **${
        net.toFixed(1)
      } ms** (median of ${result.runs} runs).`,
    );
  }
  return lines.join("\n");
}
