// Slow and hostile clients on Deno, in-process (the RSS test runs Deno from source as a process).
import { clientLimitsScenarios } from "../support/client_limits_scenarios.ts";
import { startInProcess } from "../support/proxy_target.ts";

clientLimitsScenarios("deno", startInProcess, "deno");
