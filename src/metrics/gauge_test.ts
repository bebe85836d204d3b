import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { Gauge } from "./gauge.ts";

function text(gauge: Gauge): string {
  const out: string[] = [];
  gauge.render(out);
  return out.join("");
}

Deno.test("Gauge.render() reads the values through its callback on every render", () => {
  let level = 1;
  const gauge = new Gauge({ name: "g", help: "G.", collect: (emit) => emit(level) });
  assertEquals(text(gauge), "# HELP g G.\n# TYPE g gauge\ng 1\n");
  level = 2.5;
  assertEquals(text(gauge), "# HELP g G.\n# TYPE g gauge\ng 2.5\n");
});

Deno.test("Gauge.render() refuses a sample with the wrong number of label values", () => {
  const gauge = new Gauge({
    name: "g",
    help: "G.",
    labelNames: ["a"],
    collect: (emit) => emit(1, "x", "y"),
  });
  assertStringIncludes(
    assertThrows(() => text(gauge), TypeError).message,
    "expected 1 label values",
  );
});
