// Route hostnames as Gateway API has them: an exact name, or `*.` and a suffix that matches any
// name with at least one more label in front (`*.example.com` matches `a.example.com` and
// `a.b.example.com`, never `example.com`). No IPs, no ports; compared in lowercase.

/** RFC 1123 labels, optionally after a leading `*.` (HTTPRoute's Hostname pattern). */
export const HOSTNAME_PATTERN =
  /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `hostname` cannot be a route hostname, or undefined when it can. */
export function hostnameProblem(hostname: string): string | undefined {
  if (hostname.length > 253) return "expected at most 253 characters";
  if (/^\d+(\.\d+){3}$/.test(hostname) || hostname.includes(":")) {
    return "expected a hostname, not an IP address";
  }
  if (!HOSTNAME_PATTERN.test(hostname)) {
    return 'expected a lowercase hostname such as "shop.example.com" or "*.example.com"';
  }
  return undefined;
}

export function isWildcard(hostname: string): boolean {
  return hostname.startsWith("*.");
}

/** Whether a route hostname matches a request host (both already lowercase). */
export function hostnameMatches(hostname: string, host: string): boolean {
  if (!isWildcard(hostname)) return hostname === host;
  const suffix = hostname.slice(1); // ".example.com"
  return host.length > suffix.length && host.endsWith(suffix);
}

/**
 * The suffixes under which a host finds wildcard routes, most specific first:
 * `a.b.example.com` → `.b.example.com`, `.example.com`, `.com`.
 */
export function wildcardSuffixes(host: string): string[] {
  const out: string[] = [];
  for (let dot = host.indexOf("."); dot !== -1; dot = host.indexOf(".", dot + 1)) {
    if (dot > 0) out.push(host.slice(dot));
  }
  return out;
}

/**
 * The hostnames a route keeps under a listener's hostname (Gateway API: a route attaches where
 * its hostnames intersect the listener's; a route without hostnames takes the listener's). An
 * empty answer from non-empty inputs means no intersection: the route does not attach there.
 */
export function intersectHostnames(
  listener: string | undefined,
  route: readonly string[],
): string[] {
  if (listener === undefined) return [...route];
  if (route.length === 0) return [listener];
  const out: string[] = [];
  for (const name of route) {
    if (hostnameMatches(listener, name) || name === listener) out.push(name);
    else if (hostnameMatches(name, listener.replace(/^\*\./, "x."))) {
      // The route's wildcard is wider than the listener's name: the listener's is the overlap.
      out.push(listener);
    }
  }
  return [...new Set(out)];
}
