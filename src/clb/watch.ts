// `clb-sync --watch`: the same pass as the CronJob, run at start, within a couple of seconds of a
// relevant pod change, and on a resync timer; /health and /metrics on a port; a clean stop on
// SIGTERM (no new pass, the running one finishes or the stop deadline passes).
import type { KubeApi } from "../kube/api.ts";
import type { KubePatchApi } from "../kube/patch.ts";
import type { ReflectorTimers } from "../kube/reflector.ts";
import { type Logger, silentLogger } from "../log.ts";
import type { FetchHandler, RunningServer } from "../runtime/mod.ts";
import { within } from "../timing.ts";
import type { ClbClient } from "./clb_client.ts";
import type { ClbSyncMetrics } from "./metrics.ts";
import { PodTriggers } from "./pod_triggers.ts";
import { reconcile, type ReconcileOptions } from "./reconcile.ts";
import { summaryFields } from "./summary.ts";
import { SyncLoop } from "./sync_loop.ts";
import type { RuleSpec } from "./types.ts";

export interface WatchOptions {
  rules: readonly RuleSpec[];
  kube: KubeApi;
  /** Writes the readiness gate's condition (pods/status). */
  pods?: KubePatchApi | undefined;
  clb: ClbClient;
  metrics: ClbSyncMetrics;
  reconcile: ReconcileOptions;
  debounceMs: number;
  resyncMs: number;
  /** On stop: how long a running pass may still take. */
  stopMs: number;
  /** How long to wait for the pod watches' first lists before the first pass. */
  kubeWaitMs: number;
  kubeTimers?: Partial<ReflectorTimers>;
  /** Starts the /health + /metrics server with the given handler. */
  serve: (handler: FetchHandler) => Promise<RunningServer>;
  /** Resolves (with a signal name) when the process should stop. */
  stopped: Promise<string>;
  logger?: Logger;
  now?: () => number;
}

/** Answers /health (503 once passes have stalled) and /metrics. */
export function statusHandler(
  { metrics, loop, resyncMs, stopMs, startedAt, now }: {
    metrics: ClbSyncMetrics;
    loop: SyncLoop;
    resyncMs: number;
    stopMs: number;
    startedAt: number;
    now: () => number;
  },
): FetchHandler {
  return (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/metrics") {
      return new Response(metrics.render(), {
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
      });
    }
    if (path === "/health" || path === "/healthz") {
      const last = metrics.lastPassAt || startedAt;
      const stalled = now() - last > 3 * resyncMs + stopMs;
      return Response.json({
        status: stalled ? "stalled" : "ok",
        passes: loop.passes,
        last_exit_code: loop.lastResult?.exitCode ?? null,
        last_pass_age_ms: metrics.lastPassAt ? now() - metrics.lastPassAt : null,
      }, { status: stalled ? 503 : 200 });
    }
    return Response.json({ error: "not found" }, { status: 404 });
  };
}

/** Runs until `stopped`; 0 after a clean stop, 2 when the first pass finds bad credentials. */
export async function runWatch(options: WatchOptions): Promise<0 | 2> {
  const { rules, kube, clb, metrics, logger = silentLogger, now = Date.now } = options;
  const startedAt = now();
  // Pod changes ask the loop for a pass; each pass tells the watches which pods matter.
  const triggers: PodTriggers = new PodTriggers({
    api: kube,
    namespaces: rules.map((r) => r.backend.namespace),
    logger,
    ...(options.kubeTimers ? { timers: options.kubeTimers } : {}),
    onRestart: (reason) => metrics.watchRestart(reason),
    onChange: (namespace) => loop.trigger(`pods/${namespace}`),
  });
  const loop: SyncLoop = new SyncLoop({
    debounceMs: options.debounceMs,
    resyncMs: options.resyncMs,
    logger,
    now,
    pass: async (reasons) => {
      logger.info("sync_pass", { reasons });
      const result = await reconcile(rules, {
        kube,
        pods: options.pods,
        clb,
        logger,
        now,
        onPodSet: (namespace, set) =>
          triggers.noteSelector(namespace, set.deployment, set.selector),
      }, options.reconcile);
      metrics.recordPass(result, now());
      logger.info("summary", summaryFields(result));
      return result;
    },
  });
  const server = await options.serve(
    statusHandler({
      metrics,
      loop,
      resyncMs: options.resyncMs,
      stopMs: options.stopMs,
      startedAt,
      now,
    }),
  );
  logger.info("listening", { hostname: server.hostname, port: server.port });
  await triggers.start(options.kubeWaitMs);

  let code: 0 | 2 = 0;
  const first = await loop.start();
  if (first.authFailure !== undefined) {
    logger.error("credentials_rejected", { error: first.authFailure });
    code = 2;
  } else {
    const signal = await options.stopped;
    logger.info("stopping", { signal });
  }
  const clean = await within(loop.stop(), options.stopMs);
  await triggers.stop();
  await server.shutdown();
  logger.info("stopped", { clean });
  return code;
}
