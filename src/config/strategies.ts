// The strategies a config may name (src/balancer/ implements each).
export const STRATEGIES = [
  "round-robin",
  "weighted-round-robin",
  "least-request",
  "ewma",
  "random",
  "consistent-hash",
] as const;
