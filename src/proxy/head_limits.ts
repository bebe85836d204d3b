// Limits on a request's head: too many header fields, or too many bytes of them, and the request
// is refused with 431 before any backend is chosen. The runtime's server has its own, coarser
// limits (Bun.serve: 16 KiB of head; Deno.serve: about 64 KiB and about 100 fields): this one is
// the same on both and answers in podgate's JSON shape.

export interface HeadLimits {
  /** Most bytes of header fields, counted as name + value + 4 (": " and CRLF); 0: no limit. */
  maxHeaderBytes: number;
  /** Most header fields; 0: no limit. */
  maxHeaderCount: number;
}

/**
 * Why the request's header fields break the limits, or undefined when they keep them. `fields` is
 * the runtime's one copy of the request's headers (Transport.headerRecord), made once per request
 * for the upstream anyway: iterating a Headers object field by field costs Bun about a tenth of a
 * small request. A repeated field counts once, as the Headers object joined it (Set-Cookie, kept
 * apart, once per value).
 */
export function headLimitsExceeded(
  fields: Record<string, string | string[]>,
  limits: HeadLimits,
): string | undefined {
  const { maxHeaderBytes, maxHeaderCount } = limits;
  if (maxHeaderBytes === 0 && maxHeaderCount === 0) return undefined;
  let count = 0;
  let bytes = 0;
  for (const name in fields) {
    const value = fields[name]!;
    if (typeof value === "string") {
      count++;
      bytes += name.length + value.length + 4;
    } else {
      for (const item of value) {
        count++;
        bytes += name.length + item.length + 4;
      }
    }
  }
  if (maxHeaderCount > 0 && count > maxHeaderCount) {
    return `${count} header fields, more than the ${maxHeaderCount} allowed`;
  }
  if (maxHeaderBytes > 0 && bytes > maxHeaderBytes) {
    return `${bytes} bytes of header fields, more than the ${maxHeaderBytes} allowed`;
  }
  return undefined;
}
