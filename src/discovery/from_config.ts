// Builds the discovery a proxy config asks for.
import type { ProxyConfig } from "../config/mod.ts";
import type { Logger } from "../log.ts";
import type { Runtime } from "../runtime/mod.ts";
import { staticDiscovery } from "./static.ts";
import type { Discovery } from "./types.ts";

export interface DiscoveryDeps {
  runtime: Runtime;
  logger: Logger;
}

export function createDiscovery(config: ProxyConfig, _deps: DiscoveryDeps): Promise<Discovery> {
  if (config.discovery === "static") return Promise.resolve(staticDiscovery(config.backends));
  return Promise.reject(new Error("Cannot start kubernetes discovery: not built yet"));
}
