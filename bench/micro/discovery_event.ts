// Discovery latency, issue 6: from one EndpointSlice watch event arriving (a JSON line) to the new
// backend being selectable, with 1,000 endpoints in 10 slices. Measures the work podgate does on
// that path — parse the line, validate the slice, rebuild the snapshot, compare, update the pool,
// pick — not the network. Run: deno run -A bench/micro/discovery_event.ts (or bun run …).
import { Pool } from "../../src/balancer/pool.ts";
import { roundRobin } from "../../src/balancer/round_robin.ts";
import { endpointsFromSlices, endpointSliceSchema } from "../../src/discovery/endpoint_slices.ts";
import { sameSnapshot } from "../../src/discovery/types.ts";

const SLICES = 10;
const PER_SLICE = 100;
const ROUNDS = 2_000;

function slice(index: number, generation: number) {
  return {
    kind: "EndpointSlice",
    apiVersion: "discovery.k8s.io/v1",
    metadata: {
      name: `backend-service-${index}`,
      namespace: "bench",
      resourceVersion: String(1000 + generation),
      labels: { "kubernetes.io/service-name": "backend-service" },
    },
    addressType: "IPv4",
    ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    endpoints: Array.from({ length: PER_SLICE }, (_, i) => ({
      addresses: [`10.${index}.${Math.floor((i + generation) / 250)}.${(i + generation) % 250}`],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: "Pod", namespace: "bench", name: `pod-${index}-${i + generation}` },
    })),
  };
}

const cache = new Map<string, ReturnType<typeof endpointSliceSchema.parse>>();
for (let i = 0; i < SLICES; i++) cache.set(`s${i}`, endpointSliceSchema.parse(slice(i, 0)));
const pool = new Pool();
const strategy = roundRobin();
let current = endpointsFromSlices([...cache.values()], "http").endpoints;
pool.update(current);

const samples: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  // One slice changed: one endpoint replaced by a new pod, as a scale event would do.
  const line = JSON.stringify({ type: "MODIFIED", object: slice(round % SLICES, round) });
  const t0 = performance.now();
  const event = JSON.parse(line);
  const parsed = endpointSliceSchema.parse(event.object);
  cache.set(`s${round % SLICES}`, parsed);
  const next = endpointsFromSlices([...cache.values()], "http").endpoints;
  if (!sameSnapshot(current, next)) {
    pool.update(next);
    current = next;
  }
  strategy.pick(pool.routable());
  samples.push(performance.now() - t0);
}
samples.sort((a, b) => a - b);
const q = (p: number) =>
  samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!.toFixed(3);
console.log(
  `discovery event → selectable, ${
    SLICES * PER_SLICE
  } endpoints in ${SLICES} slices, ${ROUNDS} events: ` +
    `p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${
      samples.at(-1)!.toFixed(3)
    } ms (target p99 ≤ 10 ms)`,
);
