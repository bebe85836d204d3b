// One sync pass: desired (Kubernetes) → actual (CLB) → plan (pure) → apply. A rule whose
// Deployment or CLB place cannot be read is skipped, never emptied; the others go on. Load
// balancers are handled in parallel, each one's writes in sequence.
import type { KubeApi } from "../kube/api.ts";
import { type Logger, silentLogger } from "../log.ts";
import { isAuthFailure } from "./api.ts";
import { type ApplyItem, applyLoadBalancer } from "./apply.ts";
import { actualTargets, resolvePlace } from "./actual.ts";
import type { ClbClient } from "./clb_client.ts";
import { createDesiredReader, desiredTargets, type PodSet } from "./desired.ts";
import { guardRefusal, hasChanges, planRule, type RulePlan } from "./plan.ts";
import { formatPlan } from "./plan_format.ts";
import { type RuleOutcome, summarize, type SyncResult } from "./summary.ts";
import { type DesiredTarget, type Place, type RuleSpec, targetKey } from "./types.ts";

export interface ReconcileOptions {
  dryRun?: boolean;
  /** Pass the deletion guard. */
  force?: boolean;
  adopt?: boolean;
  tag?: string;
  /** The deletion guard's limit: the share of a rule's targets one pass may remove. */
  maxDeleteShare?: number;
  /** Each Deployment read (Deployment, ReplicaSets, pods) gives up after this long. */
  kubeTimeoutMs?: number;
}

export interface ReconcileDeps {
  kube: KubeApi;
  clb: ClbClient;
  logger?: Logger;
  now?: () => number;
  /** Told each Deployment's selector as it is read (--watch uses it to filter pod events). */
  onPodSet?: (namespace: string, podSet: PodSet) => void;
}

interface Working {
  rule: RuleSpec;
  outcome: RuleOutcome;
  desired?: DesiredTarget[];
  place?: Place;
  plan?: RulePlan;
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
  const { maxDeleteShare = 0.5, kubeTimeoutMs = 30_000 } = options;
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
  const readPods = createDesiredReader(kube, { timeoutMs: kubeTimeoutMs });
  await Promise.all(work.map(async (w) => {
    try {
      const podSet = await readPods(w.rule.backend);
      deps.onPodSet?.(w.rule.backend.namespace, podSet);
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
    if (dryRun) return;
    const items: ApplyItem[] = group.filter((w) => w.plan && hasChanges(w.plan)).map((w) => ({
      rule: w.rule,
      place: w.place!,
      plan: w.plan!,
      allowDeregister: w.outcome.status !== "refused",
    }));
    if (!items.length) return;
    try {
      const results = await applyLoadBalancer(clb, lbId, items, { tag, logger });
      for (const w of group) {
        const result = results.get(w.rule.key);
        if (!result) continue;
        Object.assign(w.outcome, {
          registered: result.registered,
          deregistered: result.deregistered,
          reweighted: result.reweighted,
          adopted: result.adopted,
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
      const actual = actualTargets(bound, w.place!) ?? [];
      w.plan = planRule(w.desired!, actual, { tag, adopt });
      report(w, w.plan);
    }
  }

  function report(w: Working, plan: RulePlan): void {
    const key = w.rule.key;
    w.outcome.foreign = plan.foreign;
    if (hasChanges(plan)) w.outcome.status = dryRun ? "planned" : "applied";
    const text = formatPlan(key, plan);
    const counts = {
      register: plan.register.length,
      deregister: plan.deregister.length,
      weight: plan.reweight.length,
      adopt: plan.adopt.length,
      unchanged: plan.unchanged,
      foreign: plan.foreign,
    };
    const level = plan.deregister.length ? "warn" : "info";
    logger[level]("plan", { rule: key, text, dry_run: dryRun || undefined, ...counts });
    for (const t of plan.register) {
      logger.info("register", { rule: key, target: targetKey(t.ip, t.port), weight: t.weight });
    }
    for (const t of plan.reweight) {
      logger.info(t.weight === 0 ? "drain" : "reweight", {
        rule: key,
        target: targetKey(t.ip, t.port),
        weight: t.weight,
      });
    }
    for (const t of plan.adopt) {
      logger.info("adopt", { rule: key, target: targetKey(t.ip, t.port) });
    }
    for (const t of plan.deregister) {
      logger.warn("deregister", { rule: key, target: targetKey(t.ip, t.port), weight: t.weight });
    }
    for (const target of plan.blocked) {
      logger.warn("target_held_by_foreign", {
        rule: key,
        target,
        detail:
          "a target podgate does not own is bound at this address; --adopt takes untagged ones over",
      });
    }
    const refusal = force ? undefined : guardRefusal(plan, maxDeleteShare);
    if (refusal) {
      w.outcome.status = "refused";
      w.outcome.reason = `deletion guard: ${refusal}; rerun with --force if that is intended`;
      logger.error("deletion_refused", { rule: key, reason: w.outcome.reason });
    }
  }

  const calls: Record<string, number> = {};
  for (const [action, n] of Object.entries(clb.calls)) {
    const delta = n - (callsBefore[action] ?? 0);
    if (delta) calls[action] = delta;
  }
  return summarize(work.map((w) => w.outcome), {
    dryRun,
    authFailure,
    calls,
    durationMs: now() - started,
  });
}
