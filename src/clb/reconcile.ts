// One sync pass: desired (Kubernetes) → actual (CLB) → plan (pure) → apply → readiness gates.
// A rule whose Deployment or CLB place cannot be read is skipped, never emptied; the others go
// on. Load balancers are handled in parallel, each one's writes in sequence. Once a load
// balancer's writes have finished, what it holds is read back, and the pods that ask for the gate
// get their condition from that — never from what the pass meant to write.
import type { KubeApi } from "../kube/api.ts";
import type { KubePatchApi } from "../kube/patch.ts";
import { type Logger, silentLogger } from "../log.ts";
import { isAuthFailure } from "./api.ts";
import { type ApplyItem, applyLoadBalancer } from "./apply.ts";
import { actualTargets, resolvePlace } from "./actual.ts";
import type { ClbClient } from "./clb_client.ts";
import { createDesiredReader, DEFAULT_GATE_TYPE, desiredTargets, type PodSet } from "./desired.ts";
import { gateStep } from "./gate_step.ts";
import { readViews } from "./gate_views.ts";
import type { RuleView } from "./gate.ts";
import { guardRefusal, hasChanges, planRule, type RulePlan } from "./plan.ts";
import { reportPlan } from "./plan_report.ts";
import { type RuleOutcome, summarize, type SyncResult } from "./summary.ts";
import type { ActualTarget, DesiredTarget, Place, RuleSpec } from "./types.ts";

export interface ReconcileOptions {
  dryRun?: boolean;
  /** Pass the deletion guard. */
  force?: boolean;
  adopt?: boolean;
  tag?: string;
  /** The deletion guard's limit: the share of a rule's targets one pass may take out. */
  maxDeleteShare?: number;
  /** Each Deployment read (Deployment, ReplicaSets, pods) gives up after this long. */
  kubeTimeoutMs?: number;
  /** The readiness gate's condition type (pods list it under spec.readinessGates). */
  gateType?: string;
  /** How long a leaving target sits at weight 0, for rules that do not set drain_seconds. */
  drainSeconds?: number;
  /** --watch: how soon to look again at a gate that still waits. */
  recheckMs?: number;
}

export interface ReconcileDeps {
  kube: KubeApi;
  /** Writes the gate's condition (pods/status); without it, no condition is written. */
  pods?: KubePatchApi | undefined;
  clb: ClbClient;
  logger?: Logger;
  now?: () => number;
  /** Told each Deployment's selector as it is read (--watch uses it to filter pod events). */
  onPodSet?: (namespace: string, podSet: PodSet) => void;
}

export interface Working {
  rule: RuleSpec;
  outcome: RuleOutcome;
  podSet?: PodSet;
  desired?: DesiredTarget[];
  place?: Place;
  /** The targets on the rule as read before this pass's writes. */
  actual?: ActualTarget[];
  plan?: RulePlan;
  /** What the gate goes by: the rule as read after this pass's writes. */
  view?: RuleView;
}

const newOutcome = (rule: RuleSpec): RuleOutcome => ({
  rule: rule.key,
  status: "in_sync",
  registered: 0,
  deregistered: 0,
  reweighted: 0,
  adopted: 0,
  foreign: 0,
});

