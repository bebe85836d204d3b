// Power of two choices: sample two distinct backends at random and keep the cheaper. Nearly as
// good as scanning every backend for the cheapest, without herding all proxies onto the one
// that looks best (Mitzenmacher; used by Envoy's least_request and Linkerd).
import type { Upstream } from "./upstream.ts";

/** Picks the cheaper of two distinct random backends; the first sampled wins a tie. */
export function powerOfTwo(
  upstreams: readonly Upstream[],
  cost: (upstream: Upstream) => number,
  random: () => number,
): Upstream | undefined {
  const n = upstreams.length;
  if (n <= 1) return upstreams[0];
  const i = Math.floor(random() * n);
  let j = Math.floor(random() * (n - 1));
  if (j >= i) j++;
  const first = upstreams[i]!;
  const second = upstreams[j]!;
  return cost(second) < cost(first) ? second : first;
}
