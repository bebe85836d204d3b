// EndpointSlices (discovery.k8s.io/v1) → the endpoints to route to. Pure: the rules of
// kube-proxy for which endpoint takes traffic, and the backend port resolved per slice.
import { z } from "zod";
import { objectMetaSchema } from "../kube/objects.ts";
import type { Endpoint } from "./types.ts";

const conditionsSchema = z.object({
  ready: z.boolean().nullish(),
  serving: z.boolean().nullish(),
  terminating: z.boolean().nullish(),
});

export const endpointSliceSchema = z.object({
  metadata: objectMetaSchema,
  addressType: z.string(),
  // An empty slice says `"endpoints": null` and `"ports": null`.
  endpoints: z.array(z.object({
    addresses: z.array(z.string()).min(1),
    conditions: conditionsSchema.nullish(),
    targetRef: z.object({ name: z.string().optional() }).nullish(),
  })).nullish(),
  ports: z.array(z.object({
    name: z.string().nullish(),
    port: z.int().nullish(),
    protocol: z.string().nullish(),
  })).nullish(),
});

export type EndpointSlice = z.output<typeof endpointSliceSchema>;

/** The config's backendPort: a port number, or the name of a port in the slices. */
export type BackendPort = number | string;

export interface SliceSelection {
  endpoints: Endpoint[];
  /** One line per slice whose endpoints could not be used, saying why. */
  problems: string[];
}

/** The slice's port for `backendPort`, or undefined when it has none that matches. */
export function slicePort(slice: EndpointSlice, backendPort: BackendPort): number | undefined {
  const ports = (slice.ports ?? []).filter((p) => (p.protocol ?? "TCP") === "TCP");
  if (typeof backendPort === "number") {
    // A slice without ports (a headless Service without ports) still serves the asked port.
    if (ports.length === 0) return backendPort;
    return ports.some((p) => p.port === backendPort) ? backendPort : undefined;
  }
  return ports.find((p) => (p.name ?? "") === backendPort)?.port ?? undefined;
}

function describePorts(slice: EndpointSlice): string {
  const ports = slice.ports ?? [];
  if (ports.length === 0) return "none";
  return ports.map((p) => `${p.name ? `${p.name}=` : ""}${p.port ?? "all"}/${p.protocol ?? "TCP"}`)
    .join(", ");
}

/** `ip:port`, with an IPv6 address bracketed. */
export function joinHostPort(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * Joins every slice of a Service into one snapshot: ready endpoints route (`ready != false`);
 * endpoints that are terminating but still serving are kept, marked terminating (the pool only
 * routes to them when nothing is ready); the rest are dropped. An address in several slices
 * counts once, ready if any copy is.
 */
export function endpointsFromSlices(
  slices: readonly EndpointSlice[],
  backendPort: BackendPort,
): SliceSelection {
  const byAddress = new Map<string, Endpoint>();
  const problems: string[] = [];
  const ordered = [...slices].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  for (const slice of ordered) {
    const endpoints = slice.endpoints ?? [];
    if (endpoints.length === 0) continue;
    if (slice.addressType !== "IPv4" && slice.addressType !== "IPv6") {
      problems.push(
        `EndpointSlice ${slice.metadata.name}: addressType ${slice.addressType} is not routable`,
      );
      continue;
    }
    const port = slicePort(slice, backendPort);
    if (port === undefined) {
      problems.push(
        `EndpointSlice ${slice.metadata.name}: no TCP port ${JSON.stringify(backendPort)} (ports: ${
          describePorts(slice)
        })`,
      );
      continue;
    }
    for (const endpoint of endpoints) {
      const { ready, serving, terminating } = endpoint.conditions ?? {};
      let isTerminating: boolean;
      if (ready !== false) isTerminating = false;
      else if (terminating === true && serving !== false) isTerminating = true;
      else continue;
      // All addresses of one endpoint are fungible; the API says consumers use the first.
      const address = joinHostPort(endpoint.addresses[0]!, port);
      const known = byAddress.get(address);
      if (known && !known.terminating) continue;
      byAddress.set(address, isTerminating ? { address, terminating: true } : { address });
    }
  }
  return { endpoints: [...byAddress.values()], problems };
}
