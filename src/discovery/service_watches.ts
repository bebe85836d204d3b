// The EndpointSlice watches a proxy with routes needs: one watch per Service, however many
// routes and ports point at it, started when the first backendRef needs it and stopped when the
// last one lets go. Each subscriber gets the endpoints of its own port, as whole snapshots.
import type { KubeApi } from "../kube/api.ts";
import { Reflector, type ReflectorTimers, type RestartReason } from "../kube/reflector.ts";
import type { Logger } from "../log.ts";
import { type BackendPort, endpointsFromSlices, type EndpointSlice } from "./endpoint_slices.ts";
import { endpointSliceSchema } from "./endpoint_slices.ts";
import { type Endpoint, sameSnapshot, type SnapshotListener } from "./types.ts";

/** The EndpointSlices collection of a namespace. */
export function endpointSlicesPath(namespace: string): string {
  return `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/endpointslices`;
}

export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
}

export interface ServiceWatchesOptions {
  api: KubeApi;
  logger: Logger;
  timers?: Partial<ReflectorTimers>;
  random?: () => number;
  onRestart?: (reason: RestartReason) => void;
}

export interface ServiceWatches {
  /** Subscribes to a Service's endpoints on `port`; the returned function unsubscribes. */
  subscribe(service: ServiceRef, port: BackendPort, listener: SnapshotListener): () => void;
  /** The Services watched now (`namespace/name`), for /debug/routes and tests. */
  watched(): string[];
  /** Stops every watch. */
  stop(): Promise<void>;
}

interface Subscriber {
  port: BackendPort;
  listener: SnapshotListener;
  last: readonly Endpoint[] | undefined;
  problems: string;
}

interface Watch {
  reflector: Reflector<EndpointSlice>;
  subscribers: Set<Subscriber>;
  slices: readonly EndpointSlice[] | undefined;
}

export function serviceWatches(options: ServiceWatchesOptions): ServiceWatches {
  const { api, logger } = options;
  const watches = new Map<string, Watch>();
  const stopping = new Set<Promise<void>>();

  const deliver = (key: string, subscriber: Subscriber, slices: readonly EndpointSlice[]) => {
    const { endpoints, problems } = endpointsFromSlices(slices, subscriber.port);
    const joined = problems.join("\n");
    if (joined !== subscriber.problems) {
      for (const detail of problems) {
        logger.warn("endpointslice_unusable", { service: key, detail });
      }
      subscriber.problems = joined;
    }
    if (subscriber.last && sameSnapshot(subscriber.last, endpoints)) return;
    subscriber.last = endpoints;
    subscriber.listener(endpoints);
  };

  return {
    subscribe(service, port, listener) {
      const key = `${service.namespace}/${service.name}`;
      let watch = watches.get(key);
      if (!watch) {
        const created: Watch = {
          subscribers: new Set(),
          slices: undefined,
          reflector: new Reflector({
            api,
            path: endpointSlicesPath(service.namespace),
            labelSelector: `kubernetes.io/service-name=${service.name}`,
            itemSchema: endpointSliceSchema,
            name: `endpointslices ${key}`,
            logger,
            ...(options.timers ? { timers: options.timers } : {}),
            ...(options.random ? { random: options.random } : {}),
            ...(options.onRestart ? { onRestart: options.onRestart } : {}),
            onChange(slices) {
              created.slices = slices;
              for (const subscriber of created.subscribers) deliver(key, subscriber, slices);
            },
          }),
        };
        watches.set(key, created);
        created.reflector.start();
        logger.info("service_watch_started", { service: key });
        watch = created;
      }
      const subscriber: Subscriber = { port, listener, last: undefined, problems: "" };
      watch.subscribers.add(subscriber);
      // A Service watched already: its current endpoints now, not at its next change.
      if (watch.slices) deliver(key, subscriber, watch.slices);
      const owner = watch;
      return () => {
        if (!owner.subscribers.delete(subscriber) || owner.subscribers.size > 0) return;
        if (watches.get(key) === owner) watches.delete(key);
        logger.info("service_watch_stopped", { service: key });
        const done = owner.reflector.stop();
        stopping.add(done);
        done.finally(() => stopping.delete(done));
      };
    },
    watched: () => [...watches.keys()].sort(),
    async stop() {
      const all = [...watches.values()].map((w) => w.reflector.stop());
      watches.clear();
      await Promise.all([...all, ...stopping]);
    },
  };
}
