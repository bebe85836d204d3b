import { assertEquals } from "@std/assert";
import { type RuleOutcome, type RuleStatus, summarize, summaryFields } from "./summary.ts";

const rule = (status: RuleStatus, registered = 0): RuleOutcome => ({
  rule: `r-${status}`,
  status,
  registered,
  deregistered: 0,
  reweighted: 0,
  adopted: 0,
  foreign: 0,
});
const meta = { dryRun: false, authFailure: undefined, calls: {}, durationMs: 1 };
const code = (...statuses: RuleStatus[]) => summarize(statuses.map((s) => rule(s)), meta).exitCode;

Deno.test("summarize() exits 0 in sync or applied, 1 failed or refused, 2 skipped or auth", () => {
  assertEquals(code("in_sync", "applied", "planned"), 0);
  assertEquals(code("applied", "failed"), 1);
  assertEquals(code("refused"), 1);
  assertEquals(code("applied", "skipped"), 2);
  assertEquals(code("failed", "skipped"), 2, "a rule that could not be read wins");
  assertEquals(summarize([rule("in_sync")], { ...meta, authFailure: "AuthFailure" }).exitCode, 2);
});

Deno.test("summaryFields() totals the pass and counts its write calls", () => {
  const fields = summaryFields(summarize([rule("applied", 3), rule("in_sync")], {
    ...meta,
    calls: {
      DescribeTargets: 2,
      BatchRegisterTargets: 1,
      RegisterTargets: 2,
      DescribeTaskStatus: 4,
    },
  }));
  assertEquals([fields.registered, fields.applied, fields.in_sync, fields.write_calls], [
    3,
    1,
    1,
    3,
  ]);
});
