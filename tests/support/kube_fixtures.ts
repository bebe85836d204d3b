// The real API server's traces in ../shared/fixtures/kube (PODGATE_KUBE_FIXTURES overrides the
// directory), and EndpointSlices built from them: the recorded JSON with other names, IPs, states.
export const FIXTURES = new URL(
  Deno.env.get("PODGATE_KUBE_FIXTURES") ?? "../../../shared/fixtures/kube/",
  import.meta.url,
);
export const fixtureText = (name: string) => Deno.readTextFileSync(new URL(name, FIXTURES));
// deno-lint-ignore no-explicit-any
export const fixture = (name: string): any => JSON.parse(fixtureText(name));

// deno-lint-ignore no-explicit-any
type Json = any;

export interface FakePod {
  name: string;
  ip: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

/** An EndpointSlice in the fixture's exact shape (`endpoints`/`ports` null when empty). */
export function endpointSlice(
  name: string,
  spec: {
    namespace: string;
    service: string;
    pods: FakePod[];
    port?: { name: string; port: number };
  },
): Json {
  const listed = fixture("list-endpointslices.json");
  const slice = listed.items[0];
  const template = slice.endpoints[0];
  slice.metadata = {
    ...slice.metadata,
    name,
    namespace: spec.namespace,
    uid: crypto.randomUUID(),
    labels: { ...slice.metadata.labels, "kubernetes.io/service-name": spec.service },
  };
  slice.metadata.ownerReferences[0].name = spec.service;
  slice.endpoints = spec.pods.length === 0 ? null : spec.pods.map((pod) => ({
    ...structuredClone(template),
    addresses: [pod.ip],
    conditions: {
      ready: pod.ready ?? !pod.terminating,
      serving: pod.serving ?? true,
      terminating: pod.terminating ?? false,
    },
    targetRef: {
      ...template.targetRef,
      namespace: spec.namespace,
      name: pod.name,
      uid: crypto.randomUUID(),
    },
  }));
  slice.ports = spec.pods.length === 0
    ? null
    : [{ name: spec.port?.name ?? "http", protocol: "TCP", port: spec.port?.port ?? 8080 }];
  return slice;
}

const qualify = (resource: string, group: string) => group ? `${resource}.${group}` : resource;

/** RBAC's 403, worded as the API server words it (the recorded body with another subject). */
export function forbiddenStatus(
  user: string,
  verb: string,
  resource: string,
  group: string,
  namespace: string,
): Json {
  const body = fixture("forbidden-403.json");
  body.message = `${
    qualify(resource, group)
  } is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}" in the namespace "${namespace}"`;
  body.details = group ? { group, kind: resource } : { kind: resource };
  return body;
}

/** A 404 for a named object, or for a path the server does not serve at all. */
export function notFoundStatus(name?: string, resource?: string, group = ""): Json {
  const body = fixture("notfound-404.json");
  if (!name || !resource) {
    return { ...body, message: "the server could not find the requested resource", details: {} };
  }
  body.message = `${qualify(resource, group)} "${name}" not found`;
  body.details = { name, ...(group ? { group } : {}), kind: resource };
  return body;
}

/** The Status of a watch from a resourceVersion the server has compacted away. */
export function expiredStatus(from: number, current: number): Json {
  const status = JSON.parse(fixtureText("watch-expired.jsonl")).object;
  status.message = `too old resource version: ${from} (${current})`;
  return status;
}
