// The proxy's settings. Field names are the contract: file keys as written, env names derived
// (`backendServiceName` → `PODGATE_BACKEND_SERVICE_NAME`, nested with `__`).
import { z } from "zod";
import { hostPort, listenPort, logLevel, millis, port } from "./fields.ts";
import { HASH_KEY_PATTERN, parseHashKey } from "../balancer/hash_key.ts";
import { routesSchema, routesUseServices } from "./routes_schema.ts";
import { STRATEGIES } from "./strategies.ts";
import { gatewaySettingsSchema } from "../gateway/config.ts";

export { STRATEGIES };

const percent = (defaultPercent: number) =>
  z.number({ error: "expected a percentage 0-100" }).min(0, "expected a percentage 0-100")
    .max(100, "expected a percentage 0-100").default(defaultPercent);

/** Settings of the strategies that have any (src/balancer/). */
const balancer = z.strictObject({
  /** consistent-hash: `client-ip`, `header:NAME` or `cookie:NAME`. A request without that header
   * or cookie hashes its client IP. */
  hashKey: z.string().regex(HASH_KEY_PATTERN, "expected client-ip, header:NAME or cookie:NAME")
    .default("client-ip").transform(parseHashKey),
  /** ewma: the time constant over which a latency estimate forgets. */
  ewmaDecayMs: z.int({ error: "expected a whole number of milliseconds" })
    .min(1, "expected milliseconds >= 1").default(10_000),
  /** A backend that joins after the first discovery snapshot ramps its share up over this
   * window (weighted-round-robin, least-request, ewma, random); 0 turns slow start off. */
  slowStartMs: millis(0),
  /** The share of its weight a backend gets the moment it joins. */
  slowStartMinPercent: percent(10),
});

/** Passive health: eject a backend after consecutive failures (src/balancer/outlier.ts). */
const outlier = z.strictObject({
  /** Consecutive connect errors that eject a backend; 0 turns this check off. */
  consecutiveConnectErrors: z.int().min(0).default(5),
  /** Consecutive 5xx responses or timeouts that eject a backend; 0 turns this check off. */
  consecutiveServerErrors: z.int().min(0).default(5),
  /** An ejection lasts this × the times the backend has been ejected, up to maxEjectionMs. */
  baseEjectionMs: millis(30_000),
  maxEjectionMs: millis(300_000),
  /** Never eject more than this share of the pool (one backend may always go). */
  maxEjectedPercent: percent(50),
}).refine((o) => o.maxEjectionMs >= o.baseEjectionMs, {
  path: ["maxEjectionMs"],
  message: "must not be below baseEjectionMs",
});

const retry = z.strictObject({
  /** Tries per request, the first included; 1 turns retries off. */
  attempts: z.int().min(1, "expected at least 1").default(3),
  /** Retries in flight may be at most this share of the requests in flight… */
  budgetPercent: z.number().min(0).default(20),
  /** …or this many, whichever is more. */
  budgetMinConcurrency: z.int().min(0).default(10),
});

const limits = z.strictObject({
  /** Most requests in flight to one backend; a request that finds every backend at its limit
   * gets 503 with Retry-After. 0 turns the limit off. */
  maxInflightPerBackend: z.int().min(0).default(1000),
  /** A request head whose header fields (name + value + 4 bytes each, after the server joined
   * repeats) exceed this gets 431; 0 turns the check off. Bun.serve refuses heads over 16 KiB
   * itself, Deno.serve those over about 64 KiB (README, "Limits"). */
  maxHeaderBytes: z.int().min(0).default(16_384),
  /** A request with more header fields than this (after joining repeats) gets 431; 0: off. */
  maxHeaderCount: z.int().min(0).default(100),
});

