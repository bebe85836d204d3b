// Resilience on Deno with fetch carrying every request (upstreamClient: fetch): churn, hangs,
// flaky and slow backends, drain.
import { startInProcess } from "../support/proxy_target.ts";
import { resilienceScenarios } from "../support/resilience_scenarios.ts";

resilienceScenarios(
  "deno+fetch",
  (env) => startInProcess({ PODGATE_UPSTREAM_CLIENT: "fetch", ...env }),
);
