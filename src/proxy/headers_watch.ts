// The wait for an upstream's response headers, the same on both clients: the header timeout,
// the client leaving, and (where the client cannot time its own connect) a connect probe.

/** Why an attempt was stopped before its response headers came. */
export type StopReason = "timeout" | "aborted" | "connect";

export interface HeaderTimers {
  /** From sending the request to the response headers (0: no limit). */
  headersMs: number;
  /** After this long without headers, the client's signal is linked and the probe starts. */
  clientAbortCheckMs: number;
  /** The probe's time limit; 0 or no probe: the client times its connect itself. */
  connectMs: number;
}

export interface HeadersWatch {
  /** Why the attempt was stopped, once it was. */
  readonly reason: StopReason | undefined;
  /** Stops the timers; `unlink` also stops listening for the client leaving. */
  stop(unlink: boolean): void;
}

/**
 * Watches one attempt until stop(). After clientAbortCheckMs without headers it links the
 * client's signal (touching it costs Bun about 4% of a small request, and most upstreams answer
 * sooner), starts the probe if there is one, then waits out the rest of the header timeout.
 */
export function watchHeaders(
  req: Request,
  timers: HeaderTimers,
  probe: ((timeoutMs: number) => Promise<boolean>) | undefined,
  abort: (reason: StopReason) => void,
): HeadersWatch {
  const { headersMs, clientAbortCheckMs, connectMs } = timers;
  let linked = false;
  let stopped = false;
  const watch = {
    reason: undefined as StopReason | undefined,
    stop(unlink: boolean) {
      stopped = true;
      clearTimeout(timer);
      if (unlink && linked) req.signal.removeEventListener("abort", onClientGone);
    },
  };
  const stopFor = (reason: StopReason) => {
    if (stopped || watch.reason !== undefined) return;
    watch.reason = reason;
    clearTimeout(timer);
    abort(reason);
  };
  const onClientGone = () => stopFor("aborted");
  const firstWait = headersMs > 0 ? Math.min(clientAbortCheckMs, headersMs) : clientAbortCheckMs;
  const onCheck = () => {
    if (req.signal.aborted) return stopFor("aborted");
    req.signal.addEventListener("abort", onClientGone, { once: true });
    linked = true;
    if (headersMs > 0) timer = setTimeout(() => stopFor("timeout"), headersMs - firstWait);
    if (probe && connectMs > firstWait) {
      probe(connectMs - firstWait).then((open) => open || stopFor("connect"));
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined = setTimeout(
    firstWait === headersMs ? () => stopFor("timeout") : onCheck,
    firstWait,
  );
  return watch;
}
