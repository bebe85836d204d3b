// rules.yaml: which Deployment feeds which CLB listener or rule. A superset of the original tool's
// format (every original file parses unchanged): TCP/UDP listeners carry `backend:` directly.
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigError, formatPath } from "../config/load.ts";
import { isL7, L7_PROTOCOLS, type Protocol, PROTOCOLS, type RuleSpec } from "./types.ts";

const required = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? "required" : `expected ${what}`;

const text = (what: string) => z.string({ error: required(what) }).min(1, `expected ${what}`);

const portNumber = () =>
  z.int({ error: required("integer 1-65535") }).min(1, "expected integer 1-65535")
    .max(65535, "expected integer 1-65535");

const protocol = z.string({ error: required(`one of ${PROTOCOLS.join(", ")}`) })
  .transform((value) => value.trim().toUpperCase())
  .pipe(z.enum(PROTOCOLS, { error: `expected one of ${PROTOCOLS.join(", ")} (any case)` }));

type ObjectFn = typeof z.object;

/** `object` is z.object (unknown keys dropped) or z.strictObject (unknown keys reported). */
function fileSchema(object: ObjectFn) {
  const backend = object({
    namespace: text("a namespace"),
    deployment: text("a Deployment name"),
    port: portNumber(),
    weight: z.int({ error: "expected integer 0-100" }).min(0, "expected integer 0-100")
      .max(100, "expected integer 0-100").default(10),
    drain_seconds: z.number({ error: "expected seconds 0-3600" }).min(0, "expected seconds 0-3600")
      .max(3600, "expected seconds 0-3600").optional(),
  });
  const rule = object({
    domain: text("a domain"),
    url: text("a URL path"),
    backend,
  });
  const listener = object({
    port: portNumber(),
    protocol,
    rules: z.array(rule, { error: "expected a list of rules" }).optional(),
    backend: backend.optional(),
  }).superRefine((l, ctx) => {
    if (isL7(l.protocol)) {
      if (!l.rules?.length) {
        ctx.addIssue({
          code: "custom",
          path: ["rules"],
          message: `required for ${l.protocol} listeners (domain, url, backend)`,
        });
      }
      if (l.backend) {
        ctx.addIssue({
          code: "custom",
          path: ["backend"],
          message: `not allowed on ${l.protocol} listeners: put it under rules`,
        });
      }
    } else {
      if (!l.backend) {
        ctx.addIssue({
          code: "custom",
          path: ["backend"],
          message: `required for ${l.protocol} listeners (namespace, deployment, port)`,
        });
      }
      if (l.rules?.length) {
        ctx.addIssue({
          code: "custom",
          path: ["rules"],
          message: `only ${L7_PROTOCOLS.join(" and ")} listeners have rules`,
        });
      }
    }
  });
  const loadBalancer = object({
    load_balancer_id: text("a load balancer ID like lb-xxxxxxxx"),
    listeners: z.array(listener, { error: required("a list of listeners") }).min(
      1,
      "expected at least one listener",
    ),
  });
  return z.array(loadBalancer, { error: "expected a list of load balancers at the top level" })
    .min(1, "expected at least one load balancer");
}

const strictSchema = fileSchema(z.strictObject as ObjectFn);
const looseSchema = fileSchema(z.object);

type RulesFile = z.output<typeof looseSchema>;

export interface ParsedRules {
  readonly rules: readonly RuleSpec[];
  /** Unknown keys: ignored (the original tool ignored them too), but worth a look. */
  readonly warnings: readonly string[];
}

/** The name of a rule in logs and plan lines: `lb-abc/HTTP:80 example.com/api`. */
export function ruleKey(
  loadBalancerId: string,
  protocol: Protocol,
  port: number,
  domain?: string,
  url?: string,
): string {
  const listener = `${loadBalancerId}/${protocol}:${port}`;
  return domain === undefined ? listener : `${listener} ${domain}${url ?? ""}`;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let node = input;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

type FileBackend = NonNullable<RulesFile[number]["listeners"][number]["backend"]>;

function backendRef(b: FileBackend): RuleSpec["backend"] {
  const { drain_seconds, ...rest } = b;
  return drain_seconds === undefined ? rest : { ...rest, drainSeconds: drain_seconds };
}

function flatten(file: RulesFile): RuleSpec[] {
  const out: RuleSpec[] = [];
  file.forEach((lb, i) => {
    lb.listeners.forEach((listener, j) => {
      const at = `[${i}].listeners[${j}]`;
      if (listener.backend) {
        out.push({
          key: ruleKey(lb.load_balancer_id, listener.protocol, listener.port),
          loadBalancerId: lb.load_balancer_id,
          protocol: listener.protocol,
          port: listener.port,
          backend: backendRef(listener.backend),
          source: at,
        });
      }
      (listener.rules ?? []).forEach((rule, k) => {
        out.push({
          key: ruleKey(
            lb.load_balancer_id,
            listener.protocol,
            listener.port,
            rule.domain,
            rule.url,
          ),
          loadBalancerId: lb.load_balancer_id,
          protocol: listener.protocol,
          port: listener.port,
          domain: rule.domain,
          url: rule.url,
          backend: backendRef(rule.backend),
          source: `${at}.rules[${k}]`,
        });
      });
    });
  });
  return out;
}

/**
 * Parses rules.yaml. Throws ConfigError with one line per problem, each naming the file and the
 * path of the field: `rules.yaml: [0].listeners[1].rules[0].backend.port: expected integer …`.
 */
export function parseRules(source: string, path: string): ParsedRules {
  let input: unknown;
  try {
    input = parseYaml(source);
  } catch (error) {
    throw new ConfigError([`${path}: cannot parse YAML: ${(error as Error).message}`]);
  }
  // The loose pass finds every real problem; the strict one only names unknown keys.
  const loose = looseSchema.safeParse(input);
  const strict = strictSchema.safeParse(input);
  const warnings: string[] = [];
  for (const issue of strict.success ? [] : strict.error.issues) {
    if (issue.code !== "unrecognized_keys") continue;
    for (const key of issue.keys) {
      warnings.push(`${path}: ${formatPath([...issue.path, key])}: unknown key, ignored`);
    }
  }
  if (!loose.success) {
    throw new ConfigError(loose.error.issues.map((issue) => {
      const where = issue.path.length ? formatPath(issue.path) : "(top level)";
      const value = valueAt(input, issue.path);
      const got = value === undefined ? "nothing" : JSON.stringify(value);
      return `${path}: ${where}: ${issue.message}, got ${got}`;
    }));
  }
  const rules = flatten(loose.data);
  const problems: string[] = [];

  const seen = new Map<string, string>();
  for (const rule of rules) {
    const first = seen.get(rule.key);
    if (first !== undefined) {
      problems.push(
        `${path}: ${rule.source}: ${rule.key} is also configured at ${first}; one place on a CLB can follow only one Deployment`,
      );
    } else {
      seen.set(rule.key, rule.source);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze({ rules: Object.freeze(rules), warnings: Object.freeze(warnings) });
}
