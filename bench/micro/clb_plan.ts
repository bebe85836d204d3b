// CLB planning cost, issue 6: the pure plan for 50 rules × 1,000 pods (desired against actual,
// with a 10% churn), excluding API latency. Run: deno run -A bench/micro/clb_plan.ts (or bun run …).
import process from "node:process";
import { planRule } from "../../src/clb/plan.ts";
import type { ActualTarget, DesiredTarget } from "../../src/clb/types.ts";

const RULES = 50;
const PODS = 1_000;
const ip = (rule: number, i: number) => `10.${rule}.${Math.floor(i / 250)}.${i % 250}`;

const inputs = Array.from({ length: RULES }, (_, rule) => {
  const desired: DesiredTarget[] = Array.from({ length: PODS }, (_, i) => ({
    ip: ip(rule, i),
    port: 8080,
    weight: 10,
    pod: `pod-${rule}-${i}`,
    draining: i % 50 === 0,
  }));
  // The CLB holds last minute's set: 10% of pods replaced since, plus a few foreign targets.
  const actual: ActualTarget[] = Array.from({ length: PODS }, (_, i) => ({
    ip: i % 10 === 0 ? ip(rule, i + PODS) : ip(rule, i),
    port: 8080,
    weight: 10,
    type: "ENI",
    tag: "podgate",
  }));
  actual.push({
    ip: "172.16.0.1",
    port: 8080,
    weight: 10,
    type: "CVM",
    tag: "",
    instanceId: "ins-1",
  });
  return { desired, actual };
});

const runs: number[] = [];
let changes = 0;
for (let run = 0; run < 5; run++) {
  const before = process.cpuUsage();
  for (const { desired, actual } of inputs) {
    const plan = planRule(desired, actual, { tag: "podgate", adopt: false });
    changes += plan.register.length + plan.deregister.length + plan.reweight.length;
  }
  const used = process.cpuUsage(before);
  runs.push((used.user + used.system) / 1000);
}
runs.sort((a, b) => a - b);
console.log(
  `CLB planning, ${RULES} rules × ${PODS} pods: CPU ${runs[2]!.toFixed(1)} ms median of 5 ` +
    `(min ${runs[0]!.toFixed(1)}, max ${runs[4]!.toFixed(1)}); ${
      changes / 5
    } changes per pass (target ≤ 200 ms)`,
);
