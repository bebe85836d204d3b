// The CLB emulator's model: load balancers, listeners, L7 rules and their targets, and the
// documented response shapes built from it (DescribeLoadBalancers, DescribeListeners,
// DescribeTargets). Writes are validated here and applied later, when their task finishes.

export interface EmTarget {
  type: "ENI" | "CVM";
  ip: string;
  port: number;
  weight: number;
  tag: string;
  /** CVM instance ID (`ins-…`); empty for IP (ENI) targets. */
  instanceId: string;
  /** When its registration landed (ms); unset for targets put in by hand. */
  registeredAt?: number;
}

export interface EmRule {
  locationId: string;
  domain: string;
  url: string;
  targetType: "NODE" | "TARGETGROUP";
  targets: EmTarget[];
}

export interface EmListener {
  listenerId: string;
  protocol: string;
  port: number;
  targetType: "NODE" | "TARGETGROUP";
  rules: EmRule[];
  /** L4 listeners hold targets directly. */
  targets: EmTarget[];
}

export interface EmLoadBalancer {
  id: string;
  name: string;
  listeners: EmListener[];
}

/** A failed API call, as the emulator answers it. */
export class ApiFault extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export const isL7 = (protocol: string) => protocol === "HTTP" || protocol === "HTTPS";

let seq = 0;
const nextId = (prefix: string) => `${prefix}-${(++seq).toString(36).padStart(8, "0")}`;

export class ClbState {
  readonly loadBalancers = new Map<string, EmLoadBalancer>();

  addLoadBalancer(id: string, name = id): EmLoadBalancer {
    const lb = { id, name, listeners: [] };
    this.loadBalancers.set(id, lb);
    return lb;
  }

  addListener(
    lbId: string,
    protocol: string,
    port: number,
    targetType: "NODE" | "TARGETGROUP" = "NODE",
  ): EmListener {
    const listener: EmListener = {
      listenerId: nextId("lbl"),
      protocol: protocol.toUpperCase(),
      port,
      targetType,
      rules: [],
      targets: [],
    };
    this.lb(lbId).listeners.push(listener);
    return listener;
  }

  addRule(
    listener: EmListener,
    domain: string,
    url: string,
    targetType: "NODE" | "TARGETGROUP" = "NODE",
  ): EmRule {
    const rule = { locationId: nextId("loc"), domain, url, targetType, targets: [] };
    listener.rules.push(rule);
    return rule;
  }

  lb(id: string): EmLoadBalancer {
    const lb = this.loadBalancers.get(id);
    if (!lb) {
      throw new ApiFault("InvalidParameter.LBIdNotFound", `load balancer ${id} does not exist`);
    }
    return lb;
  }

  listener(lbId: string, listenerId: unknown): EmListener {
    const listener = this.lb(lbId).listeners.find((l) => l.listenerId === listenerId);
    if (!listener) {
      throw new ApiFault(
        "InvalidParameter.ListenerIdNotFound",
        `listener ${listenerId} not found on ${lbId}`,
      );
    }
    return listener;
  }

  /** The target list a write addresses: the L7 rule named by LocationId, or the L4 listener. */
  place(lbId: string, listenerId: unknown, locationId: unknown): EmTarget[] {
    const listener = this.listener(lbId, listenerId);
    if (isL7(listener.protocol)) {
      if (typeof locationId !== "string" || !locationId) {
        throw new ApiFault(
          "InvalidParameter",
          `LocationId is required for ${listener.protocol} listener ${listenerId}`,
        );
      }
      const rule = listener.rules.find((r) => r.locationId === locationId);
      if (!rule) {
        throw new ApiFault("InvalidParameter.LocationNotFound", `rule ${locationId} not found`);
      }
      if (rule.targetType === "TARGETGROUP") {
        throw new ApiFault("InvalidParameter", `rule ${locationId} is bound to a target group`);
      }
      return rule.targets;
    }
    if (listener.targetType === "TARGETGROUP") {
      throw new ApiFault("InvalidParameter", `listener ${listenerId} is bound to a target group`);
    }
    return listener.targets;
  }

  describeLoadBalancers(params: Record<string, unknown>) {
    const ids = params.LoadBalancerIds as string[] | undefined;
    const set = [...this.loadBalancers.values()].filter((lb) => !ids || ids.includes(lb.id));
    return {
      TotalCount: set.length,
      LoadBalancerSet: set.map((lb) => ({
        LoadBalancerId: lb.id,
        LoadBalancerName: lb.name,
        LoadBalancerType: "OPEN",
        Forward: 1,
        Domain: "",
        LoadBalancerVips: ["203.0.113.10"],
        Status: 1,
        CreateTime: "2026-11-21 20:00:00",
        VpcId: "vpc-emulator",
        Tags: [],
      })),
    };
  }

