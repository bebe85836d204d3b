// Checks a manifest against the Kubernetes API's own types (the OpenAPI models generated into
// @kubernetes/client-node): a misspelt or misplaced field is one `kubectl apply` rejects
// (strict field validation) or an older server silently drops.
import * as k8s from "@kubernetes/client-node";

interface Attribute {
  baseName: string;
  type: string;
}
interface Model {
  getAttributeTypeMap(): Attribute[];
}

const models = k8s as unknown as Record<string, Partial<Model> | undefined>;

function model(type: string): Model | undefined {
  const found = models[type];
  return typeof found?.getAttributeTypeMap === "function" ? found as Model : undefined;
}

/** The model of a top-level object: `apps/v1` + `Deployment` → `V1Deployment`. */
export function rootType(apiVersion: string, kind: string): string | undefined {
  const version = apiVersion.split("/").at(-1) ?? "";
  const name = version.charAt(0).toUpperCase() + version.slice(1) + kind;
  return model(name) ? name : undefined;
}

function describe(value: unknown): string {
  return Array.isArray(value) ? "a list" : value === null ? "null" : `a ${typeof value}`;
}

/** One line per field of `value` that `type` does not have, or whose value has the wrong shape. */
export function unknownFields(value: unknown, type: string, path = ""): string[] {
  const list = /^Array<(.+)>$/.exec(type);
  if (list) {
    if (!Array.isArray(value)) return [`${path}: expected a list, got ${describe(value)}`];
    return value.flatMap((item, i) => unknownFields(item, list[1]!, `${path}[${i}]`));
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return [`${path}: expected a mapping, got ${describe(value)}`];
    }
    return Object.entries(value).flatMap(([k, v]) => unknownFields(v, map[1]!, `${path}.${k}`));
  }
  switch (type) {
    case "string":
      // Quantities (cpu: 1) are strings in the models but accept numbers.
      return typeof value === "string" || (typeof value === "number" && /resources\./.test(path))
        ? []
        : [`${path}: expected a string, got ${describe(value)}`];
    case "number":
      return typeof value === "number"
        ? []
        : [`${path}: expected a number, got ${describe(value)}`];
    case "boolean":
      return typeof value === "boolean"
        ? []
        : [`${path}: expected a boolean, got ${describe(value)}`];
    case "IntOrString":
      return typeof value === "number" || typeof value === "string"
        ? []
        : [`${path}: expected a number or a string, got ${describe(value)}`];
  }
  const m = model(type);
  if (!m) return []; // Date, any, and anything the models leave open
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [`${path}: expected an object (${type}), got ${describe(value)}`];
  }
  const attributes = new Map(m.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  return Object.entries(value).flatMap(([k, v]) => {
    const attribute = attributes.get(k);
    const at = path ? `${path}.${k}` : k;
    return attribute === undefined
      ? [`${at}: not a field of ${type}`]
      : unknownFields(v, attribute, at);
  });
}
