// A strategy picks one upstream from a snapshot. It is synchronous and does no I/O; health is the
// upstream's business, so a strategy only ever sees upstreams that can take traffic.
import type { Upstream } from "./upstream.ts";

export interface PickContext {
  /** The client's IP address. */
  readonly clientIp?: string;
  readonly request?: Request;
}

export interface Strategy {
  readonly name: string;
  pick(upstreams: readonly Upstream[], context?: PickContext): Upstream | undefined;
}
