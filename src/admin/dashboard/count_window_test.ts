import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { CountWindow } from "./count_window.ts";

Deno.test("CountWindow.delta() subtracts the sample that many steps back, capped at what it keeps", () => {
  const w = new CountWindow(2, 3);
  assertEquals([...w.delta(1)], [0, 0]);
  w.push([10, 1]);
  assertEquals([w.span, ...w.delta(1)], [0, 0, 0]);
  w.push([15, 1]);
  w.push([25, 4]);
  assertEquals([...w.delta(1)], [10, 3]);
  assertEquals([...w.delta(2)], [15, 3]);
  assertEquals([...w.delta(9)], [15, 3]);
  w.push([26, 4]); // the first sample is overwritten
  assertEquals([w.span, ...w.delta(9)], [2, 11, 3]);
});

Deno.test("CountWindow.delta() counts a counter that went down as 0", () => {
  const w = new CountWindow(1, 2);
  w.push([100]);
  w.push([3]);
  assertEquals([...w.delta(1)], [0]);
});

Deno.test("CountWindow() needs at least two samples to subtract", () => {
  assertStringIncludes(
    assertThrows(() => new CountWindow(1, 1), RangeError).message,
    "expected >= 2",
  );
});
