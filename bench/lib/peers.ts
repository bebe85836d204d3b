// The proxies under comparison and the backends they front: one start function per peer. Each
// proxy is pinned to the proxy core; backends share the load core with wrk.
import type { ProcessGroup, Running } from "./process_group.ts";

export interface BenchContext {
  /** Repository root. */
  root: string;
  /** Scratch directory for generated configs, binaries, logs; removed at the end. */
  tmp: string;
  group: ProcessGroup;
  proxyCpu: string;
  loadCpu: string;
  /** `127.0.0.1:port` of each backend. */
  backends: string[];
}

export type PeerId =
  | "direct"
  | "nginx"
  | "haproxy"
  | "go"
  | "bun-minimal"
  | "podgate"
  | "podgate-base";

export interface Peer {
  id: PeerId;
  label: string;
  /** Starts the proxy on `port`; `undefined` when there is nothing to start (direct). */
  start(ctx: BenchContext, port: number): Promise<Running | undefined>;
}

export const PEERS: readonly Peer[] = [
  { id: "direct", label: "direct to one backend", start: () => Promise.resolve(undefined) },
  { id: "nginx", label: "nginx", start: startNginx },
  { id: "haproxy", label: "HAProxy", start: startHaproxy },
  { id: "go", label: "Go httputil.ReverseProxy", start: startGoProxy },
  { id: "bun-minimal", label: "minimal Bun.serve + fetch", start: startBunMinimal },
  { id: "podgate", label: "podgate (dist/podgate)", start: startPodgate },
  // Another build of podgate, side by side with this one: PODGATE_BASE_BIN names its binary
  // (e.g. one built from an older commit), and the peer is skipped when it is not set.
  {
    id: "podgate-base",
    label: "podgate (PODGATE_BASE_BIN)",
    start: (ctx, port) => {
      const bin = Deno.env.get("PODGATE_BASE_BIN");
      if (!bin) throw new Error("PODGATE_BASE_BIN is not set");
      return startPodgate(ctx, port, bin);
    },
  },
];

/** Asks the kernel for a free loopback port (it may be taken again before use; rare, and reported). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** nginx, one worker, round-robin upstream with keepalive; request bodies streamed, no disk. */
async function startNginx(ctx: BenchContext, port: number): Promise<Running> {
  const dir = `${ctx.tmp}/nginx-${port}`;
  await Deno.mkdir(dir, { recursive: true });
  const user = Deno.uid() === 0 ? "user root;" : "";
  const servers = ctx.backends.map((b) => `    server ${b};`).join("\n");
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    `${user}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_timeout 120s;
  keepalive_requests 1000000;
  client_max_body_size 0;
  client_body_buffer_size 128k;
  upstream backends {
${servers}
    keepalive 128;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_request_buffering off;
      proxy_max_temp_file_size 0;
      proxy_buffer_size 64k;
      proxy_buffers 8 64k;
      proxy_busy_buffers_size 128k;
    }
  }
}
`,
  );
  return ctx.group.spawn("nginx", [
    "nginx",
    "-p",
    dir,
    "-e",
    "stderr",
    "-c",
    `${dir}/nginx.conf`,
    "-g",
    "daemon off;",
  ], { cpu: ctx.proxyCpu });
}

/** HAProxy, one thread, round-robin, idle server connections shared between clients. */
async function startHaproxy(ctx: BenchContext, port: number): Promise<Running> {
  const cfg = `${ctx.tmp}/haproxy-${port}.cfg`;
  const servers = ctx.backends.map((b, i) => `  server b${i + 1} ${b}`).join("\n");
  await Deno.writeTextFile(
    cfg,
    `global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 120s
  timeout server 120s
  option http-keep-alive
  http-reuse always
frontend bench
  bind 127.0.0.1:${port}
  default_backend backends
backend backends
  balance roundrobin
${servers}
`,
  );
  return ctx.group.spawn("haproxy", ["haproxy", "-db", "-f", cfg], { cpu: ctx.proxyCpu });
}

