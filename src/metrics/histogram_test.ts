import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { parsePromText, sampleValue } from "../../tests/support/prom_text.ts";
import { Histogram } from "./histogram.ts";

function samples(histogram: Histogram) {
  const out: string[] = [];
  histogram.render(out);
  return parsePromText(out.join(""));
}

Deno.test("Histogram.render() counts each observation in every bucket at or above it", () => {
  const histogram = new Histogram({ name: "h", help: "H.", buckets: [0.01, 0.1, 1] });
  for (const v of [0, 0.01, 0.010001, 0.1, 0.5, 1, 1.5, 100]) histogram.observe(v);
  const s = samples(histogram);
  // A bound is inclusive: 0.01 lands in le="0.01", 0.010001 in le="0.1".
  assertEquals(sampleValue(s, "h_bucket", { le: "0.01" }), 2);
  assertEquals(sampleValue(s, "h_bucket", { le: "0.1" }), 4);
  assertEquals(sampleValue(s, "h_bucket", { le: "1" }), 6);
  assertEquals(sampleValue(s, "h_bucket", { le: "+Inf" }), 8);
  assertEquals(sampleValue(s, "h_count"), 8);
  assertEquals(sampleValue(s, "h_sum"), 0 + 0.01 + 0.010001 + 0.1 + 0.5 + 1 + 1.5 + 100);
});

Deno.test("Histogram.render() shows zero buckets for an unlabeled histogram never observed", () => {
  const s = samples(new Histogram({ name: "h", help: "H.", buckets: [1] }));
  assertEquals(s.map((x) => [x.name, x.labels, x.value]), [
    ["h_bucket", { le: "1" }, 0],
    ["h_bucket", { le: "+Inf" }, 0],
    ["h_sum", {}, 0],
    ["h_count", {}, 0],
  ]);
});

Deno.test("Histogram.labels() keeps a series per label set with its own buckets", () => {
  const histogram = new Histogram({ name: "h", help: "H.", labelNames: ["b"], buckets: [1] });
  histogram.labels("x").observe(0.5);
  histogram.labels("y").observe(2);
  histogram.labels("y").observe(3);
  const s = samples(histogram);
  assertEquals(sampleValue(s, "h_bucket", { b: "x", le: "1" }), 1);
  assertEquals(sampleValue(s, "h_bucket", { b: "y", le: "1" }), 0);
  assertEquals(sampleValue(s, "h_bucket", { b: "y", le: "+Inf" }), 2);
  assertEquals(sampleValue(s, "h_sum", { b: "y" }), 5);
});

Deno.test("Histogram() accepts a trailing +Inf and refuses unordered or infinite bounds", () => {
  const histogram = new Histogram({ name: "h", help: "H.", buckets: [1, 2, Infinity] });
  assertEquals(histogram.buckets, [1, 2]);
  assertStringIncludes(
    assertThrows(() => new Histogram({ name: "h", help: "H.", buckets: [1, 1] }), RangeError)
      .message,
    "strictly increasing",
  );
  assertStringIncludes(
    assertThrows(() => new Histogram({ name: "h", help: "H.", buckets: [NaN] }), RangeError)
      .message,
    "finite",
  );
});
