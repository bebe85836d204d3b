// The Containerfile, read rather than built (no Docker engine or registry here; tests/image/ builds
// and runs the same files with scripts/image): a build stage pinned by digest that runs the
// project's own build and lays out the image's files with scripts/image, a runtime stage of only
// those files that runs /podgate as the UID the manifests expect, and a .dockerignore that keeps
// the host's platform-specific installs out.
import { assert, assertEquals } from "@std/assert";
import { baseObjects, deployments, ROOT } from "./load_manifests.ts";

interface Stage {
  from: string;
  name?: string;
  instructions: Array<{ op: string; args: string }>;
}

/** Splits a Containerfile into stages, resolving `${ARG}` in FROM from the global ARG defaults. */
function parseContainerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, " ").split("\n").map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op = "", rest = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = op.toUpperCase();
    if (upper === "ARG" && stages.length === 0) {
      const [name, value = ""] = rest.split("=", 2);
      args.set(name!.trim(), value.trim());
    } else if (upper === "FROM") {
      const [ref = "", as, name] = rest.split(/\s+/);
      const image = ref.replace(/\$\{?(\w+)\}?/g, (_, n) => args.get(n) ?? "");
      stages.push({
        from: image,
        ...(as?.toUpperCase() === "AS" && name ? { name } : {}),
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push({ op: upper, args: rest });
    }
  }
  return stages;
}

async function stages(): Promise<Stage[]> {
  const found = parseContainerfile(await Deno.readTextFile(new URL("Containerfile", ROOT)));
  assert(found.length >= 2, "the Containerfile is not a multi-stage build");
  return found;
}

const last = (stage: Stage, op: string) =>
  stage.instructions.filter((i) => i.op === op).at(-1)?.args;

Deno.test("parseContainerfile() resolves ARG defaults in FROM and splits stages", () => {
  const parsed = parseContainerfile(
    "ARG BASE=debian:bookworm-slim\nFROM node:22 AS build\nRUN a \\\n  b\nFROM ${BASE}\nUSER 1001\n",
  );
  assertEquals(parsed.map((s) => s.from), ["node:22", "debian:bookworm-slim"]);
  assertEquals(parsed.map((s) => s.name), ["build", undefined]);
  assertEquals(parsed[0]!.instructions, [{ op: "RUN", args: "a    b" }]);
});

Deno.test("the Containerfile builds with the project's scripts in a stage that has npm", async () => {
  const [build] = await stages();
  assert(/^node:\d+/.test(build!.from), `the build stage ${build!.from} has no Node/npm`);
  const runs = build!.instructions.filter((i) => i.op === "RUN").map((i) => i.args).join("\n");
  assert(runs.includes("bash scripts/setup"), "the build stage does not run scripts/setup");
  assert(runs.includes("bash scripts/build"), "the build stage does not run scripts/build");
  assert(runs.includes("bash scripts/image --rootfs /rootfs"), "no scripts/image --rootfs");
});

Deno.test("the Containerfile pins every base image by digest", async () => {
  const named = new Set<string>();
  for (const stage of await stages()) {
    if (stage.from !== "scratch" && !named.has(stage.from)) {
      assert(/@sha256:[0-9a-f]{64}$/.test(stage.from), `${stage.from} is not pinned by digest`);
    }
    if (stage.name) named.add(stage.name);
  }
});

Deno.test("the Containerfile's runtime image is scripts/image's rootfs, run as UID 1001", async () => {
  const runtime = (await stages()).at(-1)!;
  // Bun's linux binary links glibc: the rootfs brings the libraries ldd names, so no base image.
  assertEquals(runtime.from, "scratch");
  const copies = runtime.instructions.filter((i) => i.op === "COPY").map((i) => i.args);
  assertEquals(copies, ["--from=build /rootfs/ /"], "the runtime stage copies other files");
  assertEquals(last(runtime, "ENTRYPOINT"), '["/podgate"]');
  const user = last(runtime, "USER");
  assert(user && /^\d+(:\d+)?$/.test(user), `USER ${user} must be numeric for runAsNonRoot`);
  const [uid, gid = uid] = user.split(":").map(Number);
  for (const d of deployments(await baseObjects())) {
    const pod = d.spec.template.spec.securityContext;
    assertEquals(pod?.runAsUser, uid, `${d.metadata.name} runs as another UID than the image`);
    assertEquals(pod?.runAsGroup, gid, `${d.metadata.name} runs as another GID than the image`);
  }
});

Deno.test(".dockerignore keeps the host's node_modules, tools and dist out of the build", async () => {
  const patterns = (await Deno.readTextFile(new URL(".dockerignore", ROOT))).split("\n")
    .map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  const ignores = (path: string) =>
    patterns.some((p) => p === path || p === `/${path}` || p === `**/${path.split("/").at(-1)}`);
  for (const path of ["node_modules", "tools/node_modules", "dist", ".git"]) {
    assert(ignores(path), `.dockerignore does not exclude ${path}`);
  }
});
