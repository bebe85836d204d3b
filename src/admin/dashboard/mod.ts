// The proxy's live dashboard (issue 13): the page, its /events stream and the sampler behind them.
export {
  createDashboard,
  Dashboard,
  type DashboardOptions,
  type DashboardRoute,
} from "./dashboard.ts";
export {
  describeRoute,
  type GroupLike,
  routesFromGroups,
  type RouteSpecLike,
} from "./route_groups.ts";
export { dashboardCsp, dashboardHtml, dashboardPage, newNonce } from "./page.ts";
export type * from "./model.ts";
export type { DashboardEvent, DashboardEventKind } from "./event_log.ts";