const timeouts = z.strictObject({
  /** From sending a request upstream to its response headers; 504 after. */
  upstreamHeadersMs: millis(30_000),
  /** Longest pause between two chunks of an upstream response body before it is cut. */
  upstreamIdleMs: millis(60_000),
  /** podgate's own HTTP/1.1 client: a backend connection not open after this long fails as a
   * connect error (502, and the request may go to another backend). fetch has no such limit. */
  upstreamConnectMs: millis(5_000),
  /** podgate's own HTTP/1.1 client: an idle kept-alive backend connection is closed within
   * this long (0: one request per connection). Keep it below the backends' keep-alive timeout
   * (Node's default is 5 s, Go's none). */
  upstreamKeepAliveMs: millis(4_000),
  /** A client connection idle for this long is closed (Bun rounds to seconds, max 255 s). */
  clientIdleMs: millis(120_000),
  /** The longest a client may leave podgate waiting for the next bytes of a request body; a
   * request whose body stalls longer gets 408 (when no response has started), its connection is
   * closed and the upstream request is aborted. 0 turns the timer off. */
  clientBodyIdleMs: millis(60_000),
  /** Without response headers after this long, a client that has left cancels the upstream
   * request (sooner costs every fast request a little more; see proxy/transport.ts). */
  clientAbortCheckMs: millis(50),
  /** On SIGTERM: how long in-flight requests may take before the process exits anyway. */
  drainMs: millis(20_000),
  /** On SIGTERM: how long /ready reports 503 before the listener stops accepting. */
  drainDelayMs: millis(0),
});

/** The admin side: the live dashboard (src/admin/dashboard/). */
const admin = z.strictObject({
  /** How often the dashboard samples the pool and metrics, which is also its /events rate. */
  dashboardSampleMs: z.int({ error: "expected a whole number of milliseconds" })
    .min(100, "expected at least 100 ms").max(60_000, "expected at most 60000 ms").default(1000),
});

const kubernetes = z.strictObject({
  /** A kubeconfig path; by default KUBECONFIG, then ~/.kube/config, when not in a cluster. */
  kubeconfig: z.string().min(1).optional(),
  /** The kubeconfig context to use instead of its current-context. */
  context: z.string().min(1).optional(),
  /** Re-read the service account token at least this often (bound tokens rotate). */
  tokenReloadMs: millis(60_000),
  /** Watch retry backoff: first delay and cap (doubles with jitter in between). */
  backoffInitialMs: millis(800),
  backoffMaxMs: millis(30_000),
  /** Each watch asks the server to end it after a random time in this range. */
  watchTimeoutMinSeconds: z.int().min(1).default(300),
  watchTimeoutMaxSeconds: z.int().min(1).default(600),
  /** A request to the API server that takes longer than this fails (the watch stream excepted). */
  requestTimeoutMs: millis(30_000),
});

