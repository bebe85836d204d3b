// Slow and hostile clients (issue 16 item 5): slowloris heads, oversized heads, stalled bodies and
// a slow reader of a large response. Written once, run in-process on Deno and through the compiled
// binary. Each test prints its figures as `figures: ...`.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { spawnPodgate } from "./process.ts";
import type { StartProxy } from "./proxy_target.ts";
import { startTestBackend } from "./test_backend.ts";

function assertLess(actual: number, bound: number) {
  assert(actual < bound, `expected ${actual} < ${bound}`);
}

const opts = { sanitizeOps: false, sanitizeResources: false };
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Reads until the peer closes (or `timeoutMs`): the bytes, and whether the peer closed. */
async function readToEnd(conn: Deno.Conn, timeoutMs: number) {
  const chunks: string[] = [];
  const buf = new Uint8Array(65536);
  let closed = false;
  let firstByteAt = 0;
  const timer = setTimeout(() => {
    try {
      conn.close();
    } catch { /* closed already */ }
  }, timeoutMs);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) {
        closed = true;
        break;
      }
      firstByteAt ||= performance.now();
      chunks.push(decoder.decode(buf.subarray(0, n)));
    }
  } catch (error) {
    // Our own timer closing the socket is "still open"; a reset by the peer is "closed".
    closed =
      !(error instanceof Deno.errors.Interrupted || error instanceof Deno.errors.BadResource);
  } finally {
    clearTimeout(timer);
  }
  try {
    conn.close();
  } catch { /* closed already */ }
  return { text: chunks.join(""), closed, firstByteAt };
}

/** One complete GET on a fresh connection: status line and elapsed ms. */
async function timedGet(port: number, path: string) {
  const start = performance.now();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(encoder.encode(`GET ${path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`));
  const { text } = await readToEnd(conn, 5000);
  return { ms: performance.now() - start, status: Number(text.split(" ")[1]), text };
}

