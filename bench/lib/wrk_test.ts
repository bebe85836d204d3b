import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { parseWrkOutput } from "./wrk.ts";

const OUTPUT = `Running 10s test @ http://127.0.0.1:8080/ping
  1 threads and 64 connections
Requests/sec:  40000.00
BENCH_JSON {"requests":400000,"duration_us":10000000,"bytes":80000000,"p50_us":1500,"p90_us":2500,"p99_us":4000,"max_us":9000,"connect_errors":0,"read_errors":1,"write_errors":0,"timeouts":2,"status_errors":3}
`;

Deno.test("parseWrkOutput() reads rates, latencies and errors from the report line", () => {
  assertEquals(parseWrkOutput(OUTPUT), {
    requests: 400_000,
    seconds: 10,
    reqPerSec: 40_000,
    bytesPerSec: 8_000_000,
    p50Ms: 1.5,
    p99Ms: 4,
    socketErrors: 3,
    statusErrors: 3,
  });
});

Deno.test("parseWrkOutput() says what is missing when wrk printed no report line", () => {
  const error = assertThrows(() => parseWrkOutput("unable to connect to 127.0.0.1:1"), Error);
  assertStringIncludes(error.message, "no BENCH_JSON line");
});
