// The bench's settings (BENCH_* environment variables, parsed at the edge) and its scenarios.
import { z } from "zod";

const duration = z.string().regex(/^\d+[smh]?$/, "expected a wrk duration such as 10s");
const list = z.string().transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));

export const settingsSchema = z.object({
  BENCH_DURATION: duration.default("10s"),
  BENCH_WARMUP: duration.default("2s"),
  BENCH_ROUNDS: z.coerce.number().int().min(1).default(3),
  BENCH_BACKEND: z.enum(["go", "podgate"]).default("go"),
  BENCH_POST_BYTES: z.coerce.number().int().min(1).default(1 << 20),
  BENCH_STARTUP_RUNS: z.coerce.number().int().min(0).default(30),
  BENCH_PEERS: list.optional(),
  BENCH_SCENARIOS: list.optional(),
  /** Defaults to 1, or 0 on a one-CPU machine. */
  BENCH_PROXY_CPU: z.string().optional(),
  BENCH_LOAD_CPU: z.string().default("0"),
  BENCH_OUT: z.string().default("bench/results/latest.md"),
});
export type Settings = z.output<typeof settingsSchema>;

export interface Scenario {
  id: string;
  title: string;
  path: string;
  connections: number;
  bodyBytes?: number;
  /** Each response carries at least this many bytes (checked, so a broken peer cannot look fast). */
  minResponseBytes?: number;
  /** Needs GET /1m, which only the Go backend serves. */
  goBackendOnly?: boolean;
}

export function scenarios(settings: Settings): Scenario[] {
  const post = settings.BENCH_POST_BYTES;
  const postSize = post % (1 << 20) === 0 ? `${post >> 20} MiB` : `${post} B`;
  const all: Scenario[] = [
    { id: "small-get", title: "Small GET (/ping), 64 connections", path: "/ping", connections: 64 },
    {
      id: "get-1m",
      title: "1 MiB GET response (/1m), 16 connections",
      path: "/1m",
      connections: 16,
      minResponseBytes: 1 << 20,
      goBackendOnly: true,
    },
    {
      id: "post-1m",
      title: `POST ${postSize} body echoed back (/echo), 16 connections`,
      path: "/echo",
      connections: 16,
      bodyBytes: post,
      minResponseBytes: post,
    },
  ];
  return all.filter((s) => !settings.BENCH_SCENARIOS || settings.BENCH_SCENARIOS.includes(s.id));
}

/** The command line that reproduces a run: the BENCH_* settings given, then the script. */
export function commandLine(env: Record<string, string>): string {
  const vars = Object.entries(env)
    .filter(([k]) => k in settingsSchema.shape)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${/^[\w.,:/-]*$/.test(v) ? v : JSON.stringify(v)}`);
  return [...vars, "scripts/bench"].join(" ");
}
