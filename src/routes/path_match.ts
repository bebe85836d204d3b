// HTTPRoute path matching: Exact is the whole path, case-sensitive, trailing slash included;
// PathPrefix matches whole segments with a trailing `/` ignored (`/foo` matches `/foo`, `/foo/`
// and `/foo/bar`, never `/foobar`); RegularExpression is a JavaScript expression that must match
// the whole path.
import { routingPath } from "./request_target.ts";
import type { PathMatch } from "./types.ts";

export type PathTest = (path: string) => boolean;

/** `/foo/` → `/foo`; `/` → `` (a prefix of every path). */
export function trimSlash(prefix: string): string {
  return prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
}

/** Whether `path` lies under `prefix`, segment by segment. */
export function prefixMatches(prefix: string, path: string): boolean {
  const p = trimSlash(prefix);
  if (p === "") return true;
  if (!path.startsWith(p)) return false;
  return path.length === p.length || path.charCodeAt(p.length) === 47 /* / */;
}

/** Compiles a path match into a test; an expression is compiled once, here. */
export function pathTest(match: PathMatch): PathTest {
  switch (match.type) {
    // Values are put in the spelling request paths are compared in (routingPath), so that
    // `/café` in a config matches a request for `/café` or `/caf%C3%A9`. A value it changes
    // holds a character the table's index does not take, so the index files it under `*`.
    case "Exact": {
      const value = routingPath(match.value);
      return (path) => path === value;
    }
    case "PathPrefix": {
      const p = trimSlash(routingPath(match.value));
      if (p === "") return () => true;
      return (path) =>
        path.startsWith(p) && (path.length === p.length || path.charCodeAt(p.length) === 47);
    }
    case "RegularExpression": {
      const expression = new RegExp(`^(?:${match.value})$`);
      return (path) => expression.test(path);
    }
  }
}

/** Why `value` cannot be a path of `type`, or undefined (the CRD's own rules for the value). */
export function pathProblem(type: PathMatch["type"], value: string): string | undefined {
  if (type === "RegularExpression") {
    try {
      new RegExp(value);
      return undefined;
    } catch (error) {
      return `expected a regular expression: ${(error as Error).message}`;
    }
  }
  if (!value.startsWith("/")) return "expected an absolute path starting with /";
  if (value.includes("//")) return "must not contain //";
  if (/\/\.\.?(\/|$)/.test(value)) return "must not contain . or .. segments";
  if (/%2f/i.test(value) || value.includes("#") || value.includes("?")) {
    return "must not contain %2F, # or ?";
  }
  return undefined;
}
