import { assertEquals, assertMatch } from "../../tests/support/assert.ts";
import { fixture, fixtureText } from "../../tests/support/kube_fixtures.ts";
import { kubeApiErrorFrom, kubeApiErrorFromStatus, parseStatus, rbacDenial } from "./status.ts";

const PATH = "/apis/discovery.k8s.io/v1/namespaces/fixtures/endpointslices";

Deno.test("kubeApiErrorFrom() keeps the server's words for a recorded RBAC 403", () => {
  const error = kubeApiErrorFrom(403, fixtureText("forbidden-403.json"), PATH);
  assertEquals([error.status, error.reason, error.path], [403, "Forbidden", PATH]);
  assertMatch(
    error.message,
    /^GET \/apis\/discovery.k8s.io\/v1\/namespaces\/fixtures\/endpointslices failed: 403 Forbidden: endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:fixtures:nobody" cannot list resource "endpointslices"/,
  );
  assertMatch(error.message, /grant this verb on this resource in a Role/);
});

Deno.test("kubeApiErrorFrom() reads the recorded 401 and 404", () => {
  const unauthorized = kubeApiErrorFrom(401, fixtureText("unauthorized-401.json"), PATH);
  assertEquals([unauthorized.status, unauthorized.reason], [401, "Unauthorized"]);
  const missing = kubeApiErrorFrom(404, fixtureText("notfound-404.json"), PATH);
  assertEquals([missing.status, missing.reason], [404, "NotFound"]);
  assertMatch(missing.message, /deployments.apps "missing" not found/);
});

Deno.test("kubeApiErrorFrom() copes with a body that is not a Status", () => {
  const error = kubeApiErrorFrom(502, "<html>Bad Gateway</html>", PATH);
  assertEquals([error.status, error.reason], [502, "InternalError"]);
  assertMatch(error.message, /502 InternalError: <html>Bad Gateway<\/html>/);
});

Deno.test("kubeApiErrorFromStatus() turns the recorded watch ERROR event into a 410 Expired", () => {
  const event = JSON.parse(fixtureText("watch-expired.jsonl"));
  const error = kubeApiErrorFromStatus(parseStatus(event.object), PATH);
  assertEquals([error.status, error.reason], [410, "Expired"]);
  assertMatch(error.message, /too old resource version: 1 \(572\)/);
});

Deno.test("rbacDenial() names the user, verb, resource, group and namespace of a 403", () => {
  assertEquals(rbacDenial(fixture("forbidden-403-watch.json").message), {
    user: "system:serviceaccount:fixtures:nobody",
    verb: "watch",
    resource: "endpointslices",
    group: "discovery.k8s.io",
    namespace: "fixtures",
  });
  assertEquals(rbacDenial("something else"), undefined);
});
