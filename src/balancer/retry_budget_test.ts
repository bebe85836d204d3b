import { assert, assertEquals, assertThrows } from "@std/assert";
import { RetryBudget } from "./retry_budget.ts";

function withActive(budget: RetryBudget, n: number) {
  return Array.from({ length: n }, () => budget.startRequest());
}

/** How many retries the budget grants in a row at its current load. */
function grant(budget: RetryBudget): (() => void)[] {
  const slots: (() => void)[] = [];
  for (let slot = budget.tryRetry(); slot; slot = budget.tryRetry()) slots.push(slot);
  return slots;
}

Deno.test("RetryBudget allows retries up to 20% of active requests, 3 at least", () => {
  const table: [number, number][] = [[1, 3], [10, 3], [15, 3], [20, 4], [100, 20], [1_001, 200]];
  for (const [active, allowed] of table) {
    const budget = new RetryBudget();
    withActive(budget, active);
    assertEquals(grant(budget).length, allowed, `${active} active`);
  }
});

Deno.test("RetryBudget takes its percent and floor from options", () => {
  const budget = new RetryBudget({ percent: 50, minConcurrency: 0 });
  withActive(budget, 1);
  assertEquals(grant(budget).length, 0);
  withActive(budget, 9);
  assertEquals(grant(budget).length, 5);
});

Deno.test("RetryBudget frees a slot when a retry ends, and shrinks as requests end", () => {
  const budget = new RetryBudget();
  const ends = withActive(budget, 20);
  const slots = grant(budget);
  assertEquals(slots.length, 4);
  slots[0]!();
  slots[0]!(); // a second call must not free a second slot
  assertEquals(budget.retries, 3);
  assertEquals(grant(budget).length, 1);
  for (const end of ends.slice(0, 10)) end();
  assertEquals(budget.active, 10);
  assertEquals(budget.tryRetry(), undefined, "4 in flight is over max(3, 2)");
});

Deno.test("RetryBudget refuses a negative percent", () => {
  const error = assertThrows(() => new RetryBudget({ percent: -1 }), RangeError);
  assert(error.message.startsWith("Cannot create a retry budget"));
});
