// Discovery: which backends exist.
export type { Discovery, Endpoint, SnapshotListener } from "./types.ts";
export { sameSnapshot } from "./types.ts";
export { staticDiscovery } from "./static.ts";
