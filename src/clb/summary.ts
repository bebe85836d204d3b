// What a pass did, rule by rule and in total, and the exit code it earns: 0 in sync or applied
// (a dry run too), 1 an apply failed, a readiness-gate patch failed or the deletion guard
// refused, 2 credentials rejected or a rule could not be read (those rules were skipped; the
// others were still applied).

export type RuleStatus =
  | "in_sync"
  | "applied"
  | "planned"
  | "refused"
  | "failed"
  | "skipped";

export interface RuleOutcome {
  rule: string;
  status: RuleStatus;
  reason?: string;
  registered: number;
  deregistered: number;
  reweighted: number;
  adopted: number;
  foreign: number;
  /** Serving targets taken to weight 0 this pass. */
  drained?: number;
  /** Targets drained earlier, still waiting for their pod to go or for drainSeconds. */
  draining?: number;
}

/** The readiness gate's part of a pass. */
export interface GateSummary {
  /** Pods that ask for the gate. */
  pods: number;
  /** Of those, the ones whose condition is True after the pass. */
  ready: number;
  /** Conditions written this pass (a dry run: that would be). */
  patched: number;
  failed: number;
  /** Pods whose containers are ready but whose condition is not True yet. */
  waiting: number;
}

export interface SyncResult {
  exitCode: 0 | 1 | 2;
  dryRun: boolean;
  rules: RuleOutcome[];
  /** The AuthFailure message, when the API rejected the credentials. */
  authFailure: string | undefined;
  /** API requests this pass sent, by action (retries included). */
  calls: Record<string, number>;
  durationMs: number;
  gates?: GateSummary | undefined;
  /** --watch: run the next pass this soon (a drain comes due, a gate still waits). */
  nextPassInMs?: number | undefined;
}

export function summarize(
  rules: RuleOutcome[],
  meta: Omit<SyncResult, "rules" | "exitCode">,
): SyncResult {
  const has = (status: RuleStatus) => rules.some((r) => r.status === status);
  const exitCode = meta.authFailure !== undefined || has("skipped")
    ? 2
    : has("failed") || has("refused") || (meta.gates?.failed ?? 0) > 0
    ? 1
    : 0;
  return { ...meta, rules, exitCode };
}

const WRITES = /^(Batch)?(Register|Deregister|Modify)/;

/** The fields of the one JSON summary line a pass ends with. */
export function summaryFields(result: SyncResult): Record<string, unknown> {
  const count = (status: RuleStatus) => result.rules.filter((r) => r.status === status).length;
  const sum = (
    field: "registered" | "deregistered" | "reweighted" | "adopted" | "foreign" | "drained",
  ) => result.rules.reduce((n, r) => n + (r[field] ?? 0), 0);
  const writeCalls = Object.entries(result.calls).filter(([action]) => WRITES.test(action))
    .reduce((n, [, c]) => n + c, 0);
  return {
    exit_code: result.exitCode,
    dry_run: result.dryRun,
    rules: result.rules.length,
    in_sync: count("in_sync"),
    applied: count("applied"),
    planned: count("planned"),
    refused: count("refused"),
    failed: count("failed"),
    skipped: count("skipped"),
    registered: sum("registered"),
    deregistered: sum("deregistered"),
    reweighted: sum("reweighted"),
    adopted: sum("adopted"),
    drained: sum("drained"),
    foreign_kept: sum("foreign"),
    gates: result.gates,
    api_calls: result.calls,
    write_calls: writeCalls,
    duration_ms: result.durationMs,
    auth_failure: result.authFailure,
  };
}
