// A fake Kubernetes API server speaking the real protocol over HTTPS on loopback: client
// certificates (verified against the test CA) or bearer tokens; list and watch with
// resourceVersions; bookmarks only when the resourceVersion moved; 410 as an ERROR event or as the
// HTTP status; RBAC 403 and 401 Status bodies; watch bytes split at random boundaries; closing
// watches, holding new ones, and going down and coming back. Gateway API HTTPRoutes, Gateways and
// ReferenceGrants (CRDs: defaults, generation, the status subresource's merge patch with 409 on a
// stale resourceVersion) and Services too, namespaced and cluster-wide. Shapes come from the real
// traces in ../shared/fixtures/kube (node:https: Deno.serve cannot ask for client certificates).
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { TestPki } from "./certs.ts";
import {
  defaultGateway,
  defaultHttpRoute,
  defaultService,
  type FieldError,
  routeStatusErrors,
} from "./gateway_fixtures.ts";
import { expiredStatus, fixtureText, forbiddenStatus, notFoundStatus } from "./kube_fixtures.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

interface ResourceInfo {
  prefix: string;
  kind: string;
  group: string;
  /** Served the way the Gateway API resources are: server fields, defaults, generation, writes. */
  managed?: {
    /** A CRD: list items keep kind/apiVersion, JSON keys come out sorted, bookmarks are bare. */
    crd: boolean;
    /** Has a status subresource: spec/metadata writes keep the status, /status writes only it. */
    status: boolean;
    /** metadata.generation is kept (bumped when anything but metadata and status changes). */
    generation: boolean;
    defaults?: (object: Json) => Json;
  };
}
const GATEWAY = "/apis/gateway.networking.k8s.io";
const RESOURCES: Record<string, ResourceInfo> = {
  endpointslices: {
    prefix: "/apis/discovery.k8s.io/v1",
    kind: "EndpointSlice",
    group: "discovery.k8s.io",
  },
  pods: { prefix: "/api/v1", kind: "Pod", group: "" },
  replicasets: { prefix: "/apis/apps/v1", kind: "ReplicaSet", group: "apps" },
  deployments: { prefix: "/apis/apps/v1", kind: "Deployment", group: "apps" },
  httproutes: {
    prefix: `${GATEWAY}/v1`,
    kind: "HTTPRoute",
    group: "gateway.networking.k8s.io",
    managed: { crd: true, status: true, generation: true, defaults: defaultHttpRoute },
  },
  gateways: {
    prefix: `${GATEWAY}/v1`,
    kind: "Gateway",
    group: "gateway.networking.k8s.io",
    managed: { crd: true, status: true, generation: true, defaults: defaultGateway },
  },
  referencegrants: {
    prefix: `${GATEWAY}/v1beta1`,
    kind: "ReferenceGrant",
    group: "gateway.networking.k8s.io",
    managed: { crd: true, status: false, generation: true },
  },
  services: {
    prefix: "/api/v1",
    kind: "Service",
    group: "",
    managed: { crd: false, status: true, generation: false, defaults: defaultService },
  },
};
// prefix, then namespace (absent: cluster-wide), resource, name, subresource.
const PATH =
  /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?$/;
const MERGE_PATCH = "application/merge-patch+json";

export interface RequestRecord {
  verb: "list" | "watch" | "get" | "patch" | "create" | "update" | "delete";
  resource: string;
  /** "" for a cluster-wide list or watch. */
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
  /**
   * Answers writes (PATCH, POST, …) after authentication; undefined falls through to the built-in
   * PATCH of httproutes and gateways (and their /status), and 404 for anything else.
   */
  onWrite?: (write: FakeWrite) => { status: number; body: Json } | undefined;
  /** The clock for creationTimestamp. */
  now?: () => Date;
}

/** A write request as `onWrite` sees it. */
export interface FakeWrite {
  method: string;
  path: string;
  contentType: string;
  body: string;
  user: string;
}

/** A write as the server answered it (in `FakeKubeApi.writes`). */
export interface WriteRecord {
  method: string;
  path: string;
  contentType: string;
  /** The request body parsed as JSON, or its text when it is not JSON. */
  body: Json;
  user: string;
  status: number;
  /** What the server answered: the object, or a Status. */
  response: Json;
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
  /** Every write (PATCH, POST, PUT, DELETE), answered by `onWrite` or not, in order. */
  readonly writes: WriteRecord[] = [];
  /**
   * What RBAC refuses: `verb resource` for everyone ("watch endpointslices",
   * "patch httproutes/status"), or `user verb resource` for one user.
   */
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

