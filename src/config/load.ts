// The one config loader every command uses: defaults (in the schema) → file → environment →
// flags, later wins; parsed once by the command's zod schema and frozen. Errors name the field,
// where its value came from, and what was expected.
import type { z } from "zod";
import { coerce, type FieldInfo, fields, kebab, upperSnake } from "./shape.ts";

/** A config that cannot be used; `problems` holds one line per bad field. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
    this.problems = problems;
  }
}

export interface ConfigFile {
  path: string;
  text: string;
  /** The text already parsed; a YAML file must be (parseConfigFile), a JSON one may be. */
  parsed?: unknown;
}

export interface ConfigSources {
  file?: ConfigFile | undefined;
  env?: Record<string, string | undefined>;
  /** Flags by name without dashes (`backend-port`, `port`), raw strings. */
  flags?: Record<string, string>;
  envPrefix?: string;
  /** Env names with the prefix that are not config fields but are known (warned about otherwise). */
  knownEnv?: string[];
}

export interface Loaded<T> {
  config: Readonly<T>;
  warnings: string[];
}

const SERVICE_LINK = /^(tcp|udp|sctp):\/\/[0-9a-f.:[\]]+:\d+$/i;
const SERVICE_LINK_HINT =
  "this looks like a Kubernetes service-link variable: set enableServiceLinks: false in the pod spec";

/**
 * A config file's settings: what parseConfigFile made of them, or the text parsed as JSON. YAML
 * needs parseConfigFile, which loads the YAML parser only for a YAML file (it costs about 3 MiB
 * of resident memory that a proxy configured by JSON or environment never needs).
 */
export function parseConfigText(file: ConfigFile): unknown {
  if ("parsed" in file) return file.parsed ?? {};
  if (!file.path.endsWith(".json")) {
    throw new TypeError(`${file.path}: a YAML config file must go through parseConfigFile`);
  }
  try {
    return JSON.parse(file.text) ?? {};
  } catch (error) {
    throw cannotParse(file, error);
  }
}

export function cannotParse(file: ConfigFile, error: unknown): ConfigError {
  return new ConfigError([`${file.path}: cannot parse: ${(error as Error).message}`]);
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function getPath(target: unknown, path: PropertyKey[]): unknown {
  let node = target;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

interface Origin {
  source: string;
  raw?: string;
}

/**
 * Merges the sources over the schema's defaults and parses the result.
 * Throws ConfigError naming every bad field and its source.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  sources: ConfigSources,
): Loaded<z.output<S>> {
  const { file, env = {}, flags = {}, envPrefix = "PODGATE_", knownEnv = [] } = sources;
  const warnings: string[] = [];
  const input: Record<string, unknown> = {};
  const origins = new Map<string, Origin>();
  const known = fields(schema);

  if (file) {
    const parsed = parseConfigText(file);
    if (typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new ConfigError([`${file.path}: expected a mapping of settings at the top level`]);
    }
    Object.assign(input, parsed);
    for (const key of Object.keys(parsed as object)) origins.set(key, { source: file.path });
  }

  const envNames = new Map<string, FieldInfo>();
  for (const field of known) envNames.set(envPrefix + field.path.map(upperSnake).join("__"), field);
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(envPrefix) || raw === undefined) continue;
    const field = envNames.get(name);
    if (!field) {
      if (!knownEnv.includes(name)) {
        warnings.push(
          `${name}: not a setting, ignored` +
            (SERVICE_LINK.test(raw) ? ` (${SERVICE_LINK_HINT})` : ""),
        );
      }
      continue;
    }
    setPath(input, field.path, coerce(raw, field.kind));
    origins.set(field.path.join("."), { source: name, raw });
  }

  const flagNames = new Map<string, FieldInfo>();
  for (const field of known) flagNames.set(field.path.map(kebab).join("."), field);
  for (const [name, raw] of Object.entries(flags)) {
    const field = flagNames.get(name);
    if (!field) throw new ConfigError([`--${name}: unknown flag`]);
    setPath(input, field.path, coerce(raw, field.kind));
    origins.set(field.path.join("."), { source: `--${name}`, raw });
  }

  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => describe(issue, input, origins)));
  }
  return { config: deepFreeze(result.data), warnings };
}

function originOf(path: PropertyKey[], origins: Map<string, Origin>): Origin {
  for (let i = path.length; i > 0; i--) {
    const hit = origins.get(path.slice(0, i).join("."));
    if (hit) return hit;
  }
  return { source: "defaults" };
}

function describe(issue: z.core.$ZodIssue, input: unknown, origins: Map<string, Origin>): string {
  const path = issue.path;
  const where = path.length ? formatPath(path) : "(top level)";
  if (issue.code === "unrecognized_keys") {
    const { source } = originOf(path, origins);
    const keys = issue.keys.map((k) => JSON.stringify(k)).join(", ");
    const at = path.length ? ` in ${where}` : "";
    const label = routeLabel(path, input);
    return `${keysSource(path, issue.keys, origins) ?? source}: ${label}unknown key ${keys}${at}`;
  }
  const value = getPath(input, path);
  // A missing field inside a section a file wrote is that file's; one missing at the top, config's.
  const found = originOf(path, origins);
  const origin = value === undefined && found.source === "defaults" ? { source: "config" } : found;
  const got = value === undefined ? "nothing" : JSON.stringify(value);
  const hint = origin.raw !== undefined && SERVICE_LINK.test(origin.raw)
    ? ` (${SERVICE_LINK_HINT})`
    : "";
  return `${origin.source}: ${
    routeLabel(path, input)
  }${where}: ${issue.message}, got ${got}${hint}`;
}

/** `route "shop": ` for an issue inside a named entry of `routes`, so the route is named. */
function routeLabel(path: PropertyKey[], input: unknown): string {
  if (path[0] !== "routes" || typeof path[1] !== "number") return "";
  const name = (getPath(input, ["routes", path[1], "name"]) ?? undefined) as unknown;
  return typeof name === "string" && name !== "" ? `route ${JSON.stringify(name)}: ` : "";
}

function keysSource(
  path: PropertyKey[],
  keys: string[],
  origins: Map<string, Origin>,
): string | undefined {
  const first = keys[0];
  return first === undefined ? undefined : origins.get([...path, first].join("."))?.source;
}

/** `["listeners", 1, "port"]` → `listeners[1].port`. */
export function formatPath(path: PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    out += typeof key === "number" ? `[${key}]` : (out ? "." : "") + String(key);
  }
  return out;
}
