// Static discovery: the backends listed in the config, as one snapshot.
import type { Discovery, Endpoint, SnapshotListener } from "./types.ts";

export function staticDiscovery(addresses: readonly string[]): Discovery {
  const endpoints: Endpoint[] = [...new Set(addresses)].map((address) => ({ address }));
  return {
    kind: "static",
    start(onSnapshot: SnapshotListener) {
      onSnapshot(endpoints);
    },
    stop: () => Promise.resolve(),
  };
}
