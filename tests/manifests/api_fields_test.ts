// Every field of every base manifest is a field of its Kubernetes API type.
import { assert, assertEquals } from "@std/assert";
import { rootType, unknownFields } from "./api_fields.ts";
import { baseObjects } from "./load_manifests.ts";

Deno.test("unknownFields() names misspelt and mistyped fields at their path", () => {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "x", labels: { app: "x" } },
    spec: {
      enableServicelinks: false,
      containers: [{
        name: "c",
        ports: [{ containerPort: "8080" }],
        lifecycle: { preStop: { sleep: { seconds: 5 } } },
      }],
    },
  };
  assertEquals(unknownFields(pod, rootType("v1", "Pod")!), [
    "spec.enableServicelinks: not a field of V1PodSpec",
    "spec.containers[0].ports[0].containerPort: expected a number, got a string",
  ]);
});

Deno.test("rootType() maps apiVersion and kind to the API model", () => {
  assertEquals(rootType("apps/v1", "Deployment"), "V1Deployment");
  assertEquals(rootType("policy/v1", "PodDisruptionBudget"), "V1PodDisruptionBudget");
  assertEquals(rootType("v1", "NoSuchKind"), undefined);
});

Deno.test("every field in the base manifests is a field of its Kubernetes API type", async () => {
  for (const object of await baseObjects()) {
    const type = rootType(object.apiVersion, object.kind);
    assert(type, `no API model for ${object.apiVersion} ${object.kind}`);
    assertEquals(unknownFields(object, type), [], `${object.kind}/${object.metadata.name}`);
  }
});
