// Kubernetes discovery: watches the EndpointSlices of one Service and hands the balancer a new
// snapshot when the routable endpoints change. The first snapshot comes after the first list.
// One subscription to the same Service watches a config with routes uses (service_watches.ts).
import type { KubeApi } from "../kube/api.ts";
import type { ReflectorTimers, RestartReason } from "../kube/reflector.ts";
import type { Logger } from "../log.ts";
import type { BackendPort } from "./endpoint_slices.ts";
import { serviceWatches } from "./service_watches.ts";
import type { Discovery, SnapshotListener } from "./types.ts";

export { endpointSlicesPath } from "./service_watches.ts";

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

export function kubernetesDiscovery(options: KubernetesDiscoveryOptions): Discovery {
  const { namespace, serviceName, backendPort, ...watchOptions } = options;
  const watches = serviceWatches(watchOptions);
  return {
    kind: "kubernetes",
    start(onSnapshot: SnapshotListener) {
      watches.subscribe({ namespace, name: serviceName }, backendPort, onSnapshot);
    },
    stop: () => watches.stop(),
  };
}