function fieldLines(n: number, value = "v"): string {
  let out = "";
  for (let i = 0; i < n; i++) out += `X-F${i}: ${value}\r\n`;
  return out;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/**
 * `server`: the runtime serving the proxy's port. Deno.serve keeps a connection whose request
 * body is unfinished open after a `Connection: close` answer (until the client sends the rest or
 * leaves); Bun.serve closes it.
 */
export function clientLimitsScenarios(label: string, start: StartProxy, server: "deno" | "bun") {
  Deno.test(
    `[${label}] 1000 slowloris connections do not keep a normal request waiting`,
    opts,
    async () => {
      const backend = await startTestBackend("a");
      const proxy = await start({ PODGATE_BACKENDS: backend.address, PODGATE_ACCESS_LOG: "false" });
      const SLOW = 1000;
      const conns: Deno.Conn[] = [];
      let trickling = true;
      try {
        for (let i = 0; i < SLOW; i++) {
          conns.push(await Deno.connect({ hostname: "127.0.0.1", port: proxy.port }));
        }
        // Each sends a request head a byte at a time and never finishes it: one byte on every
        // connection every 200 ms, spread over the round.
        const head = encoder.encode("GET /ping HTTP/1.1\r\nHost: t\r\nX-Slow: " + "a".repeat(4000));
        let offset = 0;
        const trickle = (async () => {
          while (trickling) {
            const byte = head.subarray(offset % head.length, (offset % head.length) + 1);
            offset++;
            for (let i = 0; i < conns.length && trickling; i++) {
              await conns[i]!.write(byte).catch(() => {});
              if (i % 100 === 99) await new Promise((r) => setTimeout(r, 20));
            }
          }
        })();
        await new Promise((r) => setTimeout(r, 1000)); // a few bytes on every connection
        const latencies: number[] = [];
        for (let i = 0; i < 20; i++) {
          const res = await timedGet(proxy.port, "/ping");
          assertEquals(res.status, 200, res.text);
          latencies.push(res.ms);
          await new Promise((r) => setTimeout(r, 50));
        }
        trickling = false;
        await trickle;
        latencies.sort((a, b) => a - b);
        const [p50, p90, max] = [
          percentile(latencies, 0.5),
          percentile(latencies, 0.9),
          latencies.at(-1)!,
        ];
        console.log(
          `figures: ${label}, ${SLOW} slowloris connections open (${offset} bytes each at most): ` +
            `20 normal requests on fresh connections p50 ${p50.toFixed(1)} ms, p90 ${
              p90.toFixed(1)
            } ms, max ${max.toFixed(1)} ms`,
        );
        // The issue asks for < 100 ms; the median holds it with room on a loaded 2-core machine,
        // the maximum is left to the printed figure (a GC pause or the trickle loop's turn).
        assertLess(p50, 100);
        assertLess(max, 1000);
      } finally {
        trickling = false;
        for (const c of conns) {
          try {
            c.close();
          } catch { /* closed by the server */ }
        }
        await proxy.stop();
        await backend.close();
      }
    },
  );

  Deno.test({
    name: `[${label}] a request head never finished is closed by the server's own head timeout`,
    // Deno.serve has none: a partial head sent once stayed open for the whole 75 s of a probe.
    ignore: server !== "bun",
    ...opts,
    async fn() {
      const backend = await startTestBackend("a");
      const proxy = await start({ PODGATE_BACKENDS: backend.address });
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
      const head = encoder.encode(
        "GET /ping HTTP/1.1\r\nHost: t\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa",
      );
      const startMs = performance.now();
      let sent = 0;
      // A byte a second: trickling does not keep the connection open.
      const trickle = setInterval(() => {
        if (sent < head.length) conn.write(head.subarray(sent, ++sent)).catch(() => {});
      }, 1000);
      try {
        await conn.write(head.subarray(0, ++sent));
        const { closed } = await readToEnd(conn, 20_000);
        const ms = performance.now() - startMs;
        console.log(
          `figures: ${label}, a partial head trickled a byte a second: closed ${
            closed ? `after ${(ms / 1000).toFixed(1)} s` : "never (20 s)"
          }`,
        );
        assert(closed, "Bun.serve closes a connection whose head is not complete in time");
      } finally {
        clearInterval(trickle);
        await proxy.stop();
        await backend.close();
      }
    },
  });

  Deno.test(
    `[${label}] more header fields than maxHeaderCount get 431 in podgate's JSON`,
    opts,
    async () => {
      const backend = await startTestBackend("a");
      const proxy = await start({ PODGATE_BACKENDS: backend.address });
      try {
        // Host, Connection and 98 more: 100 fields, the default limit, allowed.
        const ok = await rawHead(proxy.port, `GET /ping HTTP/1.1\r\nHost: t\r\n${fieldLines(98)}`);
        assertEquals(ok.status, 200, ok.text);
        const refused = await rawHead(
          proxy.port,
          `GET /ping HTTP/1.1\r\nHost: t\r\n${fieldLines(99)}`,
        );
        assertEquals(refused.status, 431, refused.text);
        assertMatch(refused.text, /connection: close/i);
        const json = JSON.parse(refused.text.slice(refused.text.indexOf("\r\n\r\n") + 4));
        assertEquals(json.error, "request header fields too large");
        assertEquals(json.reason, "101 header fields, more than the 100 allowed");
        assert(refused.closed, "the connection is closed after 431");
        assertEquals(backend.hits.get("/ping"), 1, "the refused request reached no backend");
      } finally {
        await proxy.stop();
        await backend.close();
      }
    },
  );

  Deno.test(`[${label}] header bytes over maxHeaderBytes get 431`, opts, async () => {
    const backend = await startTestBackend("a");
    const proxy = await start({
      PODGATE_BACKENDS: backend.address,
      PODGATE_LIMITS__MAX_HEADER_BYTES: "4096",
    });
    try {
      const ok = await rawHead(
        proxy.port,
        `GET /ping HTTP/1.1\r\nHost: t\r\nX-Big: ${"a".repeat(3900)}\r\n`,
      );
      assertEquals(ok.status, 200, ok.text);
      const refused = await rawHead(
        proxy.port,
        `GET /ping HTTP/1.1\r\nHost: t\r\nX-Big: ${"a".repeat(5000)}\r\n`,
      );
      assertEquals(refused.status, 431, refused.text);
      const json = JSON.parse(refused.text.slice(refused.text.indexOf("\r\n\r\n") + 4));
      assertMatch(json.reason, /^5037 bytes of header fields, more than the 4096 allowed$/);
      assert(refused.closed);
      // At the default (16 KiB) a 20 KiB head is refused too: by podgate under Deno, by Bun.serve
      // itself (its own 16 KiB limit, a bare 431) in the binary.
      const proxyDefault = await start({ PODGATE_BACKENDS: backend.address });
      try {
        const big = await rawHead(
          proxyDefault.port,
          `GET /ping HTTP/1.1\r\nHost: t\r\nX-Big: ${"a".repeat(20_480)}\r\n`,
        );
        assertEquals(big.status, 431, big.text);
      } finally {
        await proxyDefault.stop();
      }
      assertEquals(backend.hits.get("/ping"), 1);
    } finally {
      await proxy.stop();
      await backend.close();
    }
  });

  Deno.test(
    `[${label}] a request body that stalls gets 408 and its upstream request is aborted`,
    opts,
    async () => {
      const backend = await stallWatchingBackend();
      const proxy = await start({
        PODGATE_BACKENDS: backend.address,
        PODGATE_TIMEOUTS__CLIENT_BODY_IDLE_MS: "300",
      });
      try {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
        const startMs = performance.now();
        await conn.write(encoder.encode(
          "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n0123456789",
        ));
        const { text, closed, firstByteAt } = await readToEnd(conn, 5000);
        const ms = firstByteAt - startMs;
        assertMatch(text, /^HTTP\/1\.1 408 /, text);
        assertMatch(text, /connection: close/i);
        assertMatch(text, /"error":"request body timed out"/);
        const ended = await backend.requestEnded(3000);
        console.log(
          `figures: ${label}, Content-Length 1000, 10 bytes sent, clientBodyIdleMs 300: 408 after ${
            ms.toFixed(0)
          } ms; ` +
            `connection ${closed ? "closed" : "still open after 5 s"}; the backend's request ${
              ended === undefined
                ? "still open after 3 s"
                : `ended (${ended}) ${backend.endedAfterMs().toFixed(0)} ms after it began`
            }`,
        );
        assert(
          ended !== undefined && ended !== "complete",
          "the upstream request is aborted, not left half-sent",
        );
        assertEquals(backend.received(), 10);
        if (server === "bun") assert(closed, "the client connection is closed after 408");
      } finally {
        await proxy.stop();
        await backend.close();
      }
    },
  );

  for (const client of ["http1", "fetch"]) {
    Deno.test(
      `[${label}] a slow reader of a 200 MiB response keeps the proxy's RSS bounded (upstream ${client})`,
      opts,
      async () => {
        // A process of its own (the binary, or Deno from source) so its RSS is the proxy's alone.
        const BOUND_MIB = 64;
        const backend = await startTestBackend("a");
        const child = spawnPodgate(["proxy"], {
          env: {
            PODGATE_PORT: "0",
            PODGATE_HOSTNAME: "127.0.0.1",
            PODGATE_BACKENDS: backend.address,
            PODGATE_ACCESS_LOG: "false",
            PODGATE_UPSTREAM_CLIENT: client,
          },
        });
        try {
          const port = await child.port(20_000);
          // Warm up the paths a response takes, then take the baseline.
          for (let i = 0; i < 3; i++) {
            assertEquals(
              (await timedGet(port, "/bytes?n=1048576")).status,
              200,
            );
          }
          await new Promise((r) => setTimeout(r, 200));
          const baseline = rssBytes(child.pid);
          const conn = await Deno.connect({ hostname: "127.0.0.1", port });
          const total = 200 * 1024 * 1024;
          await conn.write(
            encoder.encode(
              `GET /bytes?n=${total} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`,
            ),
          );
          let peak = baseline;
          const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(child.pid))), 50);
          const buf = new Uint8Array(16_384);
          const asked = performance.now();
          // The first bytes may take a while (the backend fills its 200 MiB first): the 4 s of
          // slow reading start from them.
          let read = (await conn.read(buf)) ?? 0;
          const firstByteMs = performance.now() - asked;
          const until = performance.now() + 4000;
          try {
            while (performance.now() < until) {
              const n = await conn.read(buf);
              if (n === null) break;
              read += n;
              await new Promise((r) => setTimeout(r, 5));
            }
          } finally {
            clearInterval(sampler);
            conn.close();
          }
          peak = Math.max(peak, rssBytes(child.pid));
          const mib = (b: number) => (b / 1048576).toFixed(1);
          const figures =
            `${label}, upstream ${client}, slow reader of a 200 MiB response: first bytes after ${
              firstByteMs.toFixed(0)
            } ms, then read ${mib(read)} MiB in 4 s; ` +
            `proxy anonymous RSS ${mib(baseline)} MiB before, peak ${mib(peak)} MiB (+${
              mib(peak - baseline)
            } MiB, bound ${BOUND_MIB} MiB)`;
          console.log(`figures: ${figures}`);
          assert(read > 1048576, `the reader got data: ${figures}`);
          assert(read < total / 2, `the reader stayed slow: ${figures}`);
          assert(peak - baseline < BOUND_MIB * 1048576, `RSS stayed bounded: ${figures}`);
        } finally {
          await child.stop();
          await backend.close();
        }
      },
    );
  }
}

