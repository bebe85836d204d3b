import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { Counter } from "./counter.ts";

function text(counter: Counter): string {
  const out: string[] = [];
  counter.render(out);
  return out.join("");
}

Deno.test("Counter.labels() returns the same series for the same label values", () => {
  const counter = new Counter({ name: "c_total", help: "C.", labelNames: ["a", "b"] });
  counter.labels("x,y", "z").inc();
  counter.labels("x", "y,z").inc();
  counter.labels("x,y", "z").inc();
  assertEquals(counter.labels("x,y", "z").value, 2);
  assertEquals(counter.labels("x", "y,z").value, 1);
});

Deno.test("Counter.labels() refuses the wrong number of label values", () => {
  const counter = new Counter({ name: "c_total", help: "C.", labelNames: ["a", "b"] });
  assertStringIncludes(
    assertThrows(() => counter.labels("x"), TypeError).message,
    "expected 2 label values",
  );
});

Deno.test("Counter.inc() refuses to go down and needs labels on a labeled counter", () => {
  const counter = new Counter({ name: "c_total", help: "C." });
  assertStringIncludes(assertThrows(() => counter.inc(-1), RangeError).message, "only goes up");
  const labeled = new Counter({ name: "l_total", help: "L.", labelNames: ["a"] });
  assertStringIncludes(assertThrows(() => labeled.inc(), TypeError).message, "use labels");
});

Deno.test("Counter.remove() stops rendering a series and a later one starts from 0", () => {
  const counter = new Counter({ name: "c_total", help: "C.", labelNames: ["backend"] });
  counter.labels("a:1").inc(5);
  counter.labels("b:1").inc();
  assertEquals(counter.remove("a:1"), true);
  assertEquals(counter.remove("a:1"), false);
  assertEquals(
    text(counter),
    '# HELP c_total C.\n# TYPE c_total counter\nc_total{backend="b:1"} 1\n',
  );
  assertEquals(counter.labels("a:1").value, 0);
});
