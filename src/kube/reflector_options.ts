// What a Reflector is told: where to list and watch, how to parse items, whom to tell, and its
// timers (production defaults; tests pass short ones).
import type { z } from "zod";
import type { Logger } from "../log.ts";
import type { KubeApi } from "./api.ts";
import type { KubeObject } from "./objects.ts";

/** Why a watch had to start again (issue 5 counts these per reason). */
export type RestartReason =
  | "closed" // the server ended the watch normally (timeoutSeconds reached)
  | "deadline" // no end from the server long past timeoutSeconds: abandoned
  | "expired" // 410 Gone: the resourceVersion is too old, the cache is relisted
  | "unauthorized" // 401 even with freshly read credentials
  | "forbidden" // 403: RBAC does not allow list or watch
  | "error"; // anything else: connection refused, 5xx, a broken stream

export interface ReflectorTimers {
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Each watch asks the server to end it after a random time in this range. */
  watchTimeoutMinSeconds: number;
  watchTimeoutMaxSeconds: number;
  /** A watch still open this long past its timeoutSeconds is abandoned (a silent dead peer). */
  watchGraceMs: number;
  /** A watch that ends sooner than this without one event is retried with backoff, not at once. */
  shortWatchMs: number;
}

export const DEFAULT_REFLECTOR_TIMERS: Readonly<ReflectorTimers> = Object.freeze({
  backoffInitialMs: 800,
  backoffMaxMs: 30_000,
  watchTimeoutMinSeconds: 300,
  watchTimeoutMaxSeconds: 600,
  watchGraceMs: 30_000,
  shortWatchMs: 1_000,
});

export interface ReflectorOptions<T extends KubeObject> {
  api: KubeApi;
  /** The collection's path, e.g. `/apis/discovery.k8s.io/v1/namespaces/ns/endpointslices`. */
  path: string;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** Parses one item; items that fail are logged and skipped. */
  itemSchema: z.ZodType<T>;
  /** Receives the whole set after the first list and after every change. */
  onChange: (items: readonly T[]) => void;
  onRestart?: (reason: RestartReason) => void;
  logger?: Logger;
  timers?: Partial<ReflectorTimers>;
  random?: () => number;
  now?: () => number;
  /** Waits `ms`, resolving early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Names this watch in log lines (default: the path). */
  name?: string;
}

/** Waits `ms`, resolving early (never rejecting) when `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
