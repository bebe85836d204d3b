// The config file's `gateway` section (routesFrom: gateway): which Gateway podgate serves, the
// controllerName it writes HTTPRoute status as, and the status writer's retry delay.
import { z } from "zod";
import { millis } from "../config/fields.ts";

const objectName = z.string().min(1).max(253).regex(
  /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
  "expected a Kubernetes object name (lowercase letters, digits, - and .)",
);

export const DEFAULT_CONTROLLER_NAME = "podgate.dev/gateway-controller";

export const gatewaySettingsSchema = z.strictObject({
  /** The Gateway podgate serves. */
  name: objectName,
  /** Its namespace; by default the proxy's own. */
  namespace: z.string().min(1).max(63).regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    "expected a namespace name (lowercase letters, digits and -)",
  ).optional(),
  /** Written into each HTTPRoute's status.parents entry (GatewayClass's controllerName form). */
  controllerName: z.string().regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/,
    'expected DOMAIN/PATH, e.g. "podgate.dev/gateway-controller"',
  ).default(DEFAULT_CONTROLLER_NAME),
  /** Serve only this listener of the Gateway (by name); by default every HTTP listener. */
  sectionName: z.string().min(1).optional(),
  /** After a failed status write (409 conflict, API down): wait this long, re-read, retry. */
  statusRetryMs: millis(1_000),
});

export type GatewaySettings = z.output<typeof gatewaySettingsSchema>;
