// The CLB API as clb-sync uses it: typed reads, and writes that wait for their async task. Every
// call is rate-limited per action, has a timeout, and is retried when that can help; writes on
// one load balancer run one at a time, each finished before the next starts.
import type { z } from "zod";
import { type Logger, silentLogger } from "../log.ts";
import { delay } from "../timing.ts";
import { ClbApiError, ClbTaskError, type ClbTransport, CLIENT_ERRORS, isRetryable } from "./api.ts";
import {
  describeListenersSchema,
  describeLoadBalancersSchema,
  describeTargetHealthSchema,
  describeTargetsSchema,
  type Listener,
  type ListenerBackend,
  type LoadBalancerHealth,
  type LoadBalancerInfo,
  taskStatusSchema,
  writeSchema,
} from "./clb_schemas.ts";
import { RateLimiter } from "./rate_limiter.ts";
import { retry } from "./retry.ts";

export const WRITE_ACTIONS = [
  "RegisterTargets",
  "DeregisterTargets",
  "BatchRegisterTargets",
  "BatchDeregisterTargets",
  "ModifyTargetWeight",
  "BatchModifyTargetWeight",
  "BatchModifyTargetTag",
] as const;
export type WriteAction = (typeof WRITE_ACTIONS)[number];

/** Writes the API documents as synchronous: done when they return, no task to wait for. */
const SYNC_WRITES: ReadonlySet<WriteAction> = new Set(["BatchModifyTargetTag"]);

export interface ClbClientOptions {
  /** Per call: no answer within this long counts as a network failure (and is retried). */
  timeoutMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A call (all its retries) gives up after this long. */
  retryDeadlineMs?: number;
  /** DescribeTaskStatus polling: interval, and how long a task may run. */
  taskPollMs?: number;
  taskTimeoutMs?: number;
  /** Requests per second per action (the API's own limit is 20). */
  rateLimit?: number;
  limiter?: RateLimiter;
  logger?: Logger;
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Told about every request sent: the action and `ok` or the error code. */
  observe?: (action: string, outcome: string) => void;
}

export interface WriteResult {
  requestId: string;
  /** Batch writes: listeners the API could not change (the rest were). */
  failedListenerIds: string[];
  message: string;
}

export interface ClbClient {
  describeLoadBalancers(ids: readonly string[]): Promise<LoadBalancerInfo[]>;
  describeListeners(loadBalancerId: string): Promise<Listener[]>;
  describeTargets(
    loadBalancerId: string,
    listenerIds: readonly string[],
  ): Promise<ListenerBackend[]>;
  /** Each target's health check result on the load balancer's listeners and rules. */
  describeTargetHealth(loadBalancerId: string): Promise<LoadBalancerHealth[]>;
  /** Sends a write and waits for its task; throws ClbApiError or ClbTaskError. */
  write(
    action: WriteAction,
    loadBalancerId: string,
    params: Record<string, unknown>,
  ): Promise<WriteResult>;
  /** Requests sent so far (retries included), by action. */
  readonly calls: Readonly<Record<string, number>>;
}

