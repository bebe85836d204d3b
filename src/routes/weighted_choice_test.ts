import { assertEquals } from "../../tests/support/assert.ts";
import { WeightedChoice } from "./weighted_choice.ts";

function counts(choice: WeightedChoice<string>, n: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const item = choice.next() ?? "none";
    out[item] = (out[item] ?? 0) + 1;
  }
  return out;
}

Deno.test("WeightedChoice.next() splits 80/20 exactly over every 5 picks", () => {
  const choice = new WeightedChoice(["stable", "canary"], [80, 20]);
  assertEquals(counts(choice, 5), { stable: 4, canary: 1 });
  assertEquals(counts(choice, 2000), { stable: 1600, canary: 400 });
});

Deno.test("WeightedChoice.next() interleaves rather than bursting (smooth)", () => {
  const choice = new WeightedChoice(["a", "b", "c"], [5, 1, 1]);
  const order = Array.from({ length: 7 }, () => choice.next());
  assertEquals(order, ["a", "a", "b", "a", "c", "a", "a"]);
});

Deno.test("WeightedChoice.next() never picks weight 0, and has nothing when all are 0", () => {
  assertEquals(counts(new WeightedChoice(["a", "b"], [0, 3]), 6), { b: 6 });
  assertEquals(new WeightedChoice(["a", "b"], [0, 0]).next(), undefined);
  assertEquals(new WeightedChoice(["only"], [1]).next(), "only");
});
