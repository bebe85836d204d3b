// A local Tencent Cloud CLB API 3.0 for the tests: checks TC3-HMAC-SHA256 signatures, holds load
// balancers, listeners, rules and targets, runs every write as an async task (other writes on
// that load balancer get FailedOperation.ResourceInOperating meanwhile), limits each action to
// 20 requests/s, records every call, and injects failures on demand. BatchModifyTargetTag is
// synchronous, as documented. DescribeTargetHealth answers each target's health check: Unknown
// for `healthAfterMs` after it was registered, then Alive, unless a test set it.
import { ApiFault, ClbState, type EmTarget } from "./clb_state.ts";
import { validateWrite } from "./clb_writes.ts";
import { verifyTc3 } from "./tc3.ts";

export const TEST_SECRET_ID = "AKIDpodgatetest0000000000000000000000";
export const TEST_SECRET_KEY = "podgate-test-secret-key-0000000000";

export const WRITE_ACTIONS = new Set([
  "RegisterTargets",
  "DeregisterTargets",
  "BatchRegisterTargets",
  "BatchDeregisterTargets",
  "ModifyTargetWeight",
  "BatchModifyTargetWeight",
  "BatchModifyTargetTag",
]);

export interface Call {
  action: string;
  params: Record<string, unknown>;
  /** `ok`, or the error code answered. */
  code: string;
  requestId: string;
  /** When it arrived (ms since the epoch). */
  at: number;
}

interface Task {
  id: string;
  lbId: string;
  status: 0 | 1 | 2;
  doneAt: number;
  apply: Array<(at: number) => void>;
  failMessage?: string;
}

type Injection =
  & { action: string; times: number }
  & (
    | { kind: "error"; code: string; message: string }
    | { kind: "delay"; ms: number }
    | { kind: "failListeners"; listenerIds: string[] }
    | { kind: "failTask"; message: string }
  );

export interface EmulatorOptions {
  secrets?: Record<string, string>;
  /** How long each write's task runs. */
  taskMs?: number;
  /** Requests per second per action before RequestLimitExceeded; 0 turns the limit off. */
  rateLimit?: number;
  /** Added to the emulator's clock (signature expiry tests). */
  clockOffsetMs?: number;
  /** How long a new target's health check reports Unknown before Alive. */
  healthAfterMs?: number;
}

/** The health check results DescribeTargetHealth reports. */
export type Health = "Alive" | "Dead" | "Unknown" | "Close";

/** Writes the API documents as synchronous. */
const SYNC_WRITES = new Set(["BatchModifyTargetTag"]);

export class ClbEmulator {
  readonly state = new ClbState();
  readonly calls: Call[] = [];
  readonly url: string;
  readonly port: number;
  options: Required<EmulatorOptions>;
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #tasks = new Map<string, Task>();
  readonly #injections: Injection[] = [];
  readonly #recent = new Map<string, number[]>();
  /** `ip:port` → a health check result that overrides the timed one. */
  readonly health = new Map<string, Health>();
  /** Told after each change lands, with the time it landed (a task's end). */
  onApply: ((at: number) => void) | undefined;

