// The container image, built by scripts/image and run for real: the archive's contents and names,
// a reproducible layer, `podman load`, containerd's import as `kind load image-archive` does it,
// and podman runs under runc with the manifests' restrictions (read-only root, UID 1001, no
// capabilities, no new privileges, a tmpfs on /tmp). Tests that need a container runtime say SKIP
// only where this machine cannot run any container; scripts/setup --test installs podman.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import {
  blobPath,
  buildImage,
  type Built,
  layerEntries,
  member,
  memberJson,
  mib,
} from "./archive.ts";
import { Containerd } from "./containerd.ts";
import { Dockerd } from "./dockerd.ts";
import {
  AS_THE_MANIFESTS,
  cannotRunContainers,
  Container,
  CONTAINERS_CONF,
  podman,
  podmanOk,
  ROOT,
  run,
} from "./podman.ts";

const VERSION = /export const VERSION = "([^"]+)"/.exec(
  await Deno.readTextFile(`${ROOT}src/version.ts`),
)![1]!;
const IMAGE = `podgate:${VERSION}`;
const TAGS = [`localhost/podgate:${VERSION}`, "localhost/podgate:dev"];
const ARCH = Deno.build.arch === "aarch64" ? "arm64" : "amd64";
const DRAIN = { drainDelayMs: 1000, drainMs: 5000 };
const opts = { sanitizeOps: false, sanitizeResources: false };

const work = await Deno.makeTempDir({ prefix: "podgate-image-test-" });
await Deno.chmod(work, 0o755); // config files under it are mounted for UID 1001
globalThis.addEventListener("unload", () => Deno.removeSync(work, { recursive: true }));
const built: Built = await buildImage(`${ROOT}dist/podgate-image.tar`);
console.log(built.printed);

const noRuntime = await cannotRunContainers();
if (noRuntime) console.log(`SKIP: the podman tests: ${noRuntime}`);
else console.log(`podman: CONTAINERS_CONF=${CONTAINERS_CONF ?? "(unset)"}`);
const needsPodman = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, ignore: noRuntime !== undefined, ...opts, fn });

let containerdMissing: string | undefined;
if ((await run("bash", ["-c", "command -v containerd && command -v ctr"])).code !== 0) {
  containerdMissing = "containerd is not installed, and scripts/setup --test could not install it";
  console.log(`SKIP: the kind load image-archive test: ${containerdMissing}`);
}

// Docker is not installed for the tests (podman runs the image): where a dockerd exists, docker
// load is checked on one of the test's own.
const noDocker = (await run("bash", ["-c", "command -v dockerd && command -v docker"])).code !== 0;
if (noDocker) console.log("SKIP: the docker load test: no Docker engine (dockerd) on this machine");

/** A config file the proxy container reads at /etc/config/config.json, like the ConfigMap. */
async function configFile(name: string, config: unknown): Promise<string> {
  const path = `${work}/${name}.json`;
  await Deno.writeTextFile(path, typeof config === "string" ? config : JSON.stringify(config));
  await Deno.chmod(path, 0o644);
  return `--volume=${path}:/etc/config/config.json:ro`;
}

let seq = 0;
const containerName = (role: string) => `podgate-test-${role}-${Deno.pid}-${++seq}`;