export async function reconcile(
  rules: readonly RuleSpec[],
  deps: ReconcileDeps,
  options: ReconcileOptions = {},
): Promise<SyncResult> {
  const { kube, clb, logger = silentLogger, now = Date.now } = deps;
  const { dryRun = false, force = false, adopt = false, tag = "podgate" } = options;
  const { maxDeleteShare = 0.5, kubeTimeoutMs = 30_000, gateType = DEFAULT_GATE_TYPE } = options;
  const { drainSeconds = 10, recheckMs = 2_000 } = options;
  const started = now();
  const callsBefore = { ...clb.calls };
  const work: Working[] = rules.map((rule) => ({ rule, outcome: newOutcome(rule) }));
  let authFailure: string | undefined;

  const skip = (w: Working, reason: string) => {
    w.outcome.status = "skipped";
    w.outcome.reason = reason;
    logger.error("rule_skipped", { rule: w.rule.key, reason });
  };

  // Desired: every Deployment read once, all in parallel.
  const readPods = createDesiredReader(kube, { timeoutMs: kubeTimeoutMs, gateType });
  await Promise.all(work.map(async (w) => {
    try {
      const podSet = await readPods(w.rule.backend);
      deps.onPodSet?.(w.rule.backend.namespace, podSet);
      w.podSet = podSet;
      w.desired = desiredTargets(podSet.pods, w.rule.backend);
    } catch (error) {
      skip(w, `${(error as Error).message}; its targets are left as they are`);
    }
  }));

  // Actual: which load balancers exist, then each one's listeners and targets.
  const readable = work.filter((w) => w.desired);
  const lbIds = [...new Set(readable.map((w) => w.rule.loadBalancerId))];
  let existing = new Set<string>();
  if (lbIds.length) {
    try {
      existing = new Set((await clb.describeLoadBalancers(lbIds)).map((lb) => lb.LoadBalancerId));
    } catch (error) {
      if (isAuthFailure(error)) authFailure = (error as Error).message;
      for (const w of readable) skip(w, `cannot read load balancers: ${(error as Error).message}`);
    }
  }

  const perLb = Map.groupBy(
    readable.filter((w) => w.outcome.status !== "skipped"),
    (w) => w.rule.loadBalancerId,
  );
  await Promise.all([...perLb].map(async ([lbId, group]) => {
    if (!existing.has(lbId)) {
      for (const w of group) skip(w, `load balancer ${lbId} not found`);
      return;
    }
    try {
      await planLoadBalancer(lbId, group);
    } catch (error) {
      if (isAuthFailure(error)) authFailure = (error as Error).message;
      for (const w of group) {
        if (w.outcome.status === "in_sync" && !w.plan) {
          skip(w, `cannot read ${lbId}: ${(error as Error).message}`);
        }
      }
      return;
    }
    const wrote = dryRun ? false : await applyGroup(lbId, group);
    await readViews(clb, lbId, group, { reread: wrote, logger });
  }));

  async function planLoadBalancer(lbId: string, group: Working[]): Promise<void> {
    const listeners = await clb.describeListeners(lbId);
    for (const w of group) {
      const resolved = resolvePlace(w.rule, listeners);
      if (resolved.ok) w.place = resolved.place;
      else skip(w, resolved.reason);
    }
    const placed = group.filter((w) => w.place);
    if (!placed.length) return;
    const listenerIds = [...new Set(placed.map((w) => w.place!.listenerId))];
    const bound = await clb.describeTargets(lbId, listenerIds);
    for (const w of placed) {
      w.actual = actualTargets(bound, w.place!) ?? [];
      const drainMs = (w.rule.backend.drainSeconds ?? drainSeconds) * 1000;
      const base = { tag, adopt, now: now(), drainMs };
      const wanted = planRule(w.desired!, w.actual, base);
      const refusal = force ? undefined : guardRefusal(wanted, maxDeleteShare);
      // The plan as wanted is printed; refused, the one applied is the same plan, but no serving
      // target leaves (registrations still happen).
      reportPlan(logger, w.rule.key, wanted, dryRun);
      const plan = refusal
        ? planRule(w.desired!, w.actual, { ...base, allowLeave: false })
        : wanted;
      w.plan = plan;
      w.outcome.foreign = plan.foreign;
      w.outcome.draining = plan.waiting;
      if (hasChanges(plan)) w.outcome.status = dryRun ? "planned" : "applied";
      if (refusal) {
        w.outcome.status = "refused";
        w.outcome.reason = `deletion guard: ${refusal}; rerun with --force if that is intended`;
        logger.error("deletion_refused", { rule: w.rule.key, reason: w.outcome.reason });
      }
    }
  }

  /** Applies the group's plans; says whether anything was sent. */
  async function applyGroup(lbId: string, group: Working[]): Promise<boolean> {
    const items: ApplyItem[] = group.filter((w) => w.plan && hasChanges(w.plan)).map((w) => ({
      rule: w.rule,
      place: w.place!,
      plan: w.plan!,
    }));
    if (!items.length) return false;
    try {
      const results = await applyLoadBalancer(clb, lbId, items, { tag, logger, now });
      for (const w of group) {
        const result = results.get(w.rule.key);
        if (!result) continue;
        Object.assign(w.outcome, {
          registered: result.registered,
          deregistered: result.deregistered,
          reweighted: result.reweighted,
          adopted: result.adopted,
          drained: result.ok ? w.plan!.drain.length : 0,
        });
        if (!result.ok) {
          w.outcome.status = "failed";
          w.outcome.reason = result.errors.join("; ");
        } else if (w.outcome.status !== "refused") w.outcome.status = "applied";
      }
    } catch (error) {
      // AuthFailure mid-apply: nothing more can be written on this load balancer.
      const message = (error as Error).message;
      if (isAuthFailure(error)) authFailure = message;
      else logger.error("apply_crashed", { lb: lbId, error, stack: (error as Error)?.stack });
      for (const item of items) {
        const w = group.find((g) => g.rule === item.rule)!;
        w.outcome.status = "failed";
        w.outcome.reason = message;
      }
    }
    return true;
  }

  const gates = await gateStep(work, { pods: deps.pods, gateType, dryRun, logger, now });

  const calls: Record<string, number> = {};
  for (const [action, n] of Object.entries(clb.calls)) {
    const delta = n - (callsBefore[action] ?? 0);
    if (delta) calls[action] = delta;
  }
  const removals = work.map((w) => w.plan?.nextRemovalAt).filter((t) => t !== undefined);
  let nextPassInMs = removals.length ? Math.max(0, Math.min(...removals) - now()) : undefined;
  if (gates && (gates.waiting > 0 || gates.failed > 0)) {
    nextPassInMs = Math.min(nextPassInMs ?? recheckMs, recheckMs);
  }
  return summarize(work.map((w) => w.outcome), {
    dryRun,
    authFailure,
    calls,
    durationMs: now() - started,
    gates,
    nextPassInMs,
  });
}