/**
 * Anonymous resident memory of a process, in bytes (Linux `RssAnon`): heap and buffers, what a
 * body held in memory would grow. File-backed pages (the runtime's code, faulted in as new paths
 * run) are left out, since they say nothing about bodies and vary with the page cache.
 */
function rssBytes(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? "0");
  return kb * 1024;
}

/** Sends a head (blank line added) and reads the answer to the end. */
async function rawHead(port: number, head: string) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(encoder.encode(head + "Connection: close\r\n\r\n"));
  const { text, closed } = await readToEnd(conn, 5000);
  return { status: Number(text.split(" ")[1]), text, closed };
}

/** A backend whose POST /upload reports how its request ended: complete, or cut off. */
async function stallWatchingBackend() {
  let received = 0;
  let began = 0;
  let endedAt = 0;
  const ended = Promise.withResolvers<string>();
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: (a) => listening.resolve(a as Deno.NetAddr),
  }, async (req) => {
    began = performance.now();
    try {
      for await (const chunk of req.body ?? new ReadableStream()) received += chunk.length;
      endedAt = performance.now();
      ended.resolve("complete");
    } catch (error) {
      endedAt = performance.now();
      ended.resolve(`cut: ${(error as Error).name}`);
    }
    return Response.json({ received });
  });
  const addr = await listening.promise;
  return {
    address: `127.0.0.1:${addr.port}`,
    received: () => received,
    endedAfterMs: () => endedAt - began,
    requestEnded: (ms: number) =>
      Promise.race([
        ended.promise,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), ms)),
      ]),
    close: () => server.shutdown(),
  };
}
