import { assertEquals } from "../../tests/support/assert.ts";
import { fixture, fixtureText } from "../../tests/support/kube_fixtures.ts";
import {
  endpointsFromSlices,
  type EndpointSlice,
  endpointSliceSchema,
  joinHostPort,
} from "./endpoint_slices.ts";

const listed = () =>
  fixture("list-endpointslices.json").items.map((i: unknown) => endpointSliceSchema.parse(i));

/** The recorded watch's EndpointSlice events (the BOOKMARK left out), parsed. */
const watched = () =>
  fixtureText("watch-endpointslices.jsonl").split("\n").filter(Boolean).map((l) => JSON.parse(l))
    .filter((e) => e.type !== "BOOKMARK").map((e) => endpointSliceSchema.parse(e.object));

function slice(
  name: string,
  endpoints: unknown[] | null,
  ports: unknown[] | null = [{ name: "http", port: 8080 }],
  addressType = "IPv4",
): EndpointSlice {
  return endpointSliceSchema.parse({
    metadata: { name, namespace: "ns" },
    addressType,
    endpoints,
    ports,
  });
}

const ready = (ip: string) => ({
  addresses: [ip],
  conditions: { ready: true, serving: true, terminating: false },
});
const terminating = (ip: string, serving = true) => ({
  addresses: [ip],
  conditions: { ready: false, serving, terminating: true },
});

Deno.test("endpointsFromSlices() routes to the recorded list's three ready pods, by port number or name", () => {
  const expected = [{ address: "10.244.1.1:8080" }, { address: "10.244.1.2:8080" }, {
    address: "10.244.1.3:8080",
  }];
  assertEquals(endpointsFromSlices(listed(), 8080), { endpoints: expected, problems: [] });
  assertEquals(endpointsFromSlices(listed(), "http"), { endpoints: expected, problems: [] });
});

Deno.test("endpointsFromSlices() follows the recorded watch: scale to 5, a pod terminating, down to 2", () => {
  const states = watched().map((s) => endpointsFromSlices([s], "http").endpoints);
  assertEquals(states[1]!.map((e) => e.address), [1, 2, 3, 4, 5].map((n) => `10.244.1.${n}:8080`));
  // A deleted pod still serving stays known, marked terminating (the pool routes to it last).
  assertEquals(states[2]!.find((e) => e.address === "10.244.1.4:8080"), {
    address: "10.244.1.4:8080",
    terminating: true,
  });
  assertEquals(states.at(-1), [{ address: "10.244.1.1:8080" }, { address: "10.244.1.5:8080" }]);
});

Deno.test("endpointsFromSlices() reads an empty slice's null endpoints and ports as nothing", () => {
  const bookmark = JSON.parse(fixtureText("watch-endpointslices.jsonl").trim().split("\n").at(-1)!);
  assertEquals([bookmark.object.endpoints, bookmark.object.ports], [null, null]);
  assertEquals(endpointsFromSlices([slice("empty", null, null)], "http"), {
    endpoints: [],
    problems: [],
  });
});

Deno.test("endpointsFromSlices() drops endpoints that are neither ready nor serving-while-terminating", () => {
  const slices = [slice("a", [
    ready("10.0.0.1"),
    terminating("10.0.0.2"),
    terminating("10.0.0.3", false),
    { addresses: ["10.0.0.4"], conditions: { ready: false, serving: false, terminating: false } },
    { addresses: ["10.0.0.5"], conditions: {} }, // ready unknown: routed, as the API says
    { addresses: ["10.0.0.6"] },
  ])];
  assertEquals(endpointsFromSlices(slices, 8080).endpoints, [
    { address: "10.0.0.1:8080" },
    { address: "10.0.0.2:8080", terminating: true },
    { address: "10.0.0.5:8080" },
    { address: "10.0.0.6:8080" },
  ]);
});

Deno.test("endpointsFromSlices() joins slices, resolves the port per slice and counts an address once", () => {
  const slices = [
    slice("b", [ready("10.0.0.2"), ready("10.0.0.1")], [{ name: "http", port: 9090 }]),
    slice("a", [terminating("10.0.0.1"), ready("10.0.0.3")], [{ name: "http", port: 9090 }, {
      name: "metrics",
      port: 9100,
    }]),
  ];
  assertEquals(endpointsFromSlices(slices, "http").endpoints, [
    { address: "10.0.0.1:9090" }, // terminating in one slice, ready in another: ready
    { address: "10.0.0.3:9090" },
    { address: "10.0.0.2:9090" },
  ]);
});

Deno.test("endpointsFromSlices() brackets IPv6 addresses", () => {
  const slices = [slice("v6", [ready("fd00:10:244::5")], [{ name: "http", port: 8080 }], "IPv6")];
  assertEquals(endpointsFromSlices(slices, 8080).endpoints, [{ address: "[fd00:10:244::5]:8080" }]);
  assertEquals(joinHostPort("10.0.0.1", 80), "10.0.0.1:80");
});

Deno.test("endpointsFromSlices() says why a slice without the backend port is skipped", () => {
  const slices = [slice("a", [ready("10.0.0.1")], [{ name: "http", port: 8080, protocol: "TCP" }])];
  assertEquals(endpointsFromSlices(slices, 80), {
    endpoints: [],
    problems: ["EndpointSlice a: no TCP port 80 (ports: http=8080/TCP)"],
  });
  assertEquals(endpointsFromSlices(slices, "grpc").problems, [
    'EndpointSlice a: no TCP port "grpc" (ports: http=8080/TCP)',
  ]);
  const udp = [slice("dns", [ready("10.0.0.1")], [{ name: "dns", port: 53, protocol: "UDP" }])];
  assertEquals(endpointsFromSlices(udp, "dns").endpoints, []);
});

Deno.test("endpointsFromSlices() uses a numeric backendPort for a slice that defines no ports", () => {
  const headless = [slice("headless", [ready("10.0.0.1")], [])];
  assertEquals(endpointsFromSlices(headless, 8080).endpoints, [{ address: "10.0.0.1:8080" }]);
  assertEquals(endpointsFromSlices(headless, "http").endpoints, []);
});
