// `podgate clb-sync` settings (file keys, PODGATE_* env, flags), and the Tencent Cloud
// credentials it reads under the original tool's env names.
import { z } from "zod";
import { listenPort, logLevel, millis } from "./fields.ts";

const clb = z.strictObject({
  /** One API call without an answer for this long fails (and is retried). */
  requestTimeoutMs: millis(10_000),
  /** Retry backoff for throttling, a busy load balancer and network errors: first delay, cap. */
  retryBaseMs: millis(500),
  retryMaxMs: millis(10_000),
  /** A call and its retries give up after this long. */
  retryDeadlineMs: millis(60_000),
  /** How often DescribeTaskStatus asks whether a write finished, and how long it may take. */
  taskPollMs: millis(1_000),
  taskTimeoutMs: millis(120_000),
  /** Requests per second per action (the API allows 20). */
  rateLimit: z.int({ error: "expected integer 1-20" }).min(1, "expected integer 1-20")
    .max(20, "expected integer 1-20").default(20),
});

const kubernetes = z.strictObject({
  /** A kubeconfig path; by default KUBECONFIG, then in-cluster, then ~/.kube/config. */
  kubeconfig: z.string().min(1).optional(),
  /** The kubeconfig context to use instead of its current-context. */
  context: z.string().min(1).optional(),
  /** Re-read the service account token at least this often (bound tokens rotate). */
  tokenReloadMs: millis(60_000),
  /** Reading one Deployment (Deployment, ReplicaSets, pods) gives up after this long. */
  requestTimeoutMs: millis(30_000),
  /** --watch: pod watch retry backoff, first delay and cap. */
  backoffInitialMs: millis(800),
  backoffMaxMs: millis(30_000),
  watchTimeoutMinSeconds: z.int().min(1).default(300),
  watchTimeoutMaxSeconds: z.int().min(1).default(600),
});

export const clbSyncConfigSchema = z.strictObject({
  /** The rules file (the original tool's rules.yaml format). */
  rules: z.string().min(1).default("rules.yaml"),
  /** Print the plan, write nothing. */
  dryRun: z.boolean().default(false),
  /** Keep running: re-plan on pod changes and on a timer. */
  watch: z.boolean().default(false),
  /** Pass the deletion guard. */
  force: z.boolean().default(false),
  /** Take over untagged ENI targets on the configured rules (migrating from the original tool). */
  adopt: z.boolean().default(false),
  /** The Tag podgate puts on every target it registers; targets without it are never touched. */
  tag: z.string().regex(/^\S{1,64}$/, "expected 1-64 characters without spaces").default(
    "podgate",
  ),
  /**
   * The readiness gate: pods that list this condition type under spec.readinessGates get it set
   * True once every rule they feed holds them (TKE's is cloud.tencent.com/load-balancer-backendgroup-ready).
   */
  gateConditionType: z.string().regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/,
    "expected a condition type like podgate.io/clb-registered",
  ).default("podgate.io/clb-registered"),
  /** Seconds a leaving target sits at weight 0 before removal (rules may set drain_seconds). */
  drainSeconds: z.number({ error: "expected seconds 0-3600" }).min(0, "expected seconds 0-3600")
    .max(3600, "expected seconds 0-3600").default(10),
  /** --watch: a gate still waiting (a health check pending) is looked at again this soon. */
  recheckMs: millis(2_000),
  /** The deletion guard: the share of a rule's targets one pass may remove (0-1). */
  maxDeleteShare: z.number({ error: "expected a number 0-1" }).min(0, "expected a number 0-1")
    .max(1, "expected a number 0-1").default(0.5),
  logLevel: logLevel(),
  /** --watch: /health and /metrics listen here. */
  port: listenPort().default(8080),
  hostname: z.string().min(1).default("0.0.0.0"),
  /** --watch: a pod change waits this long for more changes before a pass starts. */
  debounceMs: millis(1_000),
  /** --watch: a full pass at least this often, pod changes or not. */
  resyncMs: millis(300_000),
  /** --watch: on SIGTERM, how long a running pass may take before the process exits anyway. */
  stopMs: millis(30_000),
  clb: clb.prefault({}),
  kubernetes: kubernetes.prefault({}),
}).superRefine((c, ctx) => {
  if (c.kubernetes.watchTimeoutMaxSeconds < c.kubernetes.watchTimeoutMinSeconds) {
    ctx.addIssue({
      code: "custom",
      path: ["kubernetes", "watchTimeoutMaxSeconds"],
      message: "must be at least watchTimeoutMinSeconds",
    });
  }
  if (c.watch && c.resyncMs === 0) {
    ctx.addIssue({ code: "custom", path: ["resyncMs"], message: "must be above 0 with --watch" });
  }
});

export type ClbSyncConfig = z.output<typeof clbSyncConfigSchema>;

/** The credentials and endpoint, from the environment; values never reach a log line. */
export const clbCredentialsSchema = z.object({
  CLOUD_TENCENT_SECRET_ID: z.string({ error: "required: the API SecretId" }).trim().min(
    1,
    "required: the API SecretId",
  ),
  CLOUD_TENCENT_SECRET_KEY: z.string({ error: "required: the API SecretKey" }).trim().min(
    1,
    "required: the API SecretKey",
  ),
  TENCENT_REGION: z.string().trim().regex(
    /^[a-z]{2,}(-[a-z0-9]+)+$/,
    "expected a region like ap-beijing",
  ).default("ap-beijing"),
  /** http(s)://host[:port] of the API (tests, private clouds); the public endpoint otherwise. */
  TENCENT_CLB_ENDPOINT: z.url({
    protocol: /^https?$/,
    error: "expected a URL like https://clb.tencentcloudapi.com or http://127.0.0.1:9000",
  }).refine((url) => !/^[a-z]+:\/\/[^/]*@/i.test(url), "must not carry credentials")
    .optional(),
});

export type ClbCredentials = z.output<typeof clbCredentialsSchema>;
