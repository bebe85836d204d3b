// The words clb-sync thinks in: a rule (one place on a CLB whose targets follow one Deployment),
// the targets Kubernetes wants there, and the targets the CLB holds.

export const L7_PROTOCOLS = ["HTTP", "HTTPS"] as const;
export const L4_PROTOCOLS = ["TCP", "UDP", "TCP_SSL", "QUIC"] as const;
export const PROTOCOLS = [...L7_PROTOCOLS, ...L4_PROTOCOLS] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export function isL7(protocol: Protocol): boolean {
  return protocol === "HTTP" || protocol === "HTTPS";
}

/** Which pods, and which of their ports, a rule's targets are. */
export interface BackendRef {
  readonly namespace: string;
  readonly deployment: string;
  readonly port: number;
  /** The CLB weight of a Ready pod (0-100). */
  readonly weight: number;
  /** How long a leaving target sits at weight 0 before removal; unset: the global default. */
  readonly drainSeconds?: number | undefined;
}

/**
 * One unit of sync: an L7 rule (listener + domain + url) or an L4 listener, and the Deployment
 * that feeds it. `key` names it in every log line: `lb-abc/HTTP:80 example.com/api`.
 */
export interface RuleSpec {
  readonly key: string;
  readonly loadBalancerId: string;
  readonly protocol: Protocol;
  readonly port: number;
  readonly domain?: string | undefined;
  readonly url?: string | undefined;
  readonly backend: BackendRef;
  /** Where in rules.yaml it was written: `[0].listeners[1].rules[0]`. */
  readonly source: string;
}

/** Where a rule lives on the CLB once DescribeListeners resolved it. */
export interface Place {
  readonly listenerId: string;
  /** Set for L7 rules only. */
  readonly locationId?: string | undefined;
}

/** A target as the CLB identifies it: private IP and port. */
export function targetKey(ip: string, port: number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** What Kubernetes wants on a rule. */
export interface DesiredTarget {
  readonly ip: string;
  readonly port: number;
  readonly weight: number;
  readonly pod: string;
  /** Terminating but still serving: keep it at weight 0 until it is gone. */
  readonly draining: boolean;
}

/** A target the CLB holds on a rule. */
export interface ActualTarget {
  readonly ip: string;
  readonly port: number;
  readonly weight: number;
  /** `ENI`, `CVM`, … as DescribeTargets reports it. */
  readonly type: string;
  readonly tag: string;
  readonly instanceId?: string | undefined;
}

/** How a target is addressed in a write: podgate only ever writes ENI (IP) targets. */
export interface TargetRef {
  readonly ip: string;
  readonly port: number;
  readonly weight: number;
}
