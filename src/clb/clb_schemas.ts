// The CLB API 3.0 (2018-03-17) responses clb-sync reads, parsed at the edge. Fields the API marks
// "may return null" are nullish; only what the sync needs is required.
import { z } from "zod";

const str = z.string().nullish();
const num = z.number().nullish();
const strList = z.array(z.string()).nullish();

/** Backend: a target bound to a listener or rule (DescribeTargets). */
export const backendSchema = z.object({
  Type: str,
  InstanceId: str,
  Port: z.number(),
  Weight: num,
  PrivateIpAddresses: strList,
  PublicIpAddresses: strList,
  InstanceName: str,
  RegisteredTime: str,
  EniId: str,
  Tag: str,
});

const ruleTargetsSchema = z.object({
  LocationId: z.string(),
  Domain: str,
  Url: str,
  Targets: z.array(backendSchema).nullish(),
});

const listenerBackendSchema = z.object({
  ListenerId: z.string(),
  Protocol: str,
  Port: num,
  Rules: z.array(ruleTargetsSchema).nullish(),
  Targets: z.array(backendSchema).nullish(),
});

const requestId = z.string();

export const describeTargetsSchema = z.object({
  Listeners: z.array(listenerBackendSchema).nullish(),
  RequestId: requestId,
});

/** RuleOutput: an L7 rule (DescribeListeners). */
const ruleOutputSchema = z.object({
  LocationId: z.string(),
  Domain: str,
  Url: str,
  Domains: strList,
  TargetType: str,
});

/** Listener (DescribeListeners). */
const listenerSchema = z.object({
  ListenerId: z.string(),
  Protocol: z.string(),
  Port: z.number(),
  EndPort: num,
  Rules: z.array(ruleOutputSchema).nullish(),
  TargetType: str,
});

export const describeListenersSchema = z.object({
  Listeners: z.array(listenerSchema).nullish(),
  TotalCount: num,
  RequestId: requestId,
});

export const describeLoadBalancersSchema = z.object({
  TotalCount: num,
  LoadBalancerSet: z.array(z.object({
    LoadBalancerId: z.string(),
    LoadBalancerName: str,
    Forward: num,
  })).nullish(),
  RequestId: requestId,
});

/** Register/Deregister/ModifyTargetWeight/Batch* answers: a RequestId that names the task. */
export const writeSchema = z.object({
  FailListenerIdSet: strList,
  Message: str,
  RequestId: requestId,
});

export const taskStatusSchema = z.object({
  /** 0 succeeded, 1 failed, 2 running. */
  Status: z.number(),
  Message: str,
  LoadBalancerIds: strList,
  RequestId: requestId,
});

/** DescribeTargetHealth: per load balancer, listener and rule, each target's health check. */
const targetHealthSchema = z.object({
  IP: z.string(),
  Port: z.number(),
  HealthStatus: z.boolean().nullish(),
  /** Alive, Dead, Unknown (not probed yet, probing) or Close (health check off). */
  HealthStatusDetail: str,
  TargetId: str,
});

const ruleHealthSchema = z.object({
  LocationId: str,
  Domain: str,
  Url: str,
  Targets: z.array(targetHealthSchema).nullish(),
});

export const describeTargetHealthSchema = z.object({
  LoadBalancers: z.array(z.object({
    LoadBalancerId: z.string(),
    Listeners: z.array(z.object({
      ListenerId: z.string(),
      Protocol: str,
      Port: num,
      Rules: z.array(ruleHealthSchema).nullish(),
    })).nullish(),
  })).nullish(),
  RequestId: requestId,
});

export type Backend = z.output<typeof backendSchema>;
export type LoadBalancerHealth = NonNullable<
  z.output<typeof describeTargetHealthSchema>["LoadBalancers"]
>[number];
export type ListenerBackend = z.output<typeof listenerBackendSchema>;
export type Listener = z.output<typeof listenerSchema>;
export type LoadBalancerInfo = NonNullable<
  z.output<typeof describeLoadBalancersSchema>["LoadBalancerSet"]
>[number];
