// routesFrom: gateway — watches HTTPRoutes, podgate's Gateway, ReferenceGrants and Services,
// hands the route table a new RouteSpec snapshot whenever the translation changes, and writes
// each attached HTTPRoute's status.parents entry as a Gateway controller does. desired (the
// watch caches) → translate (pure) → snapshot + status patches (skipped when they say nothing
// new). A failing watch keeps its cache (the reflector's static stability), so an API outage
// never empties the table; a status write that fails (409, API down) is retried from the cache.
import { type KubeApi, KubeApiError } from "../kube/api.ts";
import type { KubePatchApi } from "../kube/patch.ts";
import { Reflector, type ReflectorTimers } from "../kube/reflector.ts";
import { abortableSleep } from "../kube/reflector_options.ts";
import type { Logger } from "../log.ts";
import type { RouteSpec } from "../routes/types.ts";
import type { GatewaySettings } from "./config.ts";
import type { GatewayKey } from "./parent_ref.ts";
import {
  type Gateway,
  gatewaySchema,
  type HttpRoute,
  httpRouteSchema,
  type ReferenceGrant,
  referenceGrantSchema,
  type RouteParentStatus,
  type Service,
  serviceSchema,
} from "./schemas.ts";
import { sameJson, statusPatch } from "./status.ts";
import { type RouteOutcome, translateRoutes } from "./translate.ts";

export const HTTPROUTES_PATH = "/apis/gateway.networking.k8s.io/v1/httproutes";
export const REFERENCEGRANTS_PATH = "/apis/gateway.networking.k8s.io/v1beta1/referencegrants";
export const SERVICES_PATH = "/api/v1/services";
export const gatewaysPath = (namespace: string) =>
  `/apis/gateway.networking.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/gateways`;

export type RoutesListener = (routes: readonly RouteSpec[]) => void;

export interface GatewayRoutesOptions {
  api: KubeApi;
  patcher: KubePatchApi;
  settings: GatewaySettings;
  logger: Logger;
  /** The watches' timers (backoff, watch timeouts); production defaults otherwise. */
  timers?: Partial<ReflectorTimers>;
  now?: () => number;
  random?: () => number;
  /** Waits before a status write is retried; resolves early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface GatewayRoutes {
  /** The Gateway served, its namespace resolved. */
  readonly gateway: GatewayKey;
  /**
   * Starts the watches. `onRoutes` gets the whole route list once every watch has listed, then
   * after every change that alters it (identical lists are not repeated).
   */
  start(onRoutes: RoutesListener): void;
  stop(): Promise<void>;
}

