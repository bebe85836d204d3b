// `http1Bodies: true`: request bodies through podgate's own HTTP/1.1 client (off by default, see
// bench/results/issue15-bodies.md), in-process on Deno: bodies arrive whole and in order, the
// backend sees the framing the client used, and a refused backend's body goes to the next one.
import { assertEquals } from "../support/assert.ts";
import { startTestBackend } from "../support/test_backend.ts";
import { startInProcess } from "../support/proxy_target.ts";
import { freePort } from "../support/process.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "http1Bodies: a POST body reaches the backend whole through the own client",
  opts,
  async () => {
    const backend = await startTestBackend("a");
    const proxy = await startInProcess({
      PODGATE_BACKENDS: backend.address,
      PODGATE_HTTP1_BODIES: "true",
      PODGATE_ACCESS_LOG: "false",
    });
    try {
      const body = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
      const echoed = new Uint8Array(
        await (await fetch(`${proxy.url}/echo`, { method: "POST", body })).arrayBuffer(),
      );
      assertEquals(echoed.length, body.length);
      assertEquals(echoed, body);
      // A streamed (chunked) upload.
      const chunks = ["a".repeat(1000), "b".repeat(2000), "c".repeat(3000)];
      const stream = new ReadableStream({
        pull(c) {
          const next = chunks.shift();
          if (next === undefined) c.close();
          else c.enqueue(new TextEncoder().encode(next));
        },
      });
      const res = await fetch(`${proxy.url}/upload`, { method: "POST", body: stream });
      assertEquals(await res.json(), { bytes: 6000 });
      // Only POSTs were sent: an open own-client connection says they took the own client.
      const metrics = await (await fetch(`${proxy.url}/metrics`)).text();
      const open = /^podgate_upstream_connections (\d+)/m.exec(metrics)?.[1];
      assertEquals(open, "1");
    } finally {
      await proxy.stop();
      await backend.close();
    }
  },
);

Deno.test(
  "http1Bodies: a POST to a refused backend is sent whole to the next one",
  opts,
  async () => {
    const backend = await startTestBackend("a");
    const dead = `127.0.0.1:${freePort()}`;
    const proxy = await startInProcess({
      PODGATE_BACKENDS: `${dead},${backend.address}`,
      PODGATE_HTTP1_BODIES: "true",
      PODGATE_ACCESS_LOG: "false",
    });
    try {
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${proxy.url}/echo`, { method: "POST", body: `body-${i}` });
        assertEquals([res.status, await res.text()], [200, `body-${i}`]);
      }
    } finally {
      await proxy.stop();
      await backend.close();
    }
  },
);
