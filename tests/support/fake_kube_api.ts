// A fake Kubernetes API server speaking the real protocol over HTTPS on loopback: client
// certificates (verified against the test CA) or bearer tokens; list and watch with
// resourceVersions; bookmarks only when the resourceVersion moved; 410 as an ERROR event or as the
// HTTP status; RBAC 403 and 401 Status bodies; watch bytes split at random boundaries; closing
// watches, holding new ones, and going down and coming back. Shapes come from the real traces in
// ../shared/fixtures/kube (node:https, because Deno.serve cannot ask for client certificates).
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { TestPki } from "./certs.ts";
import { expiredStatus, fixtureText, forbiddenStatus, notFoundStatus } from "./kube_fixtures.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

interface ResourceInfo {
  prefix: string;
  kind: string;
  group: string;
}
const RESOURCES: Record<string, ResourceInfo> = {
  endpointslices: {
    prefix: "/apis/discovery.k8s.io/v1",
    kind: "EndpointSlice",
    group: "discovery.k8s.io",
  },
  pods: { prefix: "/api/v1", kind: "Pod", group: "" },
  replicasets: { prefix: "/apis/apps/v1", kind: "ReplicaSet", group: "apps" },
  deployments: { prefix: "/apis/apps/v1", kind: "Deployment", group: "apps" },
};
const PATH = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/;

export interface RequestRecord {
  verb: "list" | "watch" | "get";
  resource: string;
  namespace: string;
  query: Record<string, string>;
  user: string | undefined;
  status: number;
}

export interface FakeKubeApiOptions {
  pki: TestPki;
  /** Accepted bearer tokens → the user each one authenticates. */
  tokens?: Record<string, string>;
  /** Split watch bytes at random boundaries (seeded, so a failure replays). */
  splitChunks?: boolean;
  seed?: number;
  /** How a watch from a compacted resourceVersion fails: an ERROR event (as recorded) or HTTP 410. */
  expired?: "event" | "status";
  /** End every watch after this long, whatever its timeoutSeconds. */
  maxWatchMs?: number;
  /** Answers writes (PATCH, POST, …) after authentication; undefined falls through to 404. */
  onWrite?: (write: FakeWrite) => { status: number; body: Json } | undefined;
}

/** A write request as `onWrite` sees it. */
export interface FakeWrite {
  method: string;
  path: string;
  contentType: string;
  body: string;
  user: string;
}

interface Watcher {
  res: ServerResponse;
  resource: string;
  namespace: string;
  selector: Record<string, string>;
  bookmarks: boolean;
  lastRv: number;
  queue: Promise<void>;
  timers: ReturnType<typeof setTimeout>[];
}

interface Change {
  rv: number;
  resource: string;
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: Json;
}

export class FakeKubeApi {
  readonly tokens: Map<string, string>;
  readonly requests: RequestRecord[] = [];
  /** `verb resource` pairs RBAC refuses, e.g. "watch endpointslices". */
  readonly forbidden = new Set<string>();
  expired: "event" | "status";
  port = 0;
  #options: FakeKubeApiOptions;
  #server: https.Server | undefined;
  #sockets = new Set<Socket>();
  #objects = new Map<string, Map<string, Json>>();
  #history: Change[] = [];
  #rv = 600;
  #compactedRv = 0;
  #watchers = new Set<Watcher>();
  #hold: PromiseWithResolvers<void> | undefined;
  #held = 0;
  #random: () => number;

