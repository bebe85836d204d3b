// The demo backend's settings: the seed's `{"port": 8080, "serviceName": "backend"}` and a little more.
import { z } from "zod";
import { listenPort, logLevel, millis } from "./fields.ts";

export const backendConfigSchema = z.strictObject({
  port: listenPort().default(8080),
  hostname: z.string().min(1).default("0.0.0.0"),
  serviceName: z.string().min(1).default("backend"),
  logLevel: logLevel(),
  /** On SIGTERM: how long in-flight requests may take before the process exits anyway. */
  drainMs: millis(10_000),
});

export type BackendConfig = z.output<typeof backendConfigSchema>;