  constructor(options: EmulatorOptions = {}) {
    this.options = {
      secrets: { [TEST_SECRET_ID]: TEST_SECRET_KEY },
      taskMs: 20,
      rateLimit: 20,
      clockOffsetMs: 0,
      healthAfterMs: 0,
      ...options,
    };
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req) => this.#handle(req),
    );
    this.port = this.#server.addr.port;
    this.url = `http://127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    return this.#server.shutdown();
  }

  // ── inspection ────────────────────────────────────────────────────────────────────────────

  count(action: string): number {
    return this.calls.filter((c) => c.action === action).length;
  }

  writeCalls(): Call[] {
    return this.calls.filter((c) => WRITE_ACTIONS.has(c.action));
  }

  /** `{action: count}` of every call so far, in first-seen order. */
  callCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.calls) out[c.action] = (out[c.action] ?? 0) + 1;
    return out;
  }

  /** The targets on a rule (or an L4 listener), as `ip:port weight tag` strings, sorted. */
  targets(lbId: string, listenerId: string, locationId?: string): string[] {
    this.#settle();
    const list = this.state.place(lbId, listenerId, locationId);
    return list.map((t) =>
      `${t.type === "CVM" ? t.instanceId : t.ip}:${t.port} w${t.weight}${t.tag ? ` ${t.tag}` : ""}`
    )
      .sort();
  }

  /** Puts a target straight into the state (a hand-added CVM, a foreign ENI, an old podgate one). */
  addTarget(
    lbId: string,
    listenerId: string,
    locationId: string | undefined,
    target: Partial<EmTarget> & { ip: string; port: number },
  ) {
    this.state.place(lbId, listenerId, locationId).push({
      type: "ENI",
      weight: 10,
      tag: "",
      instanceId: "",
      ...target,
    });
  }

  // ── fault injection ───────────────────────────────────────────────────────────────────────

  /** The next `times` calls of `action` ("*" for any) answer with this error. */
  failNext(action: string, code: string, { times = 1, message = "injected failure" } = {}) {
    this.#injections.push({ kind: "error", action, times, code, message });
  }

  /** The next `times` calls of `action` wait `ms` before being handled (dropped if the client left). */
  delayNext(action: string, ms: number, { times = 1 } = {}) {
    this.#injections.push({ kind: "delay", action, times, ms });
  }

  /** The next `times` Batch* calls of `action` fail for these listeners (FailListenerIdSet). */
  failListeners(action: string, listenerIds: string[], { times = 1 } = {}) {
    this.#injections.push({ kind: "failListeners", action, times, listenerIds });
  }

  /** The tasks of the next `times` calls of `action` end with Status 1. */
  failTask(action: string, { times = 1, message = "injected task failure" } = {}) {
    this.#injections.push({ kind: "failTask", action, times, message });
  }

  /** Drops every injected failure not yet spent. */
  clearFaults(): void {
    this.#injections.length = 0;
  }

  /** Someone else's task keeps `lbId` busy for `ms` (writes get ResourceInOperating). */
  busy(lbId: string, ms: number): void {
    const id = crypto.randomUUID();
    this.#tasks.set(id, { id, lbId, status: 2, doneAt: this.#now() + ms, apply: [] });
  }

  #take(action: string, kind: Injection["kind"]): Injection | undefined {
    const index = this.#injections.findIndex((i) =>
      i.kind === kind && (i.action === action || i.action === "*")
    );
    if (index === -1) return undefined;
    const injection = this.#injections[index]!;
    if (--injection.times <= 0) this.#injections.splice(index, 1);
    return injection;
  }

  // ── the API ───────────────────────────────────────────────────────────────────────────────

  #now(): number {
    return Date.now() + this.options.clockOffsetMs;
  }

  async #handle(req: Request): Promise<Response> {
    const requestId = crypto.randomUUID();
    const at = Date.now();
    const body = await req.text();
    const action = req.headers.get("x-tc-action") ?? "";
    let params: Record<string, unknown> = {};
    try {
      params = body ? JSON.parse(body) : {};
    } catch { /* answered below as a bad request */ }
    const answer = (code: string, extra: Record<string, unknown> = {}, message = "") => {
      this.calls.push({ action, params, code, requestId, at });
      const response = code === "ok"
        ? { ...extra, RequestId: requestId }
        : { Error: { Code: code, Message: message }, RequestId: requestId };
      return Response.json({ Response: response }, {
        headers: { "x-tc-traceid": crypto.randomUUID() },
      });
    };
    if (req.method !== "POST") return answer("UnsupportedOperation", {}, "only POST is emulated");

    const verdict = verifyTc3(req, body, this.options.secrets, Math.floor(this.#now() / 1000));
    if (!verdict.ok) return answer(verdict.code, {}, verdict.message);
    if (verdict.service !== "clb" && verdict.service !== "127") {
      return answer("AuthFailure.SignatureFailure", {}, `service ${verdict.service} is not clb`);
    }
    if (req.headers.get("x-tc-version") !== "2018-03-17") {
      return answer("InvalidParameter", {}, "X-TC-Version must be 2018-03-17");
    }

    const delayed = this.#take(action, "delay");
    if (delayed?.kind === "delay") {
      await new Promise((r) => setTimeout(r, delayed.ms));
      if (req.signal.aborted) {
        this.calls.push({ action, params, code: "(client gave up)", requestId, at });
        return new Response(null, { status: 499 });
      }
    }
    const injected = this.#take(action, "error");
    if (injected?.kind === "error") return answer(injected.code, {}, injected.message);

    if (this.options.rateLimit > 0) {
      const now = this.#now();
      const recent = (this.#recent.get(action) ?? []).filter((t) => t > now - 1000);
      if (recent.length >= this.options.rateLimit) {
        return answer(
          "RequestLimitExceeded",
          {},
          `more than ${this.options.rateLimit} ${action} requests in one second`,
        );
      }
      recent.push(now);
      this.#recent.set(action, recent);
    }

    this.#settle();
    try {
      return answer("ok", this.#dispatch(action, params, requestId));
    } catch (error) {
      if (error instanceof ApiFault) return answer(error.code, {}, error.message);
      return answer("InternalError", {}, String(error));
    }
  }

  #settle(): void {
    const now = this.#now();
    const due = [...this.#tasks.values()].filter((t) => t.status === 2 && t.doneAt <= now)
      .sort((a, b) => a.doneAt - b.doneAt);
    for (const task of due) {
      if (task.failMessage) task.status = 1;
      else {
        for (const apply of task.apply) apply(task.doneAt);
        task.status = 0;
        if (task.apply.length) this.onApply?.(task.doneAt);
      }
    }
  }

  /** A target's health check result now. */
  healthOf(target: EmTarget): Health {
    const set = this.health.get(`${target.ip}:${target.port}`);
    if (set) return set;
    return this.#now() - (target.registeredAt ?? 0) >= this.options.healthAfterMs
      ? "Alive"
      : "Unknown";
  }

  #dispatch(
    action: string,
    params: Record<string, unknown>,
    requestId: string,
  ): Record<string, unknown> {
    switch (action) {
      case "DescribeLoadBalancers":
        return this.state.describeLoadBalancers(params);
      case "DescribeListeners":
        return this.state.describeListeners(params);
      case "DescribeTargets":
        return this.state.describeTargets(params);
      case "DescribeTargetHealth":
        return this.state.describeTargetHealth(params, (t) => this.healthOf(t));
      case "DescribeTaskStatus": {
        const task = this.#tasks.get(String(params.TaskId));
        if (!task) throw new ApiFault("InvalidParameter", `task ${params.TaskId} not found`);
        return {
          Status: task.status,
          LoadBalancerIds: [task.lbId],
          Message: task.status === 1 ? task.failMessage : "",
        };
      }
    }
    if (!WRITE_ACTIONS.has(action)) {
      throw new ApiFault("InvalidAction", `action ${action} is not emulated`);
    }

    const lbId = String(params.LoadBalancerId);
    this.state.lb(lbId);
    const now = this.#now();
    for (const task of this.#tasks.values()) {
      if (task.lbId === lbId && task.status === 2) {
        throw new ApiFault(
          "FailedOperation.ResourceInOperating",
          `load balancer ${lbId} is busy with task ${task.id}`,
        );
      }
    }
    const injected = this.#take(action, "failListeners");
    const { apply, failed, message } = validateWrite(this.state, action, lbId, params, {
      failing: new Set(injected?.kind === "failListeners" ? injected.listenerIds : []),
    });
    const failTask = this.#take(action, "failTask");
    if (SYNC_WRITES.has(action) && failTask?.kind !== "failTask") {
      for (const change of apply) change(now);
      if (apply.length) this.onApply?.(now);
      return {};
    }
    this.#tasks.set(requestId, {
      id: requestId,
      lbId,
      status: 2,
      doneAt: now + this.options.taskMs,
      apply,
      ...(failTask?.kind === "failTask" ? { failMessage: failTask.message } : {}),
    });
    return action.startsWith("BatchRegister") || action.startsWith("BatchDeregister")
      ? { FailListenerIdSet: failed, Message: message }
      : {};
  }
}
