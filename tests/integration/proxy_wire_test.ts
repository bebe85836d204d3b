// The proxy's wire behaviour on Deno, in-process, over real loopback sockets.
import { proxyScenarios } from "../support/proxy_scenarios.ts";
import { startInProcess } from "../support/proxy_target.ts";

proxyScenarios("deno", startInProcess);