  private constructor(options: FakeKubeApiOptions) {
    this.#options = options;
    this.tokens = new Map(Object.entries(options.tokens ?? {}));
    this.expired = options.expired ?? "event";
    let seed = options.seed ?? 42;
    this.#random = () => { // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  static async start(options: FakeKubeApiOptions): Promise<FakeKubeApi> {
    const api = new FakeKubeApi(options);
    await api.up();
    return api;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }
  get resourceVersion(): string {
    return String(this.#rv);
  }
  get openWatches(): number {
    return this.#watchers.size;
  }
  /** Watch requests waiting in holdWatches(). */
  get heldWatches(): number {
    return this.#held;
  }

  /** Creates or replaces an object (ADDED or MODIFIED to watchers). */
  upsert(resource: string, object: Json): void {
    const { kind, prefix } = RESOURCES[resource]!;
    const stored = {
      kind,
      apiVersion: prefix.replace(/^\/apis?\//, ""),
      ...structuredClone(object),
    };
    stored.metadata.resourceVersion = String(++this.#rv);
    const store = this.#store(resource);
    const key = `${stored.metadata.namespace}/${stored.metadata.name}`;
    const type = store.has(key) ? "MODIFIED" : "ADDED";
    store.set(key, stored);
    this.#publish({ rv: this.#rv, resource, type, object: stored });
  }

  remove(resource: string, namespace: string, name: string): void {
    const store = this.#store(resource);
    const object = store.get(`${namespace}/${name}`);
    if (!object) return;
    store.delete(`${namespace}/${name}`);
    const gone = {
      ...object,
      metadata: { ...object.metadata, resourceVersion: String(++this.#rv) },
    };
    this.#publish({ rv: this.#rv, resource, type: "DELETED", object: gone });
  }

  /** Forgets the change history: a watch from an older resourceVersion now gets 410 Gone. */
  compact(): void {
    this.#compactedRv = this.#rv;
    this.#history = [];
  }

  /** Sends a BOOKMARK to every watch that asked for them and is behind the current version. */
  bookmark(): void {
    for (const w of this.#watchers) this.#bookmark(w);
  }

  /** Ends every open watch the way the server does at timeoutSeconds. */
  closeWatches(): void {
    for (const w of this.#watchers) this.#end(w);
  }

  /** Makes new watch requests wait (after authentication) until releaseWatches(). */
  holdWatches(): void {
    this.#hold ??= Promise.withResolvers<void>();
  }
  releaseWatches(): void {
    this.#hold?.resolve();
    this.#hold = undefined;
  }

  /** Stops listening and cuts every connection (the API server goes away). */
  async down(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    for (const w of this.#watchers) for (const t of w.timers) clearTimeout(t);
    this.#watchers.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await closed;
  }

  /** Listens again, on the same port when it had one. */
  async up(): Promise<void> {
    if (this.#server) return;
    const { pki } = this.#options;
    const server = https.createServer({
      key: pki.serverKey,
      cert: pki.serverCert,
      ca: pki.ca,
      requestCert: true,
      rejectUnauthorized: false,
    }, (req, res) => void this.#handle(req, res));
    server.on("connection", (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
    server.on("secureConnection", (socket: TLSSocket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
      // The API server verifies a client certificate when one is presented: a stranger's fails.
      const peer = socket.getPeerCertificate();
      if (peer && Object.keys(peer).length > 0 && !socket.authorized) socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  close(): Promise<void> {
    this.releaseWatches();
    return this.down();
  }

  #store(resource: string): Map<string, Json> {
    let store = this.#objects.get(resource);
    if (!store) this.#objects.set(resource, store = new Map());
    return store;
  }

  #publish(change: Change): void {
    this.#history.push(change);
    for (const w of this.#watchers) {
      if (w.resource === change.resource && matches(change.object, w.namespace, w.selector)) {
        this.#send(w, { type: change.type, object: change.object }, change.rv);
      }
    }
  }

  #send(w: Watcher, event: Json, rv: number): void {
    w.lastRv = rv;
    const bytes = new TextEncoder().encode(JSON.stringify(event) + "\n");
    w.queue = w.queue.then(async () => {
      const pieces = this.#options.splitChunks ? this.#cut(bytes) : [bytes];
      for (const piece of pieces) {
        if (w.res.writableEnded || w.res.destroyed) return;
        w.res.write(piece);
        if (pieces.length > 1) await new Promise((r) => setTimeout(r, 1));
      }
    });
  }

  #cut(bytes: Uint8Array): Uint8Array[] {
    const cuts = new Set<number>();
    const count = 1 + Math.floor(this.#random() * 4);
    for (let i = 0; i < count; i++) cuts.add(1 + Math.floor(this.#random() * (bytes.length - 1)));
    const points = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
    return points.slice(1).map((end, i) => bytes.subarray(points[i]!, end));
  }

  #bookmark(w: Watcher): void {
    if (!w.bookmarks || w.lastRv >= this.#rv) return; // only when the version moved, as observed
    const { kind, prefix } = RESOURCES[w.resource]!;
    const object: Json = {
      kind,
      apiVersion: prefix.replace(/^\/apis?\//, ""),
      metadata: { resourceVersion: String(this.#rv), creationTimestamp: null },
    };
    if (w.resource === "endpointslices") {
      Object.assign(object, { addressType: "", endpoints: null, ports: null });
    }
    this.#send(w, { type: "BOOKMARK", object }, this.#rv);
  }

  #end(w: Watcher): void {
    this.#watchers.delete(w);
    for (const t of w.timers) clearTimeout(t);
    w.queue = w.queue.then(() => void w.res.end());
  }

  #status(res: ServerResponse, code: number, body: Json): number {
    const text = typeof body === "string" ? body : JSON.stringify(body, null, 2);
    res.writeHead(code, {
      ...headers(),
      "content-length": String(new TextEncoder().encode(text).length),
    });
    res.end(text);
    return code;
  }

  #user(req: IncomingMessage): string | undefined {
    const socket = req.socket as TLSSocket;
    if (socket.authorized) return String(socket.getPeerCertificate().subject?.CN);
    const auth = req.headers.authorization ?? "";
    return auth.startsWith("Bearer ") ? this.tokens.get(auth.slice(7)) : undefined;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "https://fake");
    const query = Object.fromEntries(url.searchParams);
    const match = PATH.exec(url.pathname);
    const [, prefix = "", namespace = "", resource = "", name] = match ?? [];
    const info = RESOURCES[resource];
    const verb = name ? "get" : query.watch === "true" ? "watch" : "list";
    const user = this.#user(req);
    const record: RequestRecord = { verb, resource, namespace, query, user, status: 0 };
    this.requests.push(record);
    if (!user) {
      return void (record.status = this.#status(res, 401, fixtureText("unauthorized-401.json")));
    }
    if (req.method !== "GET" && this.#options.onWrite) {
      let text = "";
      const decoder = new TextDecoder();
      for await (const chunk of req) text += decoder.decode(chunk as Uint8Array, { stream: true });
      const answer = this.#options.onWrite({
        method: req.method ?? "",
        path: url.pathname,
        contentType: String(req.headers["content-type"] ?? ""),
        body: text + decoder.decode(),
        user,
      });
      if (answer) return void (record.status = this.#status(res, answer.status, answer.body));
    }
    if (!match || !info || info.prefix !== prefix || req.method !== "GET") {
      return void (record.status = this.#status(res, 404, notFoundStatus()));
    }
    if (this.forbidden.has(`${verb} ${resource}`)) {
      return void (record.status = this.#status(
        res,
        403,
        forbiddenStatus(user, verb, resource, info.group, namespace),
      ));
    }
    const selector = parseSelector(query.labelSelector ?? "");
    if (verb === "get") {
      const object = this.#store(resource).get(`${namespace}/${name}`);
      if (!object) {
        return void (record.status = this.#status(
          res,
          404,
          notFoundStatus(name, resource, info.group),
        ));
      }
      return void (record.status = this.#status(res, 200, object));
    }
    if (verb === "list") {
      const items = [...this.#store(resource).values()]
        .filter((o) => matches(o, namespace, selector))
        .map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
      return void (record.status = this.#status(res, 200, {
        kind: `${info.kind}List`,
        apiVersion: info.prefix.replace(/^\/apis?\//, ""),
        metadata: { resourceVersion: String(this.#rv) },
        items,
      }));
    }
    if (this.#hold) {
      this.#held++;
      await this.#hold.promise;
      this.#held--;
    }
    const from = Number(query.resourceVersion || "0");
    if (from !== 0 && from < this.#compactedRv && this.expired === "status") {
      return void (record.status = this.#status(res, 410, expiredStatus(from, this.#compactedRv)));
    }
    record.status = 200;
    res.writeHead(200, { ...headers(), "transfer-encoding": "chunked" });
    const w: Watcher = {
      res,
      resource,
      namespace,
      selector,
      bookmarks: query.allowWatchBookmarks === "true",
      lastRv: from,
      queue: Promise.resolve(),
      timers: [],
    };
    if (from !== 0 && from < this.#compactedRv) {
      this.#send(w, {
        type: "ERROR",
        object: expiredStatus(from, this.#compactedRv),
      }, from);
      return this.#end(w);
    }
    this.#watchers.add(w);
    res.on("close", () => this.#end(w));
    if (from === 0) {
      for (const object of this.#store(resource).values()) {
        if (matches(object, namespace, selector)) {
          this.#send(w, { type: "ADDED", object }, this.#rv);
        }
      }
    } else {
      for (const c of this.#history) {
        if (c.rv > from && c.resource === resource && matches(c.object, namespace, selector)) {
          this.#send(w, { type: c.type, object: c.object }, c.rv);
        }
      }
    }
    const timeoutMs = Number(query.timeoutSeconds || "1800") * 1000;
    const endMs = Math.min(timeoutMs, this.#options.maxWatchMs ?? Infinity);
    w.timers.push(setTimeout(() => this.#end(w), endMs));
    if (endMs === timeoutMs && timeoutMs > 2000) {
      w.timers.push(setTimeout(() => this.#bookmark(w), timeoutMs - 2000));
    }
  }
}

const headers = () => ({
  "audit-id": crypto.randomUUID(),
  "cache-control": "no-cache, private",
  "content-type": "application/json",
  "x-content-type-options": "nosniff",
});

function parseSelector(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const term of text.split(",").filter(Boolean)) {
    const [key, value] = term.split(/==?/);
    if (key !== undefined && value !== undefined) out[key.trim()] = value.trim();
  }
  return out;
}

function matches(object: Json, namespace: string, selector: Record<string, string>): boolean {
  if (object.metadata.namespace !== namespace) return false;
  const labels = object.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
