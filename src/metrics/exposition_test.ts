import { assertEquals } from "@std/assert";
import { parsePromText } from "../../tests/support/prom_text.ts";
import { Counter } from "./counter.ts";
import { escapeHelp, escapeLabelValue, formatValue } from "./exposition.ts";

Deno.test("escapeLabelValue() escapes backslash, double quote and newline only", () => {
  assertEquals(escapeLabelValue('a\\b"c\nd\te'), 'a\\\\b\\"c\\nd\te');
  assertEquals(escapeLabelValue("10.0.0.1:8080"), "10.0.0.1:8080");
});

Deno.test("escapeHelp() escapes backslash and newline but leaves double quotes", () => {
  assertEquals(escapeHelp('say "hi"\\\nbye'), 'say "hi"\\\\\\nbye');
});

Deno.test("formatValue() spells infinities and NaN the way Prometheus reads them", () => {
  assertEquals([Infinity, -Infinity, NaN, 0, 1.5, 1e21].map(formatValue), [
    "+Inf",
    "-Inf",
    "NaN",
    "0",
    "1.5",
    "1e+21",
  ]);
});

Deno.test("a label value with every special character survives a render and a parse", () => {
  const counter = new Counter({
    name: "c_total",
    help: 'He said "x"\nthen \\ left',
    labelNames: ["v"],
  });
  const tricky = 'back\\slash "quoted"\nnew line, {braces}=';
  counter.labels(tricky).inc();
  const out: string[] = [];
  counter.render(out);
  const text = out.join("");
  assertEquals(text.split("\n")[0], '# HELP c_total He said "x"\\nthen \\\\ left');
  assertEquals(parsePromText(text), [{ name: "c_total", labels: { v: tricky }, value: 1 }]);
});
