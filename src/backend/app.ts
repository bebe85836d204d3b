// The demo workload: tells who it is (/status), counts pings (/ping), echoes bodies (/echo).
import { Hono } from "hono";
import type { BackendConfig } from "../config/backend_schema.ts";
import { formatUptime } from "../admin/uptime.ts";

/** Pod metadata from the Downward API environment. */
export interface PodInfo {
  podName: string;
  podIP: string;
  namespace: string;
  node: string;
}

export function podInfoFrom(env: (name: string) => string | undefined): PodInfo {
  return {
    podName: env("POD_NAME") ?? env("HOSTNAME") ?? "unknown",
    podIP: env("POD_IP") ?? "",
    namespace: env("NAMESPACE") ?? env("POD_NAMESPACE") ?? "",
    node: env("NODE_NAME") ?? "",
  };
}

export interface BackendAppOptions {
  config: BackendConfig;
  pod: PodInfo;
  now?: () => number;
}

export function backendApp({ config, pod, now = Date.now }: BackendAppOptions): Hono {
  const startedAt = now();
  let pings = 0;
  const app = new Hono();

  app.get("/ping", (c) => c.json({ podname: pod.podName, count: ++pings }));

  app.get("/status", (c) =>
    c.json({
      ...pod,
      serviceName: config.serviceName,
      port: config.port,
      config,
      uptime: formatUptime(now() - startedAt),
    }));

  app.get("/health", (c) => c.json({ status: "healthy" }));

  // Streams the body back as it arrives: tests and benchmarks use it to see streaming end to end.
  app.post("/echo", (c) =>
    new Response(c.req.raw.body, {
      headers: { "content-type": c.req.header("content-type") ?? "application/octet-stream" },
    }));

  return app;
}
