// The floor for podgate's own overhead: Bun.serve + fetch, round-robin, nothing else (no header
// hygiene, no logging, no errors handled). Run with bun: PORT=8080 BACKENDS=a:1,b:2 bun this.ts
interface BunLike {
  env: Record<string, string | undefined>;
  serve(options: {
    port: number;
    hostname: string;
    idleTimeout: number;
    fetch(req: Request): Promise<Response>;
  }): unknown;
}
const bun = (globalThis as unknown as { Bun: BunLike }).Bun;

const backends = (bun.env.BACKENDS ?? "").split(",");
let next = 0;
bun.serve({
  port: Number(bun.env.PORT ?? 8080),
  hostname: "127.0.0.1",
  idleTimeout: 120,
  fetch(req) {
    const url = new URL(req.url);
    const target = `http://${backends[next++ % backends.length]}${url.pathname}${url.search}`;
    return fetch(target, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      redirect: "manual",
      decompress: false,
    } as RequestInit);
  },
});
