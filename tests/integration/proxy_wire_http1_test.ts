// The proxy's wire behaviour on Deno with podgate's own HTTP/1.1 upstream client (under Bun it
// is the default, which the black-box suite covers; fetch is Deno's default).
import { proxyScenarios } from "../support/proxy_scenarios.ts";
import { startInProcess } from "../support/proxy_target.ts";

proxyScenarios(
  "deno+http1",
  (env) => startInProcess({ PODGATE_UPSTREAM_CLIENT: "http1", ...env }),
);
