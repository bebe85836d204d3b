// One HTTPRoute match compiled into a test: path AND method AND every header AND every query
// parameter. Repeated names count once, the first entry winning (the spec's rule); header names
// compare case-insensitively, query parameter names exactly.
import { type PathTest, pathTest } from "./path_match.ts";
import type { RequestView } from "./request_view.ts";
import type { NameValueMatch, RouteMatch } from "./types.ts";

export type MatchTest = (req: RequestView) => boolean;

type ValueTest = (value: string | null) => boolean;

function valueTest(match: NameValueMatch): ValueTest {
  if (match.type === "RegularExpression") {
    const expression = new RegExp(`^(?:${match.value})$`);
    return (value) => value !== null && expression.test(value);
  }
  const expected = match.value;
  return (value) => value === expected;
}

/** The first entry of each name (`caseless`: header names). */
export function firstOfEachName(
  list: readonly NameValueMatch[],
  caseless: boolean,
): NameValueMatch[] {
  const seen = new Set<string>();
  const out: NameValueMatch[] = [];
  for (const entry of list) {
    const key = caseless ? entry.name.toLowerCase() : entry.name;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(entry);
  }
  return out;
}

/** Whether the match holds for every request (PathPrefix `/` and nothing else). */
export function matchesEverything(match: RouteMatch): boolean {
  return match.path.type === "PathPrefix" &&
    (match.path.value === "/" || match.path.value === "") &&
    match.method === undefined && match.headers.length === 0 && match.queryParams.length === 0;
}

export function matchTest(match: RouteMatch): MatchTest {
  if (matchesEverything(match)) return () => true;
  const path: PathTest = pathTest(match.path);
  const method = match.method;
  const headers = firstOfEachName(match.headers, true).map((h) => ({
    name: h.name,
    test: valueTest(h),
  }));
  const params = firstOfEachName(match.queryParams, false).map((q) => ({
    name: q.name,
    test: valueTest(q),
  }));
  return (req) => {
    if (method !== undefined && req.method !== method) return false;
    if (!path(req.path)) return false;
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i]!;
      if (!h.test(req.header(h.name))) return false;
    }
    for (let i = 0; i < params.length; i++) {
      const q = params[i]!;
      if (!q.test(req.param(q.name))) return false;
    }
    return true;
  };
}
