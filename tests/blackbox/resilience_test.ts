// Resilience through the compiled binary (PODGATE_BIN), run as UID 1001 when possible.
import { PODGATE_BIN } from "../support/process.ts";
import { startProcess } from "../support/proxy_target.ts";
import { resilienceScenarios } from "../support/resilience_scenarios.ts";

if (PODGATE_BIN) resilienceScenarios("binary", startProcess);
else {Deno.test({
    name: "[binary] resilience scenarios (skipped: PODGATE_BIN is not set)",
    ignore: true,
    fn() {},
  });}
