// DescribeTargetHealth's answer, as the gate reads it: each place (listener, and rule for L7)
// → each target's health check result. An L4 listener's targets are reported under one rule.
import type { LoadBalancerHealth } from "./clb_schemas.ts";
import { type Place, targetKey } from "./types.ts";

export const placeKey = (place: Place) => `${place.listenerId}/${place.locationId ?? ""}`;

/** `placeKey` → `ip:port` → `Alive` | `Dead` | `Unknown` | `Close` (pure). */
export function healthByPlace(
  lbs: readonly LoadBalancerHealth[],
  places: readonly Place[],
): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const place of places) {
    const listener = lbs.flatMap((lb) => lb.Listeners ?? [])
      .find((l) => l.ListenerId === place.listenerId);
    if (!listener) continue;
    const rules = (listener.Rules ?? []).filter((r) =>
      place.locationId === undefined || r.LocationId === place.locationId
    );
    if (!rules.length) continue;
    const targets = new Map<string, string>();
    for (const t of rules.flatMap((r) => r.Targets ?? [])) {
      targets.set(
        targetKey(t.IP, t.Port),
        t.HealthStatusDetail ?? (t.HealthStatus ? "Alive" : "Unknown"),
      );
    }
    out.set(placeKey(place), targets);
  }
  return out;
}
