// --watch's numbers in the Prometheus text format: passes and their outcome, targets changed,
// readiness-gate conditions written and pods waiting, API requests by action and outcome, pod
// watch restarts.
import type { SyncResult } from "./summary.ts";

type Labels = Record<string, string>;

class Counter {
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  inc(labels: Labels, by = 1): void {
    const key = JSON.stringify(labels);
    const entry = this.#values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.#values.set(key, entry);
  }
  entries() {
    return [...this.#values.values()];
  }
}

const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labelText = (labels: Labels) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
};

export class ClbSyncMetrics {
  readonly #passes = new Counter();
  readonly #targets = new Counter();
  readonly #requests = new Counter();
  readonly #restarts = new Counter();
  readonly #gatePatches = new Counter();
  #gatePods = new Map<string, number>();
  #rules = new Map<string, number>();
  #lastPass = 0;
  #lastSuccess = 0;
  #lastDuration = 0;

  /** Records a finished pass; `at` in ms since the epoch. */
  recordPass(result: SyncResult, at: number): void {
    this.#passes.inc({ exit_code: String(result.exitCode) });
    this.#lastPass = at;
    this.#lastDuration = result.durationMs;
    if (result.exitCode === 0) this.#lastSuccess = at;
    const rules = new Map<string, number>();
    for (const rule of result.rules) {
      rules.set(rule.status, (rules.get(rule.status) ?? 0) + 1);
      for (
        const field of ["registered", "deregistered", "reweighted", "adopted", "drained"] as const
      ) {
        if (rule[field]) this.#targets.inc({ change: field }, rule[field]);
      }
    }
    this.#rules = rules;
    const gates = result.gates;
    if (gates) {
      if (gates.patched) this.#gatePatches.inc({ outcome: "ok" }, gates.patched);
      if (gates.failed) this.#gatePatches.inc({ outcome: "failed" }, gates.failed);
      this.#gatePods = new Map([["ready", gates.ready], ["waiting", gates.waiting]]);
    }
  }

  observeRequest(action: string, outcome: string): void {
    this.#requests.inc({ action, outcome });
  }

  watchRestart(reason: string): void {
    this.#restarts.inc({ reason });
  }

  get lastPassAt(): number {
    return this.#lastPass;
  }

  render(): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string, rows: Array<[Labels, number]>) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of rows) out.push(`${name}${labelText(labels)} ${value}`);
    };
    const rows = (c: Counter) => c.entries().map((e) => [e.labels, e.value] as [Labels, number]);
    family(
      "podgate_clb_sync_passes_total",
      "counter",
      "Sync passes by exit code.",
      rows(this.#passes),
    );
    family(
      "podgate_clb_sync_rules",
      "gauge",
      "Rules by status after the last pass.",
      [...this.#rules].map(([status, n]) => [{ status }, n]),
    );
    family(
      "podgate_clb_sync_targets_changed_total",
      "counter",
      "Targets changed on the CLB.",
      rows(this.#targets),
    );
    family(
      "podgate_clb_sync_gate_patches_total",
      "counter",
      "Readiness-gate conditions written to pods/status, by outcome.",
      rows(this.#gatePatches),
    );
    family(
      "podgate_clb_sync_gate_pods",
      "gauge",
      "Pods asking for the readiness gate after the last pass: ready, or containers ready and waiting.",
      [...this.#gatePods].map(([state, n]) => [{ state }, n]),
    );
    family(
      "podgate_clb_api_requests_total",
      "counter",
      "CLB API requests by action and outcome.",
      rows(this.#requests),
    );
    family(
      "podgate_clb_sync_pod_watch_restarts_total",
      "counter",
      "Pod watch restarts by reason.",
      rows(this.#restarts),
    );
    family("podgate_clb_sync_last_pass_timestamp_seconds", "gauge", "When the last pass ended.", [[
      {},
      this.#lastPass / 1000,
    ]]);
    family(
      "podgate_clb_sync_last_success_timestamp_seconds",
      "gauge",
      "When the last pass with exit code 0 ended.",
      [[{}, this.#lastSuccess / 1000]],
    );
    family("podgate_clb_sync_last_pass_duration_seconds", "gauge", "How long the last pass took.", [
      [{}, this.#lastDuration / 1000],
    ]);
    return out.join("\n") + "\n";
  }
}
