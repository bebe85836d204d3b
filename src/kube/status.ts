// Turns an API server's error answer (a `Status` body) into a KubeApiError whose message says what
// failed and why, in the server's own words (a 403 names the verb and resource RBAC lacks).
import { z } from "zod";
import { KubeApiError } from "./api.ts";

export const statusSchema = z.object({
  kind: z.literal("Status"),
  status: z.string().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  code: z.number().optional(),
  details: z.object({
    name: z.string().optional(),
    group: z.string().optional(),
    kind: z.string().optional(),
  }).optional(),
});

export type Status = z.output<typeof statusSchema>;

/** Parses a Status object, or undefined when the value is not one. */
export function parseStatus(value: unknown): Status | undefined {
  const result = statusSchema.safeParse(value);
  return result.success ? result.data : undefined;
}

/** Builds the error for a non-2xx answer from its status code and body text. */
export function kubeApiErrorFrom(httpStatus: number, bodyText: string, path: string): KubeApiError {
  let status: Status | undefined;
  try {
    status = parseStatus(JSON.parse(bodyText));
  } catch {
    status = undefined;
  }
  return kubeApiErrorFromStatus(status, path, httpStatus, bodyText);
}

/** Builds the error for a Status (from a body or a watch ERROR event). */
export function kubeApiErrorFromStatus(
  status: Status | undefined,
  path: string,
  httpStatus = status?.code ?? 0,
  bodyText = "",
): KubeApiError {
  const code = status?.code ?? httpStatus;
  const reason = status?.reason ?? reasonFor(code);
  const detail = status?.message ?? (bodyText.trim().slice(0, 200) || "no details");
  const hint = code === 401
    ? " (the token or client certificate was not accepted)"
    : code === 403
    ? " (grant this verb on this resource in a Role bound to the service account)"
    : "";
  return new KubeApiError(
    code,
    reason,
    `GET ${path} failed: ${code} ${reason}: ${detail}${hint}`,
    path,
  );
}

function reasonFor(code: number): string {
  switch (code) {
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 410:
      return "Gone";
    case 429:
      return "TooManyRequests";
    default:
      return code >= 500 ? "InternalError" : "Unknown";
  }
}

export interface RbacDenial {
  user: string;
  verb: string;
  resource: string;
  group: string;
  namespace: string | undefined;
}

const FORBIDDEN =
  /User "([^"]*)" cannot (\w+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]*)")?/;

/** Reads the user, verb and resource out of a 403 message, when it has the usual wording. */
export function rbacDenial(message: string): RbacDenial | undefined {
  const match = FORBIDDEN.exec(message);
  if (!match) return undefined;
  const [, user = "", verb = "", resource = "", group = "", namespace] = match;
  return { user, verb, resource, group, namespace };
}
