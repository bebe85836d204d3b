// The proxy's wire behaviour on Deno with fetch carrying every request (upstreamClient: fetch)
// instead of podgate's own HTTP/1.1 client.
import { proxyScenarios } from "../support/proxy_scenarios.ts";
import { startInProcess } from "../support/proxy_target.ts";

proxyScenarios(
  "deno+fetch",
  (env) => startInProcess({ PODGATE_UPSTREAM_CLIENT: "fetch", ...env }),
);