  /**
   * Creates or replaces an object (ADDED or MODIFIED to watchers). For the Gateway API resources
   * and Services it does what the API server does on a write: uid and creationTimestamp on create
   * (kept after), defaults, generation (1, then bumped when anything but metadata and status
   * changed), the stored status kept when the object carries none, and no event for no change.
   */
  upsert(resource: string, object: Json): void {
    const info = RESOURCES[resource];
    if (!info) throw new RangeError(`Cannot store a ${resource}: the fake API does not serve it`);
    let stored = { kind: info.kind, apiVersion: apiVersionOf(info), ...structuredClone(object) };
    const store = this.#store(resource);
    const key = `${stored.metadata.namespace}/${stored.metadata.name}`;
    const old = store.get(key);
    if (info.managed) {
      stored = this.#serverFields(info, stored, old);
      if (old && canonical(stored) === canonical(old)) return;
    }
    stored.metadata.resourceVersion = String(++this.#rv);
    if (info.managed?.crd) stored = sortKeys(stored);
    const type = old ? "MODIFIED" : "ADDED";
    store.set(key, stored);
    this.#publish({ rv: this.#rv, resource, type, object: stored });
  }

  /** The stored object (as a GET answers it), or undefined. */
  get(resource: string, namespace: string, name: string): Json {
    const object = this.#store(resource).get(`${namespace}/${name}`);
    return object === undefined ? undefined : structuredClone(object);
  }

  #serverFields(info: ResourceInfo, next: Json, old: Json): Json {
    const managed = info.managed!;
    if (old && managed.status && !("status" in next)) next.status = structuredClone(old.status);
    if (old?.spec?.clusterIP && next.spec && !next.spec.clusterIP) { // allocated, immutable
      next.spec.clusterIP = old.spec.clusterIP;
      next.spec.clusterIPs ??= old.spec.clusterIPs;
    }
    managed.defaults?.(next);
    const meta = next.metadata;
    meta.uid = old?.metadata.uid ?? meta.uid ?? crypto.randomUUID();
    meta.creationTimestamp = old?.metadata.creationTimestamp ?? meta.creationTimestamp ??
      timestamp((this.#options.now ?? (() => new Date()))());
    if (managed.generation) {
      const changed = old && canonical(specPart(next, info)) !== canonical(specPart(old, info));
      meta.generation = old ? old.metadata.generation + (changed ? 1 : 0) : 1;
    }
    if (old) meta.resourceVersion = old.metadata.resourceVersion;
    else delete meta.resourceVersion;
    return next;
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

  /** The stored objects: in key order as etcd has them (the older resources in insertion order). */
  #objectsOf(resource: string): Json[] {
    const entries = [...this.#store(resource).entries()];
    if (RESOURCES[resource]?.managed) entries.sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
    return entries.map(([, object]) => object);
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
    const info = RESOURCES[w.resource]!;
    const object: Json = info.managed?.crd
      // An unstructured object: nothing but what the bookmark sets.
      ? { apiVersion: apiVersionOf(info), kind: info.kind, metadata: { resourceVersion: "" } }
      : {
        kind: info.kind,
        apiVersion: apiVersionOf(info),
        metadata: { resourceVersion: "", creationTimestamp: null },
      };
    object.metadata.resourceVersion = String(this.#rv);
    if (w.resource === "endpointslices") {
      Object.assign(object, { addressType: "", endpoints: null, ports: null });
    }
    if (w.resource === "services") {
      Object.assign(object, { spec: {}, status: { loadBalancer: {} } });
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

  /**
   * The built-in writes: PATCH (merge patch) of a Gateway API object or of its /status, as the
   * API server checks them: RBAC, media type, existence, body, resourceVersion; 404 otherwise.
   */
  #write(
    w: {
      method: string;
      user: string;
      contentType: string;
      text: string;
      prefix: string;
      namespace: string;
      resource: string;
      name: string | undefined;
      subresource: string | undefined;
    },
  ): { status: number; body: Json } {
    const info = RESOURCES[w.resource];
    const managed = info?.managed;
    const toStatus = w.subresource === "status";
    if (
      w.method !== "PATCH" || !info || !managed?.crd || info.prefix !== w.prefix || !w.namespace ||
      !w.name || (w.subresource !== undefined && !(toStatus && managed.status))
    ) {
      return { status: 404, body: notFoundStatus() };
    }
    const name = w.name;
    const rbacResource = toStatus ? `${w.resource}/status` : w.resource;
    if (this.#denied(w.user, "patch", rbacResource)) {
      return {
        status: 403,
        body: this.#forbiddenBody(w.user, "patch", rbacResource, info, w.namespace, name),
      };
    }
    const mediaType = w.contentType.split(";")[0]!.trim().toLowerCase();
    if (mediaType !== MERGE_PATCH) {
      return { status: 415, body: unsupportedMediaType(mediaType) };
    }
    const store = this.#store(w.resource);
    const key = `${w.namespace}/${name}`;
    const current = store.get(key);
    if (!current) return { status: 404, body: notFoundStatus(name, w.resource, info.group) };
    let patch: Json;
    try {
      patch = JSON.parse(w.text);
    } catch (error) {
      return { status: 400, body: badRequest(`error decoding patch: ${(error as Error).message}`) };
    }
    if (!isObject(patch)) {
      return { status: 400, body: badRequest("error decoding patch: not a JSON object") };
    }
    const wanted = patch.metadata?.resourceVersion;
    if (
      typeof wanted === "string" && wanted !== "" && wanted !== current.metadata.resourceVersion
    ) {
      return { status: 409, body: conflictStatus(w.resource, info.group, name) };
    }
    const merged = mergePatch(current, patch);
    let next: Json;
    if (toStatus) {
      // The status strategy: the old object whole, with the patched status.
      next = structuredClone(current);
      if (merged.status === undefined) delete next.status;
      else next.status = merged.status;
      managed.defaults?.(next);
      const errors = w.resource === "httproutes" ? routeStatusErrors(next.status) : [];
      if (errors.length > 0) return { status: 422, body: invalidStatus(info, name, errors) };
    } else {
      next = { ...merged, kind: info.kind, apiVersion: apiVersionOf(info) };
      const { name: _n, namespace, uid, creationTimestamp, generation, resourceVersion } =
        current.metadata;
      next.metadata = {
        ...(isObject(merged.metadata) ? merged.metadata : {}),
        name,
        namespace,
        uid,
        creationTimestamp,
        generation,
        resourceVersion,
      };
      if (managed.status) {
        if (current.status === undefined) delete next.status;
        else next.status = current.status;
      }
      managed.defaults?.(next);
      if (canonical(specPart(next, info)) !== canonical(specPart(current, info))) {
        next.metadata.generation = generation + 1;
      }
    }
    if (canonical(next) === canonical(current)) return { status: 200, body: current }; // no write
    next.metadata.resourceVersion = String(++this.#rv);
    next = sortKeys(next);
    store.set(key, next);
    this.#publish({ rv: this.#rv, resource: w.resource, type: "MODIFIED", object: next });
    return { status: 200, body: next };
  }

  #denied(user: string, verb: string, resource: string): boolean {
    return this.forbidden.has(`${verb} ${resource}`) ||
      this.forbidden.has(`${user} ${verb} ${resource}`);
  }

  /** RBAC's 403: named for a named object of the new resources, at the cluster scope without a namespace. */
  #forbiddenBody(
    user: string,
    verb: string,
    resource: string,
    info: ResourceInfo,
    namespace: string,
    name: string | undefined,
  ): Json {
    const body = forbiddenStatus(user, verb, resource, info.group, namespace);
    const base = resource.split("/")[0]!; // the object's resource, without a subresource
    const named = name !== undefined && info.managed !== undefined;
    const subject = qualify(base, info.group) + (named ? ` "${name}"` : "");
    const scope = namespace ? `in the namespace "${namespace}"` : "at the cluster scope";
    body.message =
      `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${info.group}" ${scope}`;
    body.details = {
      ...(named ? { name } : {}),
      ...(info.group ? { group: info.group } : {}),
      kind: base,
    };
    return body;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "https://fake");
    const query = Object.fromEntries(url.searchParams);
    const match = PATH.exec(url.pathname);
    const [, prefix = "", namespace = "", resource = "", name, subresource] = match ?? [];
    const info = RESOURCES[resource];
    const method = req.method ?? "GET";
    const verb = verbOf(method, name, query.watch);
    const user = this.#user(req);
    const record: RequestRecord = { verb, resource, namespace, query, user, status: 0 };
    this.requests.push(record);
    if (!user) {
      return void (record.status = this.#status(res, 401, fixtureText("unauthorized-401.json")));
    }
    if (method !== "GET") {
      let text = "";
      const decoder = new TextDecoder();
      for await (const chunk of req) text += decoder.decode(chunk as Uint8Array, { stream: true });
      text += decoder.decode();
      const contentType = String(req.headers["content-type"] ?? "");
      const answer = this.#options.onWrite?.({
        method,
        path: url.pathname,
        contentType,
        body: text,
        user,
      }) ??
        this.#write({
          method,
          user,
          contentType,
          text,
          prefix,
          namespace,
          resource,
          name,
          subresource,
        });
      this.writes.push({
        method,
        path: url.pathname,
        contentType,
        body: parseOr(text),
        user,
        status: answer.status,
        response: structuredClone(answer.body),
      });
      return void (record.status = this.#status(res, answer.status, answer.body));
    }
    const servedSubresource = subresource === undefined ||
      (subresource === "status" && info?.managed?.status === true && info.managed.crd);
    if (!match || !info || info.prefix !== prefix || (name && !namespace) || !servedSubresource) {
      return void (record.status = this.#status(res, 404, notFoundStatus()));
    }
    const rbacResource = subresource ? `${resource}/${subresource}` : resource;
    if (this.#denied(user, verb, rbacResource)) {
      return void (record.status = this.#status(
        res,
        403,
        this.#forbiddenBody(user, verb, rbacResource, info, namespace, name),
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
      const items = this.#objectsOf(resource)
        .filter((o) => matches(o, namespace, selector))
        .map((o) => {
          if (info.managed?.crd) return o; // unstructured list items keep kind and apiVersion
          const { kind: _k, apiVersion: _a, ...rest } = o;
          return rest;
        });
      const list = {
        kind: `${info.kind}List`,
        apiVersion: apiVersionOf(info),
        metadata: info.managed?.crd
          ? { continue: "", resourceVersion: String(this.#rv) }
          : { resourceVersion: String(this.#rv) },
        items,
      };
      return void (record.status = this.#status(
        res,
        200,
        info.managed?.crd ? sortKeys(list) : list,
      ));
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
    res.flushHeaders(); // the API server flushes the 200 at once, before any event
    const w: Watcher = {
      res,
      resource,
      namespace,
      selector,
      bookmarks: parseBool(query.allowWatchBookmarks),
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
      for (const object of this.#objectsOf(resource)) {
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
  if (namespace && object.metadata.namespace !== namespace) return false;
  const labels = object.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

const apiVersionOf = (info: ResourceInfo) => info.prefix.replace(/^\/apis?\//, "");
const qualify = (resource: string, group: string) => group ? `${resource}.${group}` : resource;
const isObject = (value: unknown): value is Record<string, Json> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const timestamp = (date: Date) => date.toISOString().replace(/\.\d+Z$/, "Z");

/** Go's strconv.ParseBool, as the API server reads `watch` and `allowWatchBookmarks`. */
const parseBool = (text: string | undefined) =>
  ["1", "t", "T", "TRUE", "true", "True"].includes(text ?? "");

function verbOf(method: string, name: string | undefined, watch: string | undefined) {
  switch (method) {
    case "GET":
      return name ? "get" : parseBool(watch) ? "watch" : "list";
    case "PATCH":
      return "patch";
    case "PUT":
      return "update";
    case "DELETE":
      return "delete";
    default:
      return "create";
  }
}

function parseOr(text: string): Json {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Every object with its keys in order, as Go encodes the map of an unstructured object. */
function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value).sort().map((key) => [key, sortKeys(value[key])]),
  );
}

const canonical = (value: Json) => JSON.stringify(sortKeys(value));

/** What metadata.generation follows: everything but metadata (and status, with a subresource). */
function specPart(object: Json, info: ResourceInfo): Json {
  const { metadata: _m, status, ...rest } = object;
  return info.managed?.status ? rest : { ...rest, status };
}

/** RFC 7386: objects merge, anything else replaces, null deletes. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Json = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

const failure = (code: number, reason: string, message: string, details?: Json): Json => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message,
  reason,
  ...(details ? { details } : {}),
  code,
});

function conflictStatus(resource: string, group: string, name: string): Json {
  return failure(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${
      qualify(resource, group)
    } "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group, kind: resource },
  );
}

function unsupportedMediaType(mediaType: string): Json {
  const accepted = ["application/json-patch+json", MERGE_PATCH, "application/apply-patch+yaml"];
  // A real server takes these two as well; say so rather than pretend they are unknown.
  const message = accepted.includes(mediaType)
    ? `the fake API server does not implement ${mediaType}; send ${MERGE_PATCH}`
    : `the body of the request was in an unknown format - accepted media types include: ${
      accepted.join(", ")
    }`;
  return failure(415, "UnsupportedMediaType", message);
}

const badRequest = (message: string): Json => failure(400, "BadRequest", message);

/** A 422 from schema validation: every cause, in the message and in details.causes. */
function invalidStatus(info: ResourceInfo, name: string, errors: FieldError[]): Json {
  const each = errors.map((e) => `${e.field}: ${e.message}`);
  return failure(
    422,
    "Invalid",
    `${info.kind}.${info.group} "${name}" is invalid: ${
      each.length === 1 ? each[0] : `[${each.join(", ")}]`
    }`,
    {
      name,
      group: info.group,
      kind: info.kind,
      causes: errors.map(({ reason, message, field }) => ({ reason, message, field })),
    },
  );
}