  describeListeners(params: Record<string, unknown>) {
    const listeners = this.lb(String(params.LoadBalancerId)).listeners.filter((l) =>
      (!params.ListenerIds || (params.ListenerIds as string[]).includes(l.listenerId)) &&
      (!params.Protocol || params.Protocol === l.protocol) &&
      (!params.Port || params.Port === l.port)
    );
    return {
      Listeners: listeners.map((l) => ({
        ListenerId: l.listenerId,
        Protocol: l.protocol,
        Port: l.port,
        Certificate: null,
        HealthCheck: isL7(l.protocol) ? null : { HealthSwitch: 1, TimeOut: 2, IntervalTime: 5 },
        Scheduler: isL7(l.protocol) ? null : "WRR",
        SessionExpireTime: isL7(l.protocol) ? null : 0,
        SniSwitch: 0,
        Rules: isL7(l.protocol)
          ? l.rules.map((r) => ({
            LocationId: r.locationId,
            Domain: r.domain,
            Url: r.url,
            SessionExpireTime: 0,
            HealthCheck: { HealthSwitch: 1, TimeOut: 2, IntervalTime: 5, HttpCheckPath: "/" },
            Certificate: null,
            Scheduler: "WRR",
            ListenerId: l.listenerId,
            RewriteTarget: { TargetListenerId: null, TargetLocationId: null },
            HttpGzip: true,
            BeAutoCreated: false,
            DefaultServer: false,
            Http2: false,
            ForwardType: "HTTP",
            CreateTime: "2026-11-21 20:00:00",
            TargetType: r.targetType,
            TargetGroup: null,
            Domains: [r.domain],
          }))
          : null,
        ListenerName: `${l.protocol}:${l.port}`,
        CreateTime: "2026-11-21 20:00:00",
        EndPort: 0,
        TargetType: isL7(l.protocol) ? null : l.targetType,
        TargetGroup: null,
        SessionType: "NORMAL",
        KeepaliveEnable: 0,
        Toa: false,
        DeregisterTargetRst: false,
        AttrFlags: [],
        TargetGroupList: [],
        MaxConn: -1,
        MaxCps: -1,
        IdleConnectTimeout: null,
      })),
      TotalCount: listeners.length,
    };
  }

  describeTargetHealth(params: Record<string, unknown>, health: (t: EmTarget) => string) {
    const ids = params.LoadBalancerIds;
    if (!Array.isArray(ids) || ids.length === 0) {
      throw new ApiFault("MissingParameter", "LoadBalancerIds is required");
    }
    return { LoadBalancers: ids.map((id) => healthOf(this.lb(String(id)), health)) };
  }

  describeTargets(params: Record<string, unknown>) {
    const filters = (params.Filters as Array<{ Name: string; Values: string[] }> | undefined) ?? [];
    const filter = (name: string) => filters.find((f) => f.Name === name)?.Values;
    const locations = filter("location-id");
    const ips = filter("private-ip-address");
    const keep = (t: EmTarget) => !ips || ips.includes(t.ip);
    const ids = params.ListenerIds as string[] | undefined;
    if (ids && ids.length > 20) {
      throw new ApiFault("InvalidParameterValue.Length", "ListenerIds takes at most 20 IDs");
    }
    const listeners = this.lb(String(params.LoadBalancerId)).listeners.filter((l) =>
      (!ids || ids.includes(l.listenerId)) &&
      (!params.Protocol || params.Protocol === l.protocol) &&
      (!params.Port || params.Port === l.port)
    );
    return {
      Listeners: listeners.map((l) => ({
        ListenerId: l.listenerId,
        Protocol: l.protocol,
        Port: l.port,
        Rules: isL7(l.protocol)
          ? l.rules.filter((r) => !locations || locations.includes(r.locationId)).map((r) => ({
            LocationId: r.locationId,
            Domain: r.domain,
            Url: r.url,
            Targets: r.targets.filter(keep).map(backend),
            FunctionTargets: null,
          }))
          : null,
        Targets: isL7(l.protocol) ? null : l.targets.filter(keep).map(backend),
        EndPort: 0,
      })),
    };
  }
}

/** DescribeTargetHealth's shape: L7 rules by LocationId; an L4 listener as one rule. */
function healthOf(
  lb: EmLoadBalancer,
  health: (t: EmTarget) => string,
) {
  const targets = (list: EmTarget[]) =>
    list.filter((t) => t.type === "ENI" || t.type === "CVM").map((t) => ({
      IP: t.ip,
      Port: t.port,
      HealthStatus: health(t) === "Alive",
      TargetId: t.instanceId || t.ip,
      HealthStatusDetail: health(t),
      HealthStatusDetial: health(t),
      TargetGroupId: null,
      Weight: t.weight,
    }));
  return {
    LoadBalancerId: lb.id,
    LoadBalancerName: lb.name,
    Listeners: lb.listeners.map((l) => ({
      ListenerId: l.listenerId,
      ListenerName: `${l.protocol}:${l.port}`,
      Protocol: l.protocol,
      Port: l.port,
      Rules: isL7(l.protocol)
        ? l.rules.map((r) => ({
          LocationId: r.locationId,
          Domain: r.domain,
          Url: r.url,
          RuleId: r.locationId,
          Targets: targets(r.targets),
        }))
        : [{
          LocationId: null,
          Domain: null,
          Url: null,
          RuleId: null,
          Targets: targets(l.targets),
        }],
    })),
  };
}

function backend(t: EmTarget) {
  return {
    Type: t.type,
    InstanceId: t.instanceId,
    Port: t.port,
    Weight: t.weight,
    PublicIpAddresses: [],
    PrivateIpAddresses: [t.ip],
    InstanceName: t.type === "CVM" ? `cvm-${t.instanceId}` : "",
    RegisteredTime: "2026-11-21 20:00:00",
    EniId: null,
    Tag: t.tag,
  };
}

/** The target a write names: by EniIp (an IP target) or by InstanceId (a CVM). */
export function findTarget(list: EmTarget[], ref: Record<string, unknown>): EmTarget | undefined {
  if (typeof ref.EniIp === "string") {
    return list.find((t) => t.ip === ref.EniIp && t.port === ref.Port);
  }
  if (typeof ref.InstanceId === "string") {
    return list.find((t) => t.instanceId === ref.InstanceId && t.port === ref.Port);
  }
  return undefined;
}

export function describeRef(ref: Record<string, unknown>): string {
  return `${ref.EniIp ?? ref.InstanceId}:${ref.Port}`;
}
