// Kubernetes discovery: watches the EndpointSlices of one Service and hands the balancer a new
// snapshot when the routable endpoints change. The first snapshot comes after the first list.
import type { KubeApi } from "../kube/api.ts";
import { Reflector, type ReflectorTimers, type RestartReason } from "../kube/reflector.ts";
import type { Logger } from "../log.ts";
import {
  type BackendPort,
  endpointsFromSlices,
  type EndpointSlice,
  endpointSliceSchema,
} from "./endpoint_slices.ts";
import { type Discovery, type Endpoint, sameSnapshot, type SnapshotListener } from "./types.ts";

export interface KubernetesDiscoveryOptions {
  api: KubeApi;
  namespace: string;
  serviceName: string;
  backendPort: BackendPort;
  logger: Logger;
  timers?: Partial<ReflectorTimers>;
  random?: () => number;
  onRestart?: (reason: RestartReason) => void;
}

/** The EndpointSlices collection of a namespace. */
export function endpointSlicesPath(namespace: string): string {
  return `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/endpointslices`;
}

export function kubernetesDiscovery(options: KubernetesDiscoveryOptions): Discovery {
  const { api, namespace, serviceName, backendPort, logger } = options;
  let reflector: Reflector<EndpointSlice> | undefined;

  return {
    kind: "kubernetes",
    start(onSnapshot: SnapshotListener) {
      let last: readonly Endpoint[] | undefined;
      let lastProblems = "";
      reflector = new Reflector({
        api,
        path: endpointSlicesPath(namespace),
        labelSelector: `kubernetes.io/service-name=${serviceName}`,
        itemSchema: endpointSliceSchema,
        name: `endpointslices ${namespace}/${serviceName}`,
        logger,
        ...(options.timers ? { timers: options.timers } : {}),
        ...(options.random ? { random: options.random } : {}),
        ...(options.onRestart ? { onRestart: options.onRestart } : {}),
        onChange(slices) {
          const { endpoints, problems } = endpointsFromSlices(slices, backendPort);
          // Say it once per change, not on every event while the problem lasts.
          const joined = problems.join("\n");
          if (joined !== lastProblems) {
            for (const problem of problems) {
              logger.warn("endpointslice_unusable", { service: serviceName, detail: problem });
            }
            lastProblems = joined;
          }
          if (last && sameSnapshot(last, endpoints)) return;
          last = endpoints;
          onSnapshot(endpoints);
        },
      });
      reflector.start();
    },
    async stop() {
      await reflector?.stop();
    },
  };
}
