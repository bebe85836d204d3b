// The kind tooling, checked as far as a machine without Docker and kind allows: the cluster config
// publishes the Services' NodePorts, and the scripts are valid bash that name a missing tool.
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { z } from "zod";
import { baseObjects, parseYamlDocuments, ROOT, service } from "./load_manifests.ts";

const SCRIPTS = ["scripts/kind-up", "scripts/kind-down"];

const kindConfig = z.looseObject({
  kind: z.literal("Cluster"),
  apiVersion: z.literal("kind.x-k8s.io/v1alpha4"),
  name: z.string().optional(),
  nodes: z.array(z.looseObject({
    role: z.string(),
    extraPortMappings: z.array(z.looseObject({
      containerPort: z.number(),
      hostPort: z.number(),
      listenAddress: z.string().optional(),
      protocol: z.string().optional(),
    })).default([]),
  })).min(1),
});

async function readKindConfig() {
  const path = "kind-config.yaml";
  const [doc] = parseYamlDocuments(path, await Deno.readTextFile(new URL(path, ROOT)));
  return kindConfig.parse(doc);
}

async function which(tool: string): Promise<string> {
  const out = await new Deno.Command("bash", { args: ["-c", `command -v ${tool}`] }).output();
  assert(out.success, `${tool} is not on PATH`);
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("kind-config.yaml publishes NodePorts 30080 and 30081 on the same host ports", async () => {
  const mappings = (await readKindConfig()).nodes.flatMap((n) => n.extraPortMappings);
  for (const port of [30080, 30081]) {
    const hit = mappings.find((m) => m.containerPort === port);
    assert(hit, `kind-config.yaml does not map NodePort ${port}`);
    assertEquals(hit.hostPort, port, `NodePort ${port} lands on host port ${hit.hostPort}`);
  }
});

Deno.test("kind-config.yaml maps every NodePort the base's Services use", async () => {
  const mapped = new Set(
    (await readKindConfig()).nodes.flatMap((n) => n.extraPortMappings.map((m) => m.containerPort)),
  );
  const nodePorts = (await baseObjects())
    .filter((o) => o.kind === "Service")
    .flatMap((o) => service.parse(o).spec.ports.map((p) => p.nodePort))
    .filter((p): p is number => p !== undefined);
  assert(nodePorts.length > 0);
  for (const port of nodePorts) assert(mapped.has(port), `NodePort ${port} is not mapped`);
});

Deno.test("kind-config.yaml names the cluster the kind scripts use by default", async () => {
  const { name } = await readKindConfig();
  for (const script of SCRIPTS) {
    const text = await Deno.readTextFile(new URL(script, ROOT));
    assertEquals(/KIND_CLUSTER_NAME:-([\w-]+)/.exec(text)?.[1], name, script);
  }
});

Deno.test("scripts/kind-up and scripts/kind-down are executable bash that passes bash -n", async () => {
  for (const script of SCRIPTS) {
    const url = new URL(script, ROOT);
    const text = await Deno.readTextFile(url);
    assert(text.startsWith("#!/usr/bin/env bash\n"), `${script}: shebang`);
    assertStringIncludes(text, "\nset -euo pipefail\n", `${script}: strict mode`);
    assert(((await Deno.stat(url)).mode ?? 0) & 0o111, `${script} is not executable`);
    const out = await new Deno.Command("bash", { args: ["-n", script], cwd: ROOT }).output();
    assert(out.success, `bash -n ${script}: ${new TextDecoder().decode(out.stderr)}`);
  }
});

Deno.test("scripts/kind-up applies only the base and loads the image it builds", async () => {
  const text = await Deno.readTextFile(new URL("scripts/kind-up", ROOT));
  assertStringIncludes(text, "apply -k k8s/");
  assert(!text.includes("clb-sync"), "kind-up must not apply the CLB sync");
  assertStringIncludes(text, "\nbash scripts/image\n");
  assertStringIncludes(text, "archive=dist/podgate-image.tar");
  assertStringIncludes(text, 'kind load image-archive "$archive" --name "$cluster"');
});

Deno.test("the kind scripts exit 1 naming what is missing when kind, Docker and podman are absent", async () => {
  const bash = await which("bash");
  const bin = await Deno.makeTempDir({ prefix: "podgate-kind-path-" });
  try {
    // Only what the scripts need before their tool check: no docker, no podman, no kind.
    await Deno.symlink(await which("dirname"), `${bin}/dirname`);
    const expected: Record<string, string[]> = {
      "scripts/kind-up": [
        "kind-up: kind is not installed",
        "kind-up: neither docker nor podman is installed",
      ],
      "scripts/kind-down": ["kind-down: kind is not installed"],
    };
    for (const script of SCRIPTS) {
      const out = await new Deno.Command(bash, {
        args: [script],
        cwd: ROOT,
        clearEnv: true,
        env: { PATH: bin, HOME: bin },
      }).output();
      assertEquals(out.code, 1, script);
      for (const line of expected[script]!) {
        assertStringIncludes(new TextDecoder().decode(out.stderr), line);
      }
    }
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
});
