// What discovery hands to the balancer: whole snapshots of the endpoints that exist now.

export interface Endpoint {
  /** `ip:port` (IPv6 bracketed). */
  readonly address: string;
  /** Still serving but on its way out: gets no new requests while a ready endpoint exists. */
  readonly terminating?: boolean;
  /** Relative weight for weighted strategies (default 1). */
  readonly weight?: number;
}

export type SnapshotListener = (endpoints: readonly Endpoint[]) => void;

export interface Discovery {
  readonly kind: string;
  /** Starts discovery; calls `onSnapshot` with every changed snapshot, the first one included. */
  start(onSnapshot: SnapshotListener): void;
  stop(): Promise<void>;
}

/** Two snapshots are the same when they hold the same endpoints with the same state. */
export function sameSnapshot(a: readonly Endpoint[], b: readonly Endpoint[]): boolean {
  if (a.length !== b.length) return false;
  const key = (e: Endpoint) => `${e.address}|${e.terminating ? 1 : 0}|${e.weight ?? 1}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.every((k, i) => k === right[i]);
}