async function get(url: string) {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

Deno.test({
  name: "scripts/image builds the same layer and config twice from one commit",
  ...opts,
  async fn() {
    const again = await buildImage(`${work}/again.tar`);
    // Both builds compile the tree as it is: a source file saved in between changes the binary.
    assertEquals(again.binary, built.binary, "bun built another binary from the same tree");
    assertEquals(again.layer, built.layer, "the layer digest changed between two builds");
    assertEquals(again.config, built.config, "the image ID changed between two builds");
    assertEquals(again.manifest, built.manifest);
    console.log(`reproducible: layer ${built.layer}, image ID ${built.config}`);
  },
});

Deno.test({
  name: "the layer holds the binary, exactly its ldd libraries, the CA bundle, passwd, group, /tmp",
  ...opts,
  async fn() {
    const entries = await layerEntries(built.archive, built.layer);
    const ldd = await run("ldd", [`${ROOT}dist/podgate`]);
    const libs = [...ldd.stdout.matchAll(/(\/\S+) \(0x[0-9a-f]+\)/g)].map((m) => m[1]!.slice(1));
    const files = [
      "podgate",
      ...libs,
      "etc/ssl/certs/ca-certificates.crt",
      "etc/passwd",
      "etc/group",
    ];
    const dirs = new Set(["tmp"]);
    for (const file of files) {
      for (let at = file.indexOf("/"); at !== -1; at = file.indexOf("/", at + 1)) {
        dirs.add(file.slice(0, at));
      }
    }
    assertEquals(
      entries.map((e) => e.path).sort(),
      [...files, ...dirs].sort(),
      "the layer holds other files than the binary needs",
    );
    for (const entry of entries) assertEquals(entry.owner, "0/0", `${entry.path} is not root's`);
    const mode = (path: string) => entries.find((e) => e.path === path)?.mode;
    assertEquals(mode("podgate"), "-rwxr-xr-x");
    assertEquals(mode("tmp"), "drwxrwxrwt");
    assertEquals(mode("etc/passwd"), "-rw-r--r--");
    const passwd = await run("bash", [
      "-c",
      `tar -xOf '${built.archive}' '${blobPath(built.layer)}' | tar -xO etc/passwd etc/group`,
    ]);
    assertStringIncludes(passwd.stdout, "podgate:x:1001:1001:");
    assertStringIncludes(passwd.stdout, "podgate:x:1001:\n");
    const size = entries.reduce((sum, e) => sum + e.size, 0);
    const binary = entries.find((e) => e.path === "podgate")!.size;
    console.log(
      `image size: ${mib(size)} in ${entries.length} entries ` +
        `(the binary ${mib(binary)}, libraries and the rest ${mib(size - binary)})`,
    );
  },
});

Deno.test({
  name: "the image has no shell and no package manager",
  ...opts,
  async fn() {
    const paths = (await layerEntries(built.archive, built.layer)).map((e) => e.path);
    const shells = /(^|\/)(sh|bash|dash|ash|busybox|zsh)$/;
    const packageManagers =
      /(^|\/)(apt|apt-get|dpkg|apk|rpm|dnf|yum|microdnf|opkg)$|var\/lib\/dpkg/;
    assertEquals(paths.filter((p) => shells.test(p)), [], "a shell is in the image");
    assertEquals(paths.filter((p) => packageManagers.test(p)), [], "a package manager is in it");
    assert(!paths.some((p) => /^(usr\/)?s?bin(\/|$)/.test(p)), "the image has a bin directory");
  },
});

Deno.test({
  name: "the archive tags podgate:VERSION and podgate:dev, with version, revision and source",
  ...opts,
  async fn() {
    const revision = (await run("git", ["-C", ROOT, "rev-parse", "HEAD"])).stdout.trim();
    assertEquals(built.labels.version, VERSION);
    assertMatch(built.labels.revision!, new RegExp(`^${revision}(-dirty)?$`));
    assert(built.labels.source, "no source label");

    const index = await memberJson<{ manifests: Array<{ annotations: Record<string, string> }> }>(
      built.archive,
      "index.json",
    );
    assertEquals(index.manifests.map((m) => m.annotations["io.containerd.image.name"]), [
      `docker.io/library/podgate:${VERSION}`,
      "docker.io/library/podgate:dev",
    ]);
    assertEquals(index.manifests.map((m) => m.annotations["org.opencontainers.image.ref.name"]), [
      VERSION,
      "dev",
    ]);
    const docker = await memberJson<Array<{ RepoTags: string[] }>>(built.archive, "manifest.json");
    assertEquals(docker[0]?.RepoTags, [IMAGE, "podgate:dev"]);

    const manifest = await memberJson<{ annotations: Record<string, string> }>(
      built.archive,
      blobPath(built.manifest),
    );
    const config = JSON.parse(await member(built.archive, blobPath(built.config)));
    for (const labels of [manifest.annotations, config.config.Labels]) {
      assertEquals(labels["org.opencontainers.image.version"], VERSION);
      assertEquals(labels["org.opencontainers.image.revision"], built.labels.revision);
      assertEquals(labels["org.opencontainers.image.source"], built.labels.source);
    }
    assertEquals(config.config.User, "1001:1001");
    assertEquals(config.config.Entrypoint, ["/podgate"]);
    assertEquals(config.config.Cmd, ["proxy"]);
    assertEquals(config.rootfs.diff_ids, [built.layer]);
  },
});

Deno.test({
  name: "containerd imports the archive as kind load image-archive does, as podgate:dev",
  ignore: containerdMissing !== undefined,
  ...opts,
  async fn() {
    const containerd = await Containerd.start();
    try {
      const imported = await containerd.importLikeKind(built.archive);
      assertEquals(imported.code, 0, imported.stderr);
      const names = (await containerd.ctr("--namespace=k8s.io", "images", "list", "--quiet"))
        .stdout.trim().split("\n");
      // k8s/ runs `image: podgate:dev`, which the kubelet resolves to docker.io/library/podgate:dev.
      for (const tag of [VERSION, "dev"]) {
        assert(names.includes(`docker.io/library/podgate:${tag}`), `not imported as ${tag}`);
      }
      const listed = await containerd.ctr("--namespace=k8s.io", "images", "list");
      assertStringIncludes(listed.stdout, built.manifest);
      assertStringIncludes(listed.stdout, `linux/${ARCH}`);
    } finally {
      await containerd.stop();
    }
  },
});

Deno.test({
  name: "docker load takes the archive as podgate:VERSION and podgate:dev",
  ignore: noDocker,
  ...opts,
  async fn() {
    const dockerd = await Dockerd.start();
    try {
      const loaded = await dockerd.docker("load", `--input=${built.archive}`);
      assertEquals(loaded.code, 0, loaded.stderr);
      for (const tag of [IMAGE, "podgate:dev"]) {
        assertStringIncludes(loaded.stdout, `Loaded image: ${tag}`);
      }
      const inspected = await dockerd.docker(
        "image",
        "inspect",
        '--format={{.Id}} {{.Config.User}} {{index .Config.Labels "org.opencontainers.image.version"}}',
        "podgate:dev",
      );
      assertEquals(inspected.stdout.trim(), `${built.config} 1001:1001 ${VERSION}`);
      const version = (await dockerd.docker("version", "--format={{.Server.Version}}")).stdout;
      console.log(`docker load (Docker Engine ${version.trim()}): ${loaded.stdout.trim()}`);
    } finally {
      await dockerd.stop();
    }
  },
});

needsPodman("podman load takes the archive with both tags and the labels", async () => {
  // The IDs these tags had before, to drop once nothing else names them (no dangling copies).
  const before = await podman("image", "inspect", "--format={{.Id}}", ...TAGS);
  const loaded = await podmanOk("load", `--input=${built.archive}`);
  for (const tag of TAGS) assertStringIncludes(loaded, `Loaded image: ${tag}`);
  const [id, labels, size] = (await podmanOk(
    "image",
    "inspect",
    "--format={{.Id}}|{{json .Labels}}|{{.Size}}",
    IMAGE,
  )).trim().split("|");
  assertEquals(`sha256:${id}`, built.config);
  assertEquals(JSON.parse(labels!)["org.opencontainers.image.version"], VERSION);
  console.log(`podman image ${IMAGE}: ID sha256:${id}, size ${mib(Number(size))}`);
  for (const old of new Set(before.stdout.trim().split("\n").filter(Boolean))) {
    if (`sha256:${old}` !== built.config) await podman("rmi", old); // fails if still used: fine
  }
});

needsPodman("(a) podgate version runs in the container as the manifests run it", async () => {
  const out = await podman("run", "--rm", ...AS_THE_MANIFESTS, IMAGE, "version");
  assertEquals(out.code, 0, out.stderr);
  assertMatch(out.stdout.trim(), new RegExp(`^podgate ${VERSION.replaceAll(".", "\\.")} \\(bun `));
  console.log(`$ podman run --rm ${AS_THE_MANIFESTS.join(" ")} ${IMAGE} version`);
  console.log(out.stdout.trim());
});

needsPodman("(b) a request through the proxy container reaches the backend container", async () => {
  const backend = new Container(containerName("backend"), [
    ...AS_THE_MANIFESTS,
    "--env=POD_NAME=backend-c1",
    IMAGE,
    "backend",
    "--port=0",
    "--hostname=127.0.0.1",
  ]);
  let proxy: Container | undefined;
  try {
    const backendPort = await backend.port();
    proxy = new Container(containerName("proxy"), [
      ...AS_THE_MANIFESTS,
      await configFile("proxy", {
        port: 0,
        hostname: "127.0.0.1",
        backends: [`127.0.0.1:${backendPort}`],
        timeouts: DRAIN,
      }),
      IMAGE,
    ]);
    const url = `http://127.0.0.1:${await proxy.port()}`;
    const transcript: string[] = [];
    const call = async (path: string) => {
      const res = await get(`${url}${path}`);
      transcript.push(`$ curl -s ${url}${path}   # → ${res.status}`, res.body.trim());
      return res;
    };
    assertEquals(await call("/ping"), { status: 200, body: '{"podname":"backend-c1","count":1}' });
    const status = JSON.parse((await call("/status")).body);
    assertEquals(status.podName, "backend-c1");
    assertEquals(await call("/health"), {
      status: 200,
      body: '{"status":"healthy","backends_available":1}',
    });
    assertEquals(await call("/ready"), { status: 200, body: '{"status":"ready"}' });
    const metrics = await get(`${url}/metrics`);
    assertEquals(metrics.status, 200);
    const requests = metrics.body.split("\n").filter((l) =>
      /^podgate_(requests_total|upstream_requests_total)\{/.test(l)
    );
    assert(
      requests.some((l) => /^podgate_upstream_requests_total\{.*code="200"\} 2$/.test(l)),
      metrics.body,
    );
    transcript.push(`$ curl -s ${url}/metrics | grep requests_total{`, ...requests);
    const seen = await processOf(proxy);
    assertEquals(seen, {
      uid: "1001\t1001\t1001\t1001",
      gid: "1001\t1001\t1001\t1001",
      capEff: "0000000000000000",
      capBnd: "0000000000000000",
      noNewPrivs: "1",
      root: "overlay ro",
      tmp: "tmpfs rw",
    });
    const logged = await proxy.waitForLog((l) => l.msg === "request" && l.path === "/ping");
    assertEquals(logged.backend, `127.0.0.1:${backendPort}`);
    transcript.push("proxy container log:", JSON.stringify(logged));
    console.log(transcript.join("\n"));
  } finally {
    await proxy?.remove();
    await backend.remove();
  }
});

needsPodman("(c) SIGTERM drains the proxy container: in-flight request done, exit 0", async () => {
  const backend = new Container(containerName("backend"), [
    ...AS_THE_MANIFESTS,
    IMAGE,
    "backend",
    "--port=0",
    "--hostname=127.0.0.1",
  ]);
  let proxy: Container | undefined;
  let conn: Deno.Conn | undefined;
  try {
    proxy = new Container(containerName("proxy"), [
      ...AS_THE_MANIFESTS,
      await configFile("drain", {
        port: 0,
        hostname: "127.0.0.1",
        backends: [`127.0.0.1:${await backend.port()}`],
        timeouts: DRAIN,
      }),
      IMAGE,
    ]);
    const port = await proxy.port();
    // An upload streamed through the proxy to the backend's /echo: in flight until its last chunk.
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const enc = new TextEncoder();
    await conn.write(enc.encode(
      "POST /echo HTTP/1.1\r\nHost: podgate\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
    ));
    let response = await readUntil(conn, "hello\r\n");
    assertStringIncludes(response, "HTTP/1.1 200");

    const sent = performance.now();
    await proxy.kill("TERM");
    await proxy.waitForLog((l) => l.msg === "draining");
    const ready = await get(`http://127.0.0.1:${port}/ready`);
    assertEquals(ready.status, 503, "/ready still says ready while draining");
    // The rest of the upload only once the listener is closed (after drainDelayMs): the request
    // then lives on in the drain proper.
    assert(await listenerCloses(port), "the proxy still accepts connections after drainDelayMs");
    await conn.write(enc.encode("5\r\nworld\r\n0\r\n\r\n"));
    response += await readUntil(conn, "\r\n0\r\n\r\n");
    const body = response.split("\r\n\r\n")[1]!.split("\r\n").filter((_, i) => i % 2 === 1);
    assertEquals(body.join(""), "helloworld", "the in-flight request was cut");

    const { code } = await proxy.status;
    const tookMs = Math.round(performance.now() - sent);
    assertEquals(code, 0, proxy.stderr());
    assert(
      tookMs < DRAIN.drainMs,
      `the proxy took ${tookMs} ms to exit (drainMs ${DRAIN.drainMs})`,
    );
    const stopped = proxy.logs.find((l) => l.msg === "stopped");
    assertEquals(stopped?.drained, true);
    console.log(
      [
        `podman kill --signal=TERM ${proxy.name}: exit ${code} after ${tookMs} ms ` +
        `(drainDelayMs ${DRAIN.drainDelayMs}, drainMs ${DRAIN.drainMs}); /ready meanwhile: ` +
        `${ready.status} ${ready.body}; the streamed POST /echo finished: "${body.join("")}"`,
        ...proxy.logs.filter((l) => ["signal", "draining", "stopped"].includes(String(l.msg)))
          .map((l) => JSON.stringify(l)),
      ].join("\n"),
    );
  } finally {
    conn?.close();
    await proxy?.remove();
    await backend.remove();
  }
});

needsPodman("(d) a bad config file exits 2 with the config error on stderr", async () => {
  const out = await podman(
    "run",
    "--rm",
    ...AS_THE_MANIFESTS,
    await configFile("bad", '{"port": 8080, "backendServiceName": "svc", "backendPort": "HTTP"}'),
    IMAGE,
  );
  assertEquals(out.code, 2, out.stderr);
  assertStringIncludes(
    out.stderr,
    'config error: /etc/config/config.json: backendPort: expected a port number or name, got "HTTP"',
  );
  console.log(`exit ${out.code}; stderr: ${out.stderr.trim()}`);
});

needsPodman("(e) the container has no shell to start", async () => {
  for (const shell of ["/bin/sh", "/bin/bash", "/busybox"]) {
    const out = await podman("run", "--rm", ...AS_THE_MANIFESTS, `--entrypoint=${shell}`, IMAGE);
    assert(out.code === 127 || out.code === 126, `${shell}: exit ${out.code}`);
    assertMatch(out.stderr, /no such file or directory|not found/i);
  }
});

/** Whether connecting to `port` is refused within `timeoutMs`. */
async function listenerCloses(port: number, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/** What the kernel says of a container's process: UID/GID, capabilities, no_new_privs, mounts. */
async function processOf(container: Container) {
  const pid = (await podmanOk("inspect", "--format={{.State.Pid}}", container.name)).trim();
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const field = (name: string) => new RegExp(`^${name}:\\s+(.*)$`, "m").exec(status)?.[1];
  const mounts = (await Deno.readTextFile(`/proc/${pid}/mountinfo`)).split("\n").map((l) =>
    l.split(" ")
  );
  const mount = (at: string) => {
    const m = mounts.find((f) => f[4] === at);
    return m && `${m[m.indexOf("-") + 1]} ${m[5]!.split(",")[0]}`; // "tmpfs rw", "overlay ro"
  };
  return {
    uid: field("Uid"),
    gid: field("Gid"),
    capEff: field("CapEff"),
    capBnd: field("CapBnd"),
    noNewPrivs: field("NoNewPrivs"),
    root: mount("/"),
    tmp: mount("/tmp"),
  };
}

/** Reads from `conn` until the text read so far ends with `end`. */
async function readUntil(conn: Deno.Conn, end: string, timeoutMs = 10_000): Promise<string> {
  const buf = new Uint8Array(16384);
  const dec = new TextDecoder();
  let text = "";
  const deadline = Date.now() + timeoutMs;
  while (!text.endsWith(end)) {
    if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(end)} in: ${text}`);
    const n = await conn.read(buf);
    if (n === null) throw new Error(`connection closed before ${JSON.stringify(end)}: ${text}`);
    text += dec.decode(buf.subarray(0, n));
  }
  return text;
}