export function gatewayRoutes(options: GatewayRoutesOptions): GatewayRoutes {
  const { api, patcher, settings, logger, now = Date.now, sleep = abortableSleep } = options;
  const gatewayKey: GatewayKey = {
    namespace: settings.namespace ?? api.defaultNamespace ?? "default",
    name: settings.name,
  };
  const statusOptions = { controllerName: settings.controllerName, gatewayKey };
  const abort = new AbortController();
  // Only start, stop and untilSynced are called on the list: the item type does not matter.
  const reflectors: Pick<Reflector<HttpRoute>, "start" | "stop" | "untilSynced">[] = [];
  let writer: Promise<void> | undefined;
  let started = false;

  return {
    gateway: gatewayKey,
    start(onRoutes) {
      if (started) return;
      started = true;
      let ready = false;
      let lastRoutes: string | undefined;
      let outcomes = new Map<string, RouteOutcome>();
      const pending = new Set<string>();
      let kick = Promise.withResolvers<void>();
      // What the last successful write sent, per route: the watch may not have brought it yet.
      const written = new Map<
        string,
        { resourceVersion: string | undefined; parents: readonly RouteParentStatus[] }
      >();

      const common = {
        api,
        logger,
        ...(options.timers ? { timers: options.timers } : {}),
        ...(options.random ? { random: options.random } : {}),
        onChange: () => reconcile(),
      };
      const routes = new Reflector<HttpRoute>({
        ...common,
        path: HTTPROUTES_PATH,
        itemSchema: httpRouteSchema,
        name: "httproutes",
      });
      const gateways = new Reflector<Gateway>({
        ...common,
        path: gatewaysPath(gatewayKey.namespace),
        fieldSelector: `metadata.name=${gatewayKey.name}`,
        itemSchema: gatewaySchema,
        name: `gateway ${gatewayKey.namespace}/${gatewayKey.name}`,
      });
      const grants = new Reflector<ReferenceGrant>({
        ...common,
        path: REFERENCEGRANTS_PATH,
        itemSchema: referenceGrantSchema,
        name: "referencegrants",
      });
      const services = new Reflector<Service>({
        ...common,
        path: SERVICES_PATH,
        itemSchema: serviceSchema,
        name: "services",
      });
      reflectors.push(routes, gateways, grants, services);

      function reconcile(): void {
        if (!ready) return;
        const translation = translateRoutes({
          gateway: gateways.items().find((g) => g.metadata.name === gatewayKey.name),
          routes: routes.items(),
          services: services.items(),
          grants: grants.items(),
        }, { gatewayKey, sectionName: settings.sectionName });
        outcomes = new Map(translation.outcomes.map((o) => [o.key, o]));
        for (const key of written.keys()) if (!outcomes.has(key)) written.delete(key);
        const json = JSON.stringify(translation.routes);
        if (json !== lastRoutes) {
          lastRoutes = json;
          logger.info("gateway_routes", {
            gateway: `${gatewayKey.namespace}/${gatewayKey.name}`,
            routes: translation.routes.map((r) => r.name),
          });
          try {
            onRoutes(translation.routes);
          } catch (error) {
            logger.error("gateway_on_routes_failed", { error });
          }
        }
        // The writer skips routes whose status already says it; asking about all is cheap.
        for (const key of outcomes.keys()) pending.add(key);
        kick.resolve();
      }

      async function writeStatus(key: string): Promise<void> {
        const outcome = outcomes.get(key);
        if (!outcome) return; // deleted: its status went with it
        const patch = statusPatch(outcome.route, outcome.parents, { ...statusOptions, now: now() });
        if (!patch) return;
        const memo = written.get(key);
        if (
          memo && memo.resourceVersion === outcome.route.metadata.resourceVersion &&
          sameJson(memo.parents, patch.body.status.parents)
        ) return;
        const route = { route: key, resource_version: outcome.route.metadata.resourceVersion };
        try {
          await patcher.patchJson(patch.path, patch.body, {
            contentType: "application/merge-patch+json",
            signal: abort.signal,
          });
          written.set(key, {
            resourceVersion: outcome.route.metadata.resourceVersion,
            parents: patch.body.status.parents,
          });
          const own = outcome.parents.map((p) =>
            Object.fromEntries(p.conditions.map((c) => [c.type, `${c.status} ${c.reason}`]))
          );
          logger.info("route_status_written", { ...route, parents: own });
        } catch (error) {
          if (abort.signal.aborted) return;
          if (error instanceof KubeApiError && error.status === 404) return; // deleted meanwhile
          if (error instanceof KubeApiError && error.status === 409) {
            logger.info("route_status_conflict", { ...route, retry_in_ms: settings.statusRetryMs });
          } else {
            logger.warn("route_status_write_failed", {
              ...route,
              error,
              retry_in_ms: settings.statusRetryMs,
            });
          }
          // After the wait the route is read again from the watch cache, newer by then.
          await sleep(settings.statusRetryMs, abort.signal);
          pending.add(key);
        }
      }

      async function writeLoop(): Promise<void> {
        while (!abort.signal.aborted) {
          const key = pending.values().next().value;
          if (key === undefined) {
            await kick.promise;
            kick = Promise.withResolvers<void>();
            continue;
          }
          pending.delete(key);
          await writeStatus(key);
        }
      }

      abort.signal.addEventListener("abort", () => kick.resolve(), { once: true });
      for (const r of reflectors) r.start();
      writer = (async () => {
        const synced = await Promise.all(reflectors.map((r) => r.untilSynced()));
        if (!synced.every(Boolean)) return;
        ready = true;
        reconcile();
        await writeLoop();
      })();
    },
    async stop() {
      abort.abort();
      await Promise.all(reflectors.map((r) => r.stop()));
      await writer;
    },
  };
}
