import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { Registry } from "./registry.ts";

Deno.test("Registry.render() writes the exact exposition text for a small registry", () => {
  const registry = new Registry();
  const requests = registry.counter({
    name: "demo_requests_total",
    help: "Requests by code.",
    labelNames: ["backend", "code"],
  });
  const retries = registry.counter({ name: "demo_retries_total", help: "Retries." });
  registry.gauge({
    name: "demo_up",
    help: "Whether a backend is up.",
    labelNames: ["backend"],
    collect: (emit) => {
      emit(1, "a:1");
      emit(0, "b:1");
    },
  });
  const latency = registry.histogram({
    name: "demo_seconds",
    help: "Latency.",
    labelNames: ["backend"],
    buckets: [0.1, 1],
  });
  requests.labels("a:1", "200").inc();
  requests.labels("a:1", "200").inc();
  requests.labels("b:1", "error").inc(3);
  retries.inc();
  latency.labels("a:1").observe(0.05);
  latency.labels("a:1").observe(0.5);
  latency.labels("a:1").observe(2);

  assertEquals(
    registry.render(),
    [
      "# HELP demo_requests_total Requests by code.",
      "# TYPE demo_requests_total counter",
      'demo_requests_total{backend="a:1",code="200"} 2',
      'demo_requests_total{backend="b:1",code="error"} 3',
      "# HELP demo_retries_total Retries.",
      "# TYPE demo_retries_total counter",
      "demo_retries_total 1",
      "# HELP demo_up Whether a backend is up.",
      "# TYPE demo_up gauge",
      'demo_up{backend="a:1"} 1',
      'demo_up{backend="b:1"} 0',
      "# HELP demo_seconds Latency.",
      "# TYPE demo_seconds histogram",
      'demo_seconds_bucket{backend="a:1",le="0.1"} 1',
      'demo_seconds_bucket{backend="a:1",le="1"} 2',
      'demo_seconds_bucket{backend="a:1",le="+Inf"} 3',
      'demo_seconds_sum{backend="a:1"} 2.55',
      'demo_seconds_count{backend="a:1"} 3',
      "",
    ].join("\n"),
  );
});

Deno.test("Registry.render() shows an unlabeled counter at 0 before any increment", () => {
  const registry = new Registry();
  registry.counter({ name: "x_total", help: "X." });
  assertEquals(registry.render(), "# HELP x_total X.\n# TYPE x_total counter\nx_total 0\n");
});

Deno.test("Registry.register() refuses a name that is already registered", () => {
  const registry = new Registry();
  registry.counter({ name: "x_total", help: "X." });
  assertStringIncludes(
    assertThrows(
      () => registry.gauge({ name: "x_total", help: "X.", collect: () => {} }),
      TypeError,
    ).message,
    "already registered",
  );
});

Deno.test("Registry.counter() refuses invalid metric and label names", () => {
  const registry = new Registry();
  assertStringIncludes(
    assertThrows(() => registry.counter({ name: "1x", help: "" }), TypeError).message,
    "invalid name",
  );
  assertStringIncludes(
    assertThrows(() => registry.counter({ name: "x", help: "", labelNames: ["a-b"] }), TypeError)
      .message,
    "invalid label name",
  );
  assertStringIncludes(
    assertThrows(() => registry.counter({ name: "x", help: "", labelNames: ["__x"] }), TypeError)
      .message,
    "invalid label name",
  );
  assertStringIncludes(
    assertThrows(() => registry.histogram({ name: "h", help: "", labelNames: ["le"] }), TypeError)
      .message,
    "invalid label name",
  );
});
