import { assertEquals } from "../../tests/support/assert.ts";
import { clientBodyTimer } from "./client_body_timer.ts";

Deno.test("clientBodyTimer: the handler times bodies where the server cannot, or not closely enough", () => {
  // Deno: no server timer for bodies.
  assertEquals(clientBodyTimer({}, 60_000, 120_000), { handlerMs: 60_000, serverIdleMs: 120_000 });
  // Bun below its threshold: the exact own timer (and a 408).
  assertEquals(
    clientBodyTimer({ serverIdleCutsBodiesFromMs: 16_000 }, 300, 120_000),
    { handlerMs: 300, serverIdleMs: 120_000 },
  );
  // Bun from the threshold up: Bun.serve's idle timer, lowered to the body timeout.
  assertEquals(
    clientBodyTimer({ serverIdleCutsBodiesFromMs: 16_000 }, 60_000, 120_000),
    { handlerMs: 0, serverIdleMs: 60_000 },
  );
  assertEquals(
    clientBodyTimer({ serverIdleCutsBodiesFromMs: 16_000 }, 60_000, 30_000),
    { handlerMs: 0, serverIdleMs: 30_000 },
  );
  // Off stays off.
  assertEquals(
    clientBodyTimer({ serverIdleCutsBodiesFromMs: 16_000 }, 0, 120_000),
    { handlerMs: 0, serverIdleMs: 120_000 },
  );
});
