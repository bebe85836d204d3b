// Reusable field schemas with messages that say what was expected.
import { z } from "zod";

export const port = () =>
  z.int({ error: "expected integer 1-65535" }).min(1, "expected integer 1-65535")
    .max(65535, "expected integer 1-65535");

/** A port to listen on; 0 asks the system for a free one (tests do). */
export const listenPort = () =>
  z.int({ error: "expected integer 0-65535" }).min(0, "expected integer 0-65535").max(
    65535,
    "expected integer 0-65535",
  );

/** A duration in milliseconds; 0 turns the timer off where the field says so. */
export const millis = (defaultMs: number) =>
  z.int({ error: "expected a whole number of milliseconds" }).min(0, "expected milliseconds >= 0")
    .default(defaultMs);

/** `host:port`, `[v6]:port`. */
export const hostPort = () =>
  z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "expected host:port");

export const logLevel = () => z.enum(["debug", "info", "warn", "error"]).default("info");