export const proxyConfigSchema = z.strictObject({
  port: listenPort().default(8080),
  hostname: z.string().min(1).default("0.0.0.0"),
  /** Serve /health, /ready, /info, /metrics and /debug on this port only, never on `port`. */
  adminPort: listenPort().optional(),
  discovery: z.enum(["static", "kubernetes"]).optional(),
  /** Static discovery: `host:port` of each backend. */
  backends: z.array(hostPort()).default([]),
  /** Kubernetes discovery: the Service whose EndpointSlices name the backends. */
  backendServiceName: z.string().min(1).optional(),
  /** The backend port: a number, or the name of a port in the EndpointSlices. */
  backendPort: z.union([
    port(),
    z.string().regex(/^[a-z0-9-]{1,63}$/, "expected a port number or name"),
  ])
    .default(8080),
  namespace: z.string().min(1).optional(),
  /** Host and path routes, each with its own backends (README, "Routes"); without them, one
   * implicit route sends every request to `backends` or `backendServiceName`. */
  routes: routesSchema.optional(),
  /** Where routes come from: this file's `routes` ("config"), or the HTTPRoutes attached to the
   * Gateway named in `gateway` ("gateway", Kubernetes discovery only). */
  routesFrom: z.enum(["config", "gateway"]).optional(),
  /** routesFrom gateway: the Gateway whose HTTPRoutes podgate serves (src/gateway/config.ts). */
  gateway: gatewaySettingsSchema.optional(),
  strategy: z.enum(STRATEGIES).default("round-robin"),
  /** Start the round-robin counter at a random offset, so replicas don't move in lock-step. */
  randomStart: z.boolean().default(false),
  /** Send the client's Host upstream (true) or the backend's address (false). */
  preserveHost: z.boolean().default(true),
  accessLog: z.boolean().default(true),
  /** How requests without a body reach backends: podgate's own HTTP/1.1 client ("http1"), or
   * the runtime's fetch ("fetch"). Requests with a body always go through fetch. */
  upstreamClient: z.enum(["http1", "fetch"]).default("http1"),
  /** With upstreamClient http1: send request bodies through the own client too (streamed with
   * backpressure, exact framing). Off by default: under Bun it measured slower than fetch for
   * 1 MiB POSTs (bench/results/issue15-bodies.md). */
  http1Bodies: z.boolean().default(false),
  /** Count requests for /metrics (the endpoint stays; off only skips the per-request counting). */
  metrics: z.boolean().default(true),
  logLevel: logLevel(),
  timeouts: timeouts.prefault({}),
  limits: limits.prefault({}),
  kubernetes: kubernetes.prefault({}),
  balancer: balancer.prefault({}),
  outlier: outlier.prefault({}),
  retry: retry.prefault({}),
  admin: admin.prefault({}),
}).superRefine((c, ctx) => {
  if (
    c.discovery === "kubernetes" && !c.backendServiceName && c.routes === undefined &&
    c.routesFrom !== "gateway"
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["backendServiceName"],
      message: "required when discovery is kubernetes",
    });
  }
  const routed = c.routes !== undefined || c.routesFrom === "gateway";
  if (routed && (c.backendServiceName || c.backends.length > 0)) {
    ctx.addIssue({
      code: "custom",
      path: [c.routes !== undefined ? "routes" : "routesFrom"],
      message: "routes name their own backends: drop backends and backendServiceName",
    });
  }
  if (c.routesFrom === "gateway" && c.routes !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["routes"],
      message: 'comes from HTTPRoutes when routesFrom is "gateway": drop this list',
    });
  }
  if (c.routes !== undefined && c.routes.length === 0) {
    ctx.addIssue({ code: "custom", path: ["routes"], message: "expected at least one route" });
  }
  if (
    c.discovery === undefined && !c.backendServiceName && c.backends.length === 0 && !routed
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["discovery"],
      message:
        "set backends (static discovery) or backendServiceName (kubernetes discovery), or routes",
    });
  }
  if (c.routesFrom === "gateway" && !c.gateway) {
    ctx.addIssue({
      code: "custom",
      path: ["gateway"],
      message: 'required when routesFrom is "gateway": {name: GATEWAY, namespace: NS}',
    });
  }
  if (c.discovery === "static" && c.routesFrom === "gateway") {
    ctx.addIssue({
      code: "custom",
      path: ["routesFrom"],
      message: 'needs discovery "kubernetes" (HTTPRoutes are read from the API server)',
    });
  }
  if (c.kubernetes.watchTimeoutMaxSeconds < c.kubernetes.watchTimeoutMinSeconds) {
    ctx.addIssue({
      code: "custom",
      path: ["kubernetes", "watchTimeoutMaxSeconds"],
      message: "must not be below watchTimeoutMinSeconds",
    });
  }
}).transform((c) => ({
  ...c,
  discovery: c.discovery ?? (c.backendServiceName || c.routesFrom === "gateway" ||
      (c.routes !== undefined && routesUseServices(c.routes))
    ? "kubernetes" as const
    : "static" as const),
  routesFrom: c.routesFrom ?? "config" as const,
}));

export type ProxyConfig = z.output<typeof proxyConfigSchema>;