export function createClbClient(
  transport: ClbTransport,
  options: ClbClientOptions = {},
): ClbClient {
  const {
    timeoutMs = 10_000,
    retryBaseMs = 500,
    retryMaxMs = 10_000,
    retryDeadlineMs = 60_000,
    taskPollMs = 1_000,
    taskTimeoutMs = 120_000,
    rateLimit = 20,
    logger = silentLogger,
    random = Math.random,
    now = Date.now,
    sleep = delay,
    observe,
  } = options;
  const limiter = options.limiter ?? new RateLimiter({ perSecond: rateLimit, now, sleep });
  const calls: Record<string, number> = {};
  const locks = new Map<string, Promise<unknown>>();

  async function send(action: string, params: Record<string, unknown>): Promise<unknown> {
    const release = await limiter.acquire(action);
    calls[action] = (calls[action] ?? 0) + 1;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await transport.request(action, params, { signal });
      observe?.(action, "ok");
      return response;
    } catch (error) {
      observe?.(action, error instanceof ClbApiError ? error.code : CLIENT_ERRORS.network);
      throw error;
    } finally {
      release();
    }
  }

  async function call<S extends z.ZodType>(
    action: string,
    params: Record<string, unknown>,
    schema: S,
  ): Promise<z.output<S>> {
    const response = await retry(() => send(action, params), {
      baseMs: retryBaseMs,
      maxMs: retryMaxMs,
      deadlineMs: retryDeadlineMs,
      isRetryable,
      random,
      now,
      sleep,
      onRetry: (error, attempt, delayMs) =>
        logger.warn("clb_retry", {
          action,
          attempt,
          delay_ms: delayMs,
          code: (error as ClbApiError).code,
          error: (error as Error).message,
        }),
    });
    const parsed = schema.safeParse(response);
    if (!parsed.success) {
      throw new ClbApiError(action, CLIENT_ERRORS.badResponse, parsed.error.message, {
        requestId: (response as { RequestId?: string })?.RequestId ?? "",
      });
    }
    return parsed.data;
  }

  async function waitForTask(action: string, requestId: string): Promise<void> {
    const start = now();
    for (;;) {
      // A task is never done the moment its write returns: asking at once would be wasted.
      await sleep(taskPollMs);
      const task = await call("DescribeTaskStatus", { TaskId: requestId }, taskStatusSchema);
      if (task.Status === 0) return;
      if (task.Status === 1) {
        throw new ClbTaskError(action, requestId, `failed: ${task.Message || "no reason given"}`);
      }
      if (now() - start >= taskTimeoutMs) {
        throw new ClbTaskError(action, requestId, `still running after ${taskTimeoutMs} ms`);
      }
    }
  }

  /** Runs `fn` after every earlier write on this load balancer has finished. */
  function exclusive<T>(loadBalancerId: string, fn: () => Promise<T>): Promise<T> {
    const before = locks.get(loadBalancerId) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const settled = run.then(() => {}, () => {});
    locks.set(loadBalancerId, settled);
    settled.then(() => {
      if (locks.get(loadBalancerId) === settled) locks.delete(loadBalancerId);
    });
    return run;
  }

  return {
    calls,
    async describeLoadBalancers(ids) {
      const out: LoadBalancerInfo[] = [];
      // The API takes at most 20 IDs per call.
      for (let i = 0; i < ids.length; i += 20) {
        const chunk = ids.slice(i, i + 20);
        const res = await call("DescribeLoadBalancers", {
          LoadBalancerIds: chunk,
          Limit: 100,
        }, describeLoadBalancersSchema);
        out.push(...(res.LoadBalancerSet ?? []));
      }
      return out;
    },
    async describeListeners(loadBalancerId) {
      const res = await call(
        "DescribeListeners",
        { LoadBalancerId: loadBalancerId },
        describeListenersSchema,
      );
      return res.Listeners ?? [];
    },
    async describeTargets(loadBalancerId, listenerIds) {
      const out: ListenerBackend[] = [];
      // ListenerIds takes at most 20 IDs per call.
      for (let i = 0; i < listenerIds.length; i += 20) {
        const res = await call("DescribeTargets", {
          LoadBalancerId: loadBalancerId,
          ListenerIds: listenerIds.slice(i, i + 20),
        }, describeTargetsSchema);
        out.push(...(res.Listeners ?? []));
      }
      return out;
    },
    async describeTargetHealth(loadBalancerId) {
      const res = await call(
        "DescribeTargetHealth",
        { LoadBalancerIds: [loadBalancerId] },
        describeTargetHealthSchema,
      );
      return res.LoadBalancers ?? [];
    },
    write(action, loadBalancerId, params) {
      return exclusive(loadBalancerId, async () => {
        const res = await call(action, { LoadBalancerId: loadBalancerId, ...params }, writeSchema);
        if (!SYNC_WRITES.has(action)) await waitForTask(action, res.RequestId);
        return {
          requestId: res.RequestId,
          failedListenerIds: res.FailListenerIdSet ?? [],
          message: res.Message ?? "",
        };
      });
    },
  };
}
