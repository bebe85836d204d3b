// The Kubernetes client, ours, over fetch: finding the API server, GETs and watch streams, and a
// generic reflector (list + watch + cache) that discovery and clb-sync build on.
export { KubeApiError } from "./api.ts";
export type { KubeApi, KubeRequestOptions } from "./api.ts";
export { createKubeClient } from "./client.ts";
export type { KubeClient, KubeClientOptions } from "./client.ts";
export { resolveKubeConnection, resolveNamespace } from "./config.ts";
export type { NamespaceSources, ResolveConnectionOptions, ResolvedConnection } from "./config.ts";
export type { KubeConnection, KubeCredentials } from "./connection.ts";
export { inClusterConnection, SERVICE_ACCOUNT_DIR } from "./in_cluster.ts";
export { kubeconfigConnection } from "./kubeconfig.ts";
export { type KubeObject, objectKey, objectMetaSchema } from "./objects.ts";
export { Reflector } from "./reflector.ts";
export { DEFAULT_REFLECTOR_TIMERS } from "./reflector_options.ts";
export type { ReflectorOptions, ReflectorTimers, RestartReason } from "./reflector_options.ts";
export { parseStatus, rbacDenial } from "./status.ts";
