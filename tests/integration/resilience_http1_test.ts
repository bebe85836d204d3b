// Resilience on Deno with podgate's own HTTP/1.1 upstream client: churn, hangs, flaky and slow
// backends, drain.
import { startInProcess } from "../support/proxy_target.ts";
import { resilienceScenarios } from "../support/resilience_scenarios.ts";

resilienceScenarios(
  "deno+http1",
  (env) => startInProcess({ PODGATE_UPSTREAM_CLIENT: "http1", ...env }),
);
