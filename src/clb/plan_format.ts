// A plan as a person reads it: `lb-abc/HTTP:80 example.com/api: +2 register, -1 deregister,
// 3 unchanged`, with weight changes, adoptions and foreign targets added when there are any.
import type { RulePlan } from "./plan.ts";

export function formatPlan(ruleKey: string, plan: RulePlan): string {
  let line =
    `${ruleKey}: +${plan.register.length} register, -${plan.deregister.length} deregister, ${plan.unchanged} unchanged`;
  if (plan.reweight.length) line += `, ~${plan.reweight.length} weight`;
  if (plan.adopt.length) line += `, ${plan.adopt.length} adopt`;
  if (plan.foreign) line += `, ${plan.foreign} foreign kept`;
  return line;
}
