// A rule's plan in the log, before anything is written: the plan line (a warning when targets
// leave), then one line per target change — registrations, drains (warnings), weight changes,
// adoptions, deregistrations (warnings) — and the pods a foreign target blocks.
import type { Logger } from "../log.ts";
import type { RulePlan } from "./plan.ts";
import { formatPlan } from "./plan_format.ts";
import { targetKey } from "./types.ts";

export function reportPlan(logger: Logger, rule: string, plan: RulePlan, dryRun: boolean): void {
  const counts = {
    register: plan.register.length,
    deregister: plan.deregister.length,
    drain: plan.drain.length,
    draining: plan.waiting,
    weight: plan.reweight.length - plan.drain.length,
    adopt: plan.adopt.length,
    unchanged: plan.unchanged,
    foreign: plan.foreign,
  };
  const level = plan.deregister.length || plan.drain.length ? "warn" : "info";
  const text = formatPlan(rule, plan);
  logger[level]("plan", { rule, text, dry_run: dryRun || undefined, ...counts });
  const at = (t: { ip: string; port: number }) => targetKey(t.ip, t.port);
  for (const t of plan.register) logger.info("register", { rule, target: at(t), weight: t.weight });
  // A drain is the first step of a removal: a warning, as deregistrations are.
  const draining = new Set(plan.drain.map(at));
  for (const t of plan.reweight) {
    const drain = draining.has(at(t));
    logger[drain ? "warn" : "info"](drain ? "drain" : "reweight", {
      rule,
      target: at(t),
      weight: t.weight,
    });
  }
  for (const t of plan.adopt) logger.info("adopt", { rule, target: at(t) });
  for (const t of plan.deregister) {
    logger.warn("deregister", { rule, target: at(t), weight: t.weight });
  }
  for (const target of plan.blocked) {
    logger.warn("target_held_by_foreign", {
      rule,
      target,
      detail:
        "a target podgate does not own is bound at this address; --adopt takes untagged ones over",
    });
  }
}
