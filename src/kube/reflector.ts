// A reflector, as client-go has it: list a resource, then watch it from the list's
// resourceVersion, keeping a cache of the objects keyed by namespace/name and handing the whole
// set to `onChange` after every change. Errors never empty the cache: the last good set stays
// until the API server answers again (static stability).
import { type Logger, silentLogger } from "../log.ts";
import { KubeApiError } from "./api.ts";
import { Backoff } from "./backoff.ts";
import { ndjsonLines } from "./ndjson_lines.ts";
import {
  type KubeObject,
  listSchema,
  objectKey,
  objectMetaSchema,
  resourceVersionOf,
  watchEventSchema,
} from "./objects.ts";
import {
  abortableSleep,
  DEFAULT_REFLECTOR_TIMERS,
  type ReflectorOptions,
  type ReflectorTimers,
  type RestartReason,
} from "./reflector_options.ts";
import { kubeApiErrorFromStatus, parseStatus, rbacDenial } from "./status.ts";

export { DEFAULT_REFLECTOR_TIMERS };
export type { ReflectorOptions, ReflectorTimers, RestartReason };

type WatchEnd = { kind: "closed" | "deadline"; events: number; ms: number } | { kind: "expired" };

const metaOnly = objectMetaSchema.pick({ name: true, namespace: true });

export class Reflector<T extends KubeObject> {
  readonly #options: ReflectorOptions<T>;
  readonly #timers: ReflectorTimers;
  readonly #logger: Logger;
  readonly #name: string;
  readonly #backoff: Backoff;
  readonly #abort = new AbortController();
  readonly #synced = Promise.withResolvers<boolean>();
  #items = new Map<string, T>();
  #resourceVersion: string | undefined;
  #isSynced = false;
  #running: Promise<void> | undefined;
  #failures = 0;

