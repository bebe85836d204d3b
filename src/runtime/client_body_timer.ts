// Who times a client's request body: podgate's own timer between chunks (a 408, exact), or the
// server's idle timer where the runtime has one that cuts stalled bodies. Under Bun the own timer
// wraps the body in a JS stream, which takes fetch off its native pipe: a 1 MiB POST cost 2.2×
// the CPU (6124 vs 2769 µs/req in scripts/bench). So from the runtime's threshold up, the server's
// timer does it (the connection is closed, the upstream request aborted, no 408), and the
// server's idle timeout is lowered to the body timeout if that is shorter.
import type { Runtime } from "./types.ts";

export interface ClientBodyTimer {
  /** The handler's own body timer; 0: none. */
  readonly handlerMs: number;
  /** The server's connection idle timeout. */
  readonly serverIdleMs: number;
}

export function clientBodyTimer(
  runtime: Pick<Runtime, "serverIdleCutsBodiesFromMs">,
  bodyIdleMs: number,
  clientIdleMs: number,
): ClientBodyTimer {
  const from = runtime.serverIdleCutsBodiesFromMs;
  if (from === undefined || bodyIdleMs <= 0 || bodyIdleMs < from) {
    return { handlerMs: bodyIdleMs, serverIdleMs: clientIdleMs };
  }
  return { handlerMs: 0, serverIdleMs: Math.min(clientIdleMs, bodyIdleMs) };
}
