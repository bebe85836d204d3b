// Consistent hashing on a ring with virtual nodes (ketama): each backend owns many points on
// a ring, a key goes to the first point at or after its hash. Adding or removing one backend
// moves only the keys of the points it gains or loses, about 1/N of them. Weights are not used:
// stickiness matters more here than shares.
import { cyrb53 } from "./hash.ts";
import { hashKey, type HashKeySource } from "./hash_key.ts";
import type { Strategy } from "./strategy.ts";
import type { Upstream } from "./upstream.ts";

export const DEFAULT_VIRTUAL_NODES = 160;

export interface ConsistentHashOptions {
  key?: HashKeySource;
  /** Points per backend: more spread keys more evenly, and cost memory and build time. */
  virtualNodes?: number;
  /** For requests with no key at all. */
  random?: () => number;
}

interface Ring {
  members: Set<Upstream>;
  /** Sorted; each is `position × 2^20 + owner index`, so a native numeric sort orders them. */
  points: Float64Array;
  owners: Upstream[];
  /** The snapshot seen last, and which of the members it holds when not all of them. */
  seen: readonly Upstream[];
  present: Set<Upstream> | undefined;
}

const OWNER_SLOTS = 2 ** 20;
/** Ring positions are 32-bit: the top bits of the 53-bit hash. */
const position = (text: string) => Math.floor(cyrb53(text) / 2 ** 21);

export function consistentHash(
  { key = { from: "client-ip" }, virtualNodes = DEFAULT_VIRTUAL_NODES, random = Math.random }:
    ConsistentHashOptions = {},
): Strategy {
  if (!Number.isInteger(virtualNodes) || virtualNodes < 1) {
    throw new RangeError(
      `Cannot build a hash ring: virtualNodes must be >= 1, got ${virtualNodes}`,
    );
  }
  let ring: Ring | undefined;
  return {
    name: "consistent-hash",
    pick(upstreams, context) {
      if (upstreams.length <= 1) return upstreams[0];
      const text = hashKey(key, context);
      if (text === undefined) return upstreams[Math.floor(random() * upstreams.length)];
      if (ring?.seen !== upstreams) ring = adapt(ring, upstreams, virtualNodes);
      const { points, owners, present } = ring;
      const start = firstAtOrAfter(points, position(text) * OWNER_SLOTS);
      // A subset of the ring (backends ejected or full for now): skipping the absent owners'
      // points gives exactly the ring of the subset, without rebuilding it per request.
      for (let step = 0; step < points.length; step++) {
        const owner = owners[points[(start + step) % points.length]! % OWNER_SLOTS]!;
        if (!present || present.has(owner)) return owner;
      }
      return undefined;
    },
  };
}

/** Reuses the ring while the snapshot is a subset of it, rebuilds it for a new backend (which
 * also drops the points of backends gone for good). */
function adapt(ring: Ring | undefined, upstreams: readonly Upstream[], virtualNodes: number): Ring {
  const fits = ring && upstreams.every((u) => ring.members.has(u));
  const next = fits ? ring : buildRing(upstreams, virtualNodes);
  next.seen = upstreams;
  next.present = upstreams.length === next.members.size ? undefined : new Set(upstreams);
  return next;
}

function buildRing(upstreams: readonly Upstream[], virtualNodes: number): Ring {
  if (upstreams.length > OWNER_SLOTS) {
    throw new RangeError(`Cannot build a hash ring: more than ${OWNER_SLOTS} backends`);
  }
  // Owners in address order, so a (rare) tie between two positions goes the same way on every
  // proxy replica.
  const owners = [...upstreams].sort((a, b) => (a.address < b.address ? -1 : 1));
  const points = new Float64Array(owners.length * virtualNodes);
  let n = 0;
  owners.forEach((owner, index) => {
    for (let v = 0; v < virtualNodes; v++) {
      points[n++] = position(`${owner.address}-${v}`) * OWNER_SLOTS + index;
    }
  });
  points.sort();
  return { members: new Set(upstreams), points, owners, seen: upstreams, present: undefined };
}

/** Index of the first point >= hash, wrapping to 0 past the end. */
function firstAtOrAfter(points: Float64Array, hash: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]! < hash) lo = mid + 1;
    else hi = mid;
  }
  return lo === points.length ? 0 : lo;
}
