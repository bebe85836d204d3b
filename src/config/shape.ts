// Reads a zod object schema's shape: which fields exist, how they nest, and what kind of value a
// string from the environment or a flag has to become before the schema parses it.
import type { z } from "zod";

export type FieldKind = "number" | "boolean" | "list" | "json" | "port-or-name" | "string";

export interface FieldInfo {
  /** Path of the field from the root, e.g. ["retry", "attempts"]. */
  path: string[];
  kind: FieldKind;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
}

function def(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Strips default/optional/nullable/pipe wrappers to the type that carries the value. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const d = def(current);
    if (
      d.innerType && ["default", "optional", "nullable", "readonly", "prefault"].includes(d.type)
    ) {
      current = d.innerType;
    } else if (d.type === "pipe" && d.in) {
      current = d.in;
    } else {
      return current;
    }
  }
}

function kindOf(schema: z.ZodType): FieldKind {
  const d = def(unwrap(schema));
  switch (d.type) {
    case "number":
    case "int":
      return "number";
    case "boolean":
      return "boolean";
    case "array":
      return "list";
    case "record":
    case "object":
      return "json";
    case "union": {
      const kinds = new Set((d.options ?? []).map(kindOf));
      return kinds.has("number") && kinds.has("string") ? "port-or-name" : "string";
    }
    default:
      return "string";
  }
}

/** The leaf fields of an object schema; nested objects become longer paths. */
export function fields(schema: z.ZodType, prefix: string[] = []): FieldInfo[] {
  const d = def(unwrap(schema));
  if (d.type !== "object" || !d.shape) return [];
  const out: FieldInfo[] = [];
  for (const [key, child] of Object.entries(d.shape)) {
    const childDef = def(unwrap(child));
    if (childDef.type === "object" && childDef.shape) out.push(...fields(child, [...prefix, key]));
    else out.push({ path: [...prefix, key], kind: kindOf(child) });
  }
  return out;
}

/** Turns a string from the environment or a flag into the value the schema expects. */
export function coerce(raw: string, kind: FieldKind): unknown {
  const text = raw.trim();
  switch (kind) {
    case "number":
      return text !== "" && Number.isFinite(Number(text)) ? Number(text) : raw;
    case "port-or-name":
      return /^\d+$/.test(text) ? Number(text) : text;
    case "boolean":
      if (/^(true|1|yes|on)$/i.test(text)) return true;
      if (/^(false|0|no|off)$/i.test(text)) return false;
      return raw;
    case "list":
      return text === "" ? [] : text.split(",").map((s) => s.trim()).filter((s) => s !== "");
    case "json":
      try {
        return JSON.parse(text);
      } catch {
        return raw;
      }
    default:
      return raw;
  }
}

/** `backendServiceName` → `BACKEND_SERVICE_NAME`. */
export function upperSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/** `backendServiceName` → `backend-service-name`. */
export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}
