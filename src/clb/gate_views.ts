// What the readiness gate goes by, per rule: the targets the CLB holds once this pass's writes
// have finished (read back when anything was written, so a write that did not land never counts),
// and — for rules where a pod on its way to True has a target with weight > 0 — the health
// check results (DescribeTargetHealth, one call per load balancer).
import { type Logger, silentLogger } from "../log.ts";
import { ClbApiError, isRetryable } from "./api.ts";
import { actualTargets } from "./actual.ts";
import type { ClbClient } from "./clb_client.ts";
import type { ListenerBackend } from "./clb_schemas.ts";
import type { PodSet } from "./desired.ts";
import { needsHealth, type RuleHealth, type RuleView } from "./gate.ts";
import { healthByPlace, placeKey } from "./health.ts";
import type { RuleOutcome } from "./summary.ts";
import { type ActualTarget, type Place, type RuleSpec, targetKey } from "./types.ts";

export interface ViewWork {
  rule: RuleSpec;
  outcome: RuleOutcome;
  podSet?: PodSet;
  place?: Place;
  actual?: ActualTarget[];
  view?: RuleView;
}

const byKey = (targets: readonly ActualTarget[]) =>
  new Map(targets.filter((t) => t.type === "ENI").map((t) => [targetKey(t.ip, t.port), t]));

/** Sets `view` on the rules of one load balancer that feed gated pods. */
export async function readViews(
  clb: ClbClient,
  lbId: string,
  group: readonly ViewWork[],
  { reread, logger = silentLogger }: { reread: boolean; logger?: Logger },
): Promise<void> {
  const gated = group.filter((w) => w.podSet?.gated.length);
  if (!gated.length) return;
  const placed = gated.filter((w) => w.place && w.actual);
  let bound: ListenerBackend[] | undefined;
  if (reread && placed.length) {
    try {
      bound = await clb.describeTargets(lbId, [...new Set(placed.map((w) => w.place!.listenerId))]);
    } catch (error) {
      const reason = `cannot read its targets after writing: ${(error as Error).message}`;
      for (const w of gated) w.view = { rule: w.rule, readable: false, reason };
      return;
    }
  }
  for (const w of gated) {
    if (!w.place || !w.actual) {
      w.view = { rule: w.rule, readable: false, reason: w.outcome.reason ?? "not read" };
      continue;
    }
    const targets = bound ? actualTargets(bound, w.place) ?? [] : w.actual;
    w.view = { rule: w.rule, readable: true, targets: byKey(targets), health: "unreadable" };
  }
  const needy = placed.filter((w) =>
    w.view && w.podSet!.gated.some((p) => needsHealth(p, w.view!))
  );
  if (!needy.length) return;
  let health: (w: ViewWork) => RuleHealth;
  try {
    const map = healthByPlace(await clb.describeTargetHealth(lbId), needy.map((w) => w.place!));
    // A rule the answer leaves out has no readable result: registration alone decides.
    health = (w) => map.get(placeKey(w.place!)) ?? "unreadable";
  } catch (error) {
    // Throttling or an outage: no True this pass. A refusal (no permission, not supported):
    // the health check result is not readable, so registration decides.
    const transient = isRetryable(error) ||
      (error instanceof ClbApiError && error.code.startsWith("ClientError.") &&
        error.code !== "ClientError.BadResponse");
    logger.warn("target_health_unreadable", {
      lb: lbId,
      error: (error as Error).message,
      effect: transient ? "gates wait for the next pass" : "gates go by registration alone",
    });
    health = () => (transient ? "unavailable" : "unreadable");
  }
  for (const w of needy) {
    if (w.view?.readable) w.view = { ...w.view, health: health(w) };
  }
}
