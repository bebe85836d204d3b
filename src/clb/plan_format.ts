// A plan as a person reads it: `lb-abc/HTTP:80 example.com/api: +2 register, -1 deregister,
// 3 unchanged`, with drains, weight changes, adoptions and foreign targets added when there are.
import type { RulePlan } from "./plan.ts";

export function formatPlan(ruleKey: string, plan: RulePlan): string {
  let line =
    `${ruleKey}: +${plan.register.length} register, -${plan.deregister.length} deregister, ${plan.unchanged} unchanged`;
  const weights = plan.reweight.length - plan.drain.length;
  if (plan.drain.length) line += `, ${plan.drain.length} to drain`;
  if (plan.waiting) line += `, ${plan.waiting} draining`;
  if (weights) line += `, ~${weights} weight`;
  if (plan.adopt.length) line += `, ${plan.adopt.length} adopt`;
  if (plan.held) line += `, ${plan.held} held by the guard`;
  if (plan.foreign) line += `, ${plan.foreign} foreign kept`;
  return line;
}
