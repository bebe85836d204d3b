// Whether a backend accepts TCP connections within a time limit: how a fetch attempt, which
// cannot say when its connection opened, keeps upstreamConnectMs as the own client does.
import type { Dial } from "../runtime/types.ts";

const QUIET = { data() {}, drain() {}, close() {} };

/**
 * Opens a connection to `address` (`host:port`) and closes it at once. Resolves true when it
 * opened within `timeoutMs`, false when it was refused or took longer.
 */
export function connectProbe(dial: Dial, address: string, timeoutMs: number): Promise<boolean> {
  const colon = address.lastIndexOf(":");
  const host = address.slice(0, colon);
  const target = {
    hostname: host.startsWith("[") ? host.slice(1, -1) : host,
    port: Number(address.slice(colon + 1)),
  };
  return new Promise<boolean>((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      resolve(false);
    }, timeoutMs);
    dial(target, QUIET).then((socket) => {
      socket.destroy();
      clearTimeout(timer);
      if (!timedOut) resolve(true);
    }, () => {
      clearTimeout(timer);
      if (!timedOut) resolve(false);
    });
  });
}

/**
 * connectProbe shared per backend: attempts that wait at the same time share one probe, and a
 * backend that accepted a connection within `freshMs` is not probed again, so slow backends are
 * not sent a second connection for every slow request. Only a success is remembered: a backend
 * that was unreachable is probed afresh by the next attempt.
 */
export function sharedConnectProbe(
  dial: Dial,
  freshMs = 1_000,
  now: () => number = performance.now.bind(performance),
): (address: string, timeoutMs: number) => Promise<boolean> {
  const inFlight = new Map<string, Promise<boolean>>();
  const openAt = new Map<string, number>();
  return (address, timeoutMs) => {
    const at = openAt.get(address);
    if (at !== undefined && now() - at < freshMs) return Promise.resolve(true);
    const running = inFlight.get(address);
    if (running) return running;
    const probe = connectProbe(dial, address, timeoutMs).then((open) => {
      inFlight.delete(address);
      // Pod addresses churn: the memory starts over rather than grow with them.
      if (openAt.size >= 4096) openAt.clear();
      if (open) openAt.set(address, now());
      else openAt.delete(address);
      return open;
    });
    inFlight.set(address, probe);
    return probe;
  };
}
