// Resilience on Deno, in-process: churn, hangs, flaky and slow backends, drain.
import { startInProcess } from "../support/proxy_target.ts";
import { resilienceScenarios } from "../support/resilience_scenarios.ts";

resilienceScenarios("deno", startInProcess);
