// Bun's own: a fetch response body streamed to a Bun.serve client and cut by an AbortController
// prints a multi-line error to stderr that no JS hook catches (uncaughtException,
// unhandledRejection, Bun.serve's error hook all stay silent). Run: bun tests/repro/bun_fetch_cut_dump.mjs
// tests/blackbox/bun_fetch_dump_test.ts runs it, so a Bun that stops doing this is noticed.
const net = await import("node:net");
const backend = net.createServer((s) =>
  s.on("data", () => {
    s.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial"); // then stalls
  })
).listen(0, "127.0.0.1");
await new Promise((r) => backend.once("listening", r));
const port = (backend.address()).port;
process.on("uncaughtException", (e) => console.log("uncaughtException:", String(e)));
process.on("unhandledRejection", (e) => console.log("unhandledRejection:", String(e)));
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch() {
    const ac = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error("idle")), 200);
    return new Response(res.body, { status: res.status });
  },
  error(e) {
    console.log("serve error hook:", String(e));
    return new Response("x", { status: 500 });
  },
});
const res = await fetch(`http://127.0.0.1:${server.port}/`);
try {
  console.log("client read:", await res.text());
} catch (e) {
  console.log("client body error:", String(e));
}
await new Promise((r) => setTimeout(r, 300));
server.stop(true);
backend.close();