  constructor(options: ReflectorOptions<T>) {
    this.#options = options;
    this.#timers = { ...DEFAULT_REFLECTOR_TIMERS, ...options.timers };
    this.#logger = options.logger ?? silentLogger;
    this.#name = options.name ?? options.path;
    this.#backoff = new Backoff({
      initialMs: this.#timers.backoffInitialMs,
      maxMs: this.#timers.backoffMaxMs,
      ...(options.random ? { random: options.random } : {}),
    });
  }

  /** Starts listing and watching in the background; a second call does nothing. */
  start(): void {
    this.#running ??= this.#run().finally(() => this.#synced.resolve(false));
  }

  /** Ends the watch and resolves once the reflector has stopped. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  /** True once the first list has been received. */
  get synced(): boolean {
    return this.#isSynced;
  }

  /** Resolves true after the first list, or false when stopped before it. */
  untilSynced(): Promise<boolean> {
    return this.#synced.promise;
  }

  /** The resourceVersion the next watch starts from. */
  get resourceVersion(): string | undefined {
    return this.#resourceVersion;
  }

  /** The cached objects now. */
  items(): T[] {
    return [...this.#items.values()];
  }

  #query(extra: Record<string, string>): string {
    const { labelSelector, fieldSelector } = this.#options;
    const params = new URLSearchParams();
    if (labelSelector) params.set("labelSelector", labelSelector);
    if (fieldSelector) params.set("fieldSelector", fieldSelector);
    for (const [key, value] of Object.entries(extra)) params.set(key, value);
    const query = params.toString();
    return query ? `${this.#options.path}?${query}` : this.#options.path;
  }

  #emit(): void {
    try {
      this.#options.onChange(this.items());
    } catch (error) {
      this.#logger.error("kube_on_change_failed", { watch: this.#name, error });
    }
  }

  #restart(reason: RestartReason): void {
    this.#options.onRestart?.(reason);
  }

  #parseItem(raw: unknown): T | undefined {
    const result = this.#options.itemSchema.safeParse(raw);
    if (result.success) return result.data;
    this.#logger.warn("kube_item_invalid", {
      watch: this.#name,
      error: result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    });
    return undefined;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    const sleep = this.#options.sleep ?? abortableSleep;
    let needList = true;
    // True from a list until its first watch has delivered an event or ended.
    let freshList = false;
    // 410 Gone, as an ERROR event or as the HTTP status: drop the cache and relist at once, as
    // client-go does (a restarted API server answers the old resourceVersion so; waiting out the
    // outage's backoff here served a stale set for up to backoffMaxMs after the server was back).
    const expired = async () => {
      this.#logger.info("kube_watch_expired", {
        watch: this.#name,
        resource_version: this.#resourceVersion,
      });
      this.#restart("expired");
      needList = true;
      // Only a watch that expires straight after its own list would relist in a loop: that
      // one, and only that one, waits.
      if (freshList) await sleep(this.#backoff.next(), signal);
      freshList = false;
    };
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.#list(signal);
          needList = false;
          freshList = true;
          this.#succeeded();
        }
        const end = await this.#watch(signal);
        if (signal.aborted) break;
        if (end.kind === "expired") {
          await expired();
          continue;
        }
        freshList = false;
        this.#logger.debug("kube_watch_ended", {
          watch: this.#name,
          how: end.kind,
          events: end.events,
        });
        this.#restart(end.kind);
        // A watch succeeded when it delivered an event or ran its course; one that ends at once
        // without an event (a server answering 200 and hanging up) is a failure in disguise.
        if (end.events > 0 || end.ms >= this.#timers.shortWatchMs) this.#succeeded();
        else await sleep(this.#backoff.next(), signal);
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof KubeApiError && error.status === 410) {
          await expired();
          continue;
        }
        freshList = false;
        const delayMs = this.#backoff.next();
        this.#failed(error, needList ? "list" : "watch", delayMs);
        await sleep(delayMs, signal);
      }
    }
  }

  #succeeded(): void {
    if (this.#failures > 0) {
      this.#logger.info("kube_recovered", { watch: this.#name, after_failures: this.#failures });
    }
    this.#failures = 0;
    this.#backoff.reset();
  }

  #failed(error: unknown, during: "list" | "watch", retryInMs: number): void {
    this.#failures++;
    const fields = {
      watch: this.#name,
      during,
      error,
      retry_in_ms: retryInMs,
      failures: this.#failures,
      serving_cached: this.#items.size,
    };
    if (error instanceof KubeApiError && error.status === 403) {
      // The API server's message names the user, verb and resource that RBAC is missing.
      this.#logger.error("kube_forbidden", { ...fields, ...rbacDenial(error.message) });
      this.#restart("forbidden");
    } else if (error instanceof KubeApiError && error.status === 401) {
      this.#logger.error("kube_unauthorized", fields);
      this.#restart("unauthorized");
    } else {
      this.#logger.warn(during === "list" ? "kube_list_failed" : "kube_watch_failed", fields);
      this.#restart("error");
    }
  }

  async #list(signal: AbortSignal): Promise<void> {
    const body = await this.#options.api.getJson(this.#query({}), { signal });
    const parsed = listSchema.safeParse(body);
    if (!parsed.success) {
      throw new TypeError(`Cannot read the list from ${this.#options.path}: not a Kubernetes list`);
    }
    const items = new Map<string, T>();
    for (const raw of parsed.data.items ?? []) {
      const item = this.#parseItem(raw);
      if (item) items.set(objectKey(item), item);
    }
    // The relist replaces the cache whole: objects deleted while the watch was gone disappear.
    this.#items = items;
    this.#resourceVersion = parsed.data.metadata.resourceVersion;
    this.#logger.info("kube_listed", {
      watch: this.#name,
      items: items.size,
      resource_version: this.#resourceVersion,
    });
    this.#isSynced = true;
    this.#emit();
    this.#synced.resolve(true);
  }

  async #watch(signal: AbortSignal): Promise<WatchEnd> {
    const { watchTimeoutMinSeconds: min, watchTimeoutMaxSeconds: max } = this.#timers;
    const random = this.#options.random ?? Math.random;
    const now = this.#options.now ?? Date.now;
    const timeoutSeconds = min + Math.floor(random() * (Math.max(min, max) - min + 1));
    const local = new AbortController();
    const watchSignal = AbortSignal.any([signal, local.signal]);
    const deadline = setTimeout(
      () => local.abort(new DOMException("watch deadline passed", "TimeoutError")),
      timeoutSeconds * 1000 + this.#timers.watchGraceMs,
    );
    const startedAt = now();
    let events = 0;
    try {
      const response = await this.#options.api.openStream(
        this.#query({
          watch: "true",
          resourceVersion: this.#resourceVersion ?? "",
          allowWatchBookmarks: "true",
          timeoutSeconds: String(timeoutSeconds),
        }),
        { signal: watchSignal },
      );
      this.#logger.debug("kube_watch_started", {
        watch: this.#name,
        resource_version: this.#resourceVersion,
        timeout_seconds: timeoutSeconds,
      });
      if (!response.body) return { kind: "closed", events, ms: now() - startedAt };
      for await (const lines of ndjsonLines(response.body, { signal: watchSignal })) {
        let changed = false;
        for (const line of lines) {
          events++;
          const outcome = this.#apply(line);
          if (outcome === "expired") return { kind: "expired" };
          changed ||= outcome === "changed";
        }
        if (changed) this.#emit();
        // The stream is healthy again: the next failure starts from the initial delay.
        if (events > 0) this.#succeeded();
      }
      if (local.signal.aborted && !signal.aborted) {
        return { kind: "deadline", events, ms: now() - startedAt };
      }
      return { kind: "closed", events, ms: now() - startedAt };
    } catch (error) {
      if (local.signal.aborted && !signal.aborted) {
        return { kind: "deadline", events, ms: now() - startedAt };
      }
      throw error;
    } finally {
      clearTimeout(deadline);
      local.abort(); // releases the body if the loop left early
    }
  }

  /** Applies one watch event line to the cache. */
  #apply(line: string): "changed" | "unchanged" | "expired" {
    let event;
    try {
      event = watchEventSchema.parse(JSON.parse(line));
    } catch {
      throw new TypeError(
        `Cannot read a watch event from ${this.#options.path}: ${line.slice(0, 120)}`,
      );
    }
    if (event.type === "ERROR") {
      const status = parseStatus(event.object);
      if (status?.code === 410) return "expired";
      throw kubeApiErrorFromStatus(status, this.#options.path);
    }
    const version = resourceVersionOf.safeParse(event.object);
    if (version.success) this.#resourceVersion = version.data.metadata.resourceVersion;
    if (event.type === "BOOKMARK") return "unchanged";
    if (event.type === "DELETED") {
      const meta = metaOnly.safeParse((event.object as { metadata?: unknown })?.metadata);
      if (!meta.success) return "unchanged";
      return this.#items.delete(objectKey({ metadata: meta.data })) ? "changed" : "unchanged";
    }
    const item = this.#parseItem(event.object);
    if (!item) return "unchanged";
    this.#items.set(objectKey(item), item);
    return "changed";
  }
}
