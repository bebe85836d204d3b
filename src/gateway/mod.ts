// routesFrom: gateway — HTTPRoutes attached to one Gateway as podgate's routes, with their status.
export { gatewayRoutes, HTTPROUTES_PATH } from "./controller.ts";
export type { GatewayRoutes, GatewayRoutesOptions, RoutesListener } from "./controller.ts";
export { DEFAULT_CONTROLLER_NAME, gatewaySettingsSchema } from "./config.ts";
export type { GatewaySettings } from "./config.ts";
export { translateRoutes } from "./translate.ts";
export type { ParentOutcome, RouteCondition, RouteOutcome, Translation } from "./translate.ts";
export { statusPatch } from "./status.ts";