/** Builds the Go programs in bench/go offline (stdlib only), with caches inside the scratch dir. */
export async function buildGo(
  ctx: BenchContext,
  name: "backend" | "reverse_proxy",
): Promise<string> {
  const out = `${ctx.tmp}/go/${name}`;
  try {
    await Deno.stat(out);
    return out;
  } catch { /* not built yet */ }
  const { code, stderr } = await new Deno.Command("go", {
    args: ["build", "-o", out, `${ctx.root}/bench/go/${name}.go`],
    env: {
      GOCACHE: `${ctx.tmp}/go/cache`,
      GOPATH: `${ctx.tmp}/go/path`,
      GOPROXY: "off",
      GOTOOLCHAIN: "local",
      GO111MODULE: "on",
    },
    cwd: ctx.tmp,
  }).output();
  if (code !== 0) {
    throw new Error(`Cannot build bench/go/${name}.go: ${new TextDecoder().decode(stderr)}`);
  }
  return out;
}

async function startGoProxy(ctx: BenchContext, port: number): Promise<Running> {
  const bin = await buildGo(ctx, "reverse_proxy");
  return ctx.group.spawn(
    "go",
    [bin, "-listen", `127.0.0.1:${port}`, "-backends", ctx.backends.join(",")],
    { cpu: ctx.proxyCpu },
  );
}

function startBunMinimal(ctx: BenchContext, port: number): Promise<Running> {
  return Promise.resolve(ctx.group.spawn(
    "bun-minimal",
    [`${ctx.root}/tools/node_modules/.bin/bun`, `${ctx.root}/bench/bun_minimal_proxy.ts`],
    { cpu: ctx.proxyCpu, env: { PORT: String(port), BACKENDS: ctx.backends.join(",") } },
  ));
}

/** The binary under test with its default config (access log on), discarding the log. */
function startPodgate(
  ctx: BenchContext,
  port: number,
  bin = `${ctx.root}/dist/podgate`,
): Promise<Running> {
  return Promise.resolve(ctx.group.spawn("podgate", [bin, "proxy"], {
    cpu: ctx.proxyCpu,
    cwd: ctx.tmp, // no ./config.json to pick up by accident
    quietStdout: true,
    env: {
      PODGATE_DISCOVERY: "static",
      PODGATE_BACKENDS: ctx.backends.join(","),
      PODGATE_PORT: String(port),
      PODGATE_HOSTNAME: "127.0.0.1",
    },
  }));
}

export type BackendKind = "go" | "podgate";

/** One backend on the load core: the Go backend, or `dist/podgate backend`. */
export async function startBackend(
  ctx: BenchContext,
  kind: BackendKind,
  index: number,
  port: number,
): Promise<Running> {
  const name = `backend-${index}`;
  if (kind === "go") {
    const bin = await buildGo(ctx, "backend");
    return ctx.group.spawn(name, [bin, "-listen", `127.0.0.1:${port}`, "-name", name], {
      cpu: ctx.loadCpu,
    });
  }
  return ctx.group.spawn(name, [`${ctx.root}/dist/podgate`, "backend"], {
    cpu: ctx.loadCpu,
    cwd: ctx.tmp,
    quietStdout: true,
    env: { PODGATE_PORT: String(port), PODGATE_HOSTNAME: "127.0.0.1", POD_NAME: name },
  });
}

/** Polls GET /ping until it answers 200; fails early with the process's output if it exits. */
export async function waitForPing(
  baseUrl: string,
  running: Running | undefined,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (running?.hasExited()) {
      const status = await running.exited;
      throw new Error(`exited with code ${status.code}: ${running.outputTail().slice(-400)}`);
    }
    try {
      const res = await fetch(`${baseUrl}/ping`, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const tail = running ? `; output: ${running.outputTail().slice(-400)}` : "";
  throw new Error(`no 200 from ${baseUrl}/ping within ${timeoutMs} ms (${last})${tail}`);
}
