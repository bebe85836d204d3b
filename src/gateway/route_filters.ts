// HTTPRouteFilters into the route model's filters. The four podgate implements are translated
// with the spec's defaults (redirect status 302); any other type (RequestMirror, ExtensionRef, a
// type newer than this code) becomes an Unsupported filter: never skipped, its requests get 500.
import type {
  HeaderEdits,
  PathModifier,
  RequestRedirect,
  RouteFilter,
  UrlRewrite,
} from "../routes/types.ts";
import type { HttpHeaderFilter, HttpPathModifier, HttpRouteFilter } from "./schemas.ts";

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

function headerEdits(filter: HttpHeaderFilter | undefined): HeaderEdits {
  return {
    set: (filter?.set ?? []).map(({ name, value }) => ({ name, value })),
    add: (filter?.add ?? []).map(({ name, value }) => ({ name, value })),
    remove: [...(filter?.remove ?? [])],
  };
}

/** The model's path modifier, or a problem. */
function pathModifier(path: HttpPathModifier): PathModifier | string {
  if (path.type === "ReplaceFullPath" && path.replaceFullPath !== undefined) {
    return { type: "ReplaceFullPath", replaceFullPath: path.replaceFullPath };
  }
  if (path.type === "ReplacePrefixMatch" && path.replacePrefixMatch !== undefined) {
    return { type: "ReplacePrefixMatch", replacePrefixMatch: path.replacePrefixMatch };
  }
  return `path type ${JSON.stringify(path.type)} without its value`;
}

export interface FilterTranslation {
  readonly filter: RouteFilter;
  /** Why it is Unsupported (a message for the Accepted condition). */
  readonly problem?: string;
}

const unsupported = (name: string, problem: string): FilterTranslation => ({
  filter: { type: "Unsupported", name },
  problem,
});

export function translateFilter(filter: HttpRouteFilter): FilterTranslation {
  switch (filter.type) {
    case "RequestHeaderModifier":
      return {
        filter: {
          type: "RequestHeaderModifier",
          requestHeaderModifier: headerEdits(filter.requestHeaderModifier),
        },
      };
    case "ResponseHeaderModifier":
      return {
        filter: {
          type: "ResponseHeaderModifier",
          responseHeaderModifier: headerEdits(filter.responseHeaderModifier),
        },
      };
    case "RequestRedirect": {
      const r = filter.requestRedirect ?? {};
      const statusCode = r.statusCode ?? 302;
      if (!REDIRECT_CODES.has(statusCode)) {
        return unsupported("RequestRedirect", `RequestRedirect statusCode ${statusCode}`);
      }
      if (r.scheme !== undefined && r.scheme !== "http" && r.scheme !== "https") {
        return unsupported("RequestRedirect", `RequestRedirect scheme ${r.scheme}`);
      }
      const path = r.path ? pathModifier(r.path) : undefined;
      if (typeof path === "string") {
        return unsupported("RequestRedirect", `RequestRedirect ${path}`);
      }
      const requestRedirect: RequestRedirect = {
        statusCode: statusCode as RequestRedirect["statusCode"],
        ...(r.scheme !== undefined ? { scheme: r.scheme as "http" | "https" } : {}),
        ...(r.hostname !== undefined ? { hostname: r.hostname } : {}),
        ...(r.port !== undefined ? { port: r.port } : {}),
        ...(path ? { path } : {}),
      };
      return { filter: { type: "RequestRedirect", requestRedirect } };
    }
    case "URLRewrite": {
      const r = filter.urlRewrite ?? {};
      const path = r.path ? pathModifier(r.path) : undefined;
      if (typeof path === "string") return unsupported("URLRewrite", `URLRewrite ${path}`);
      const urlRewrite: UrlRewrite = {
        ...(r.hostname !== undefined ? { hostname: r.hostname } : {}),
        ...(path ? { path } : {}),
      };
      return { filter: { type: "URLRewrite", urlRewrite } };
    }
    default:
      return unsupported(filter.type, `filter type ${filter.type} is not supported by podgate`);
  }
}
