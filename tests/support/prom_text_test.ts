import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { parsePromText, parsePromTypes, sampleValue, sumSamples } from "./prom_text.ts";

Deno.test("parsePromText() reads names, unescaped labels, special values and timestamps", () => {
  const text = [
    "# HELP x_total X.",
    "# TYPE x_total counter",
    'x_total{a="1",b="q\\"\\\\\\n",} 3 1700000000000',
    "y +Inf",
    "z -1.5e3",
    "",
  ].join("\n");
  assertEquals(parsePromText(text), [
    { name: "x_total", labels: { a: "1", b: 'q"\\\n' }, value: 3 },
    { name: "y", labels: {}, value: Infinity },
    { name: "z", labels: {}, value: -1500 },
  ]);
});

Deno.test("parsePromText() refuses a repeated series and malformed lines", () => {
  const cases: [string, string][] = [
    ['a{x="1",y="2"} 1\na{y="2",x="1"} 2', "appears twice"],
    ['a{x="1} 1', "unterminated"],
    ['a{x="\\t"} 1', "bad escape"],
    ["a 1 2 3", "trailing text"],
    ["a one", "bad value"],
    ['a{x="1"}1', "no space"],
  ];
  for (const [text, why] of cases) {
    assertStringIncludes(assertThrows(() => parsePromText(text), Error).message, why);
  }
});

Deno.test("parsePromTypes() maps families to types and refuses a TYPE after the samples", () => {
  assertEquals(
    Object.fromEntries(parsePromTypes('# TYPE h histogram\nh_bucket{le="+Inf"} 0\n')),
    { h: "histogram" },
  );
  assertStringIncludes(
    assertThrows(() => parsePromTypes("h_count 0\n# TYPE h histogram\n"), Error).message,
    "after its samples",
  );
});

Deno.test("sampleValue() matches labels exactly and sumSamples() by subset", () => {
  const samples = parsePromText('r{b="a",c="200"} 2\nr{b="a",c="500"} 1\nr{b="x",c="200"} 4\n');
  assertEquals(sampleValue(samples, "r", { b: "a", c: "200" }), 2);
  assertEquals(sampleValue(samples, "r", { b: "a" }), undefined);
  assertEquals(sumSamples(samples, "r", { b: "a" }), 3);
  assertEquals(sumSamples(samples, "r"), 7);
  assertEquals(sumSamples(samples, "missing"), 0);
});
