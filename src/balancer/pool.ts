// The set of upstreams discovery reported last. Upstream objects are kept across snapshots by
// address, so their counters survive; readers get an immutable array they can hold without a lock.
import type { Endpoint } from "../discovery/types.ts";
import { Upstream } from "./upstream.ts";

export interface PoolChange {
  added: string[];
  removed: string[];
}

export interface PoolOptions {
  /** The balancer's clock in ms: stamps backends that join a serving pool (slow start). */
  now?: () => number;
}

export class Pool {
  readonly #now: () => number;
  #all: readonly Upstream[] = [];
  #routable: readonly Upstream[] = [];
  #synced = false;

  constructor({ now = Date.now }: PoolOptions = {}) {
    this.#now = now;
  }

  /** Replaces the pool with a snapshot; returns what was added and removed. */
  update(endpoints: readonly Endpoint[]): PoolChange {
    const previous = new Map(this.#all.map((u) => [u.address, u]));
    const next: Upstream[] = [];
    const added: string[] = [];
    for (const endpoint of endpoints) {
      const terminating = endpoint.terminating ?? false;
      const weight = endpoint.weight ?? 1;
      let upstream = previous.get(endpoint.address);
      if (upstream) {
        previous.delete(endpoint.address);
        upstream.terminating = terminating;
        upstream.weight = weight;
      } else {
        // The first snapshot's backends start at full share; later ones may slow-start.
        upstream = new Upstream(endpoint.address, {
          terminating,
          weight,
          addedAt: this.#synced ? this.#now() : undefined,
        });
        added.push(endpoint.address);
      }
      next.push(upstream);
    }
    this.#all = Object.freeze(next);
    // Terminating endpoints take new requests only when nothing else can (kube-proxy's rule).
    const ready = next.filter((u) => !u.terminating);
    this.#routable = Object.freeze(ready.length > 0 ? ready : next.filter((u) => u.terminating));
    this.#synced = true;
    return { added, removed: [...previous.keys()] };
  }

  /** Every upstream discovery knows, terminating ones included. */
  all(): readonly Upstream[] {
    return this.#all;
  }

  /** The upstreams that can take a new request now: the ready ones, else the terminating ones. */
  routable(): readonly Upstream[] {
    return this.#routable;
  }

  /** True once discovery has delivered its first snapshot. */
  get synced(): boolean {
    return this.#synced;
  }
}
