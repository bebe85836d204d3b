// Applies the plans of one load balancer, one write at a time, each waited for: register first
// (make before break), then weights (a drain's 0 included), then tags (adoptions, and the drain
// mark, stamped once the weight is 0), then deregister, and only for rules whose earlier writes
// succeeded. Batch calls carry up to 500 targets; a listener a batch could not change
// (FailListenerIdSet, or a failed batch) is retried on its own with the per-listener API (20
// targets per call), so one bad rule does not sink the others.
import { type Logger, silentLogger } from "../log.ts";
import { isAuthFailure } from "./api.ts";
import type { ClbClient, WriteAction } from "./clb_client.ts";
import { drainTag } from "./drain_marker.ts";
import type { RulePlan, TagChange } from "./plan.ts";
import { type Place, type RuleSpec, targetKey, type TargetRef } from "./types.ts";

export const BATCH_LIMIT = 500;
export const SINGLE_LIMIT = 20;

export interface ApplyItem {
  readonly rule: RuleSpec;
  readonly place: Place;
  readonly plan: RulePlan;
}

export interface ApplyResult {
  ok: boolean;
  errors: string[];
  registered: number;
  deregistered: number;
  reweighted: number;
  adopted: number;
  retagged: number;
}

type Counter = "registered" | "deregistered" | "reweighted" | "adopted" | "retagged";

/** A target as one write names it; `tag` is set for tag writes. */
interface Entry {
  item: ApplyItem;
  target: TargetRef & { tag?: string };
}

interface Step {
  counter: Counter;
  batch: WriteAction;
  /** The per-listener action a failed batch falls back to, if there is one. */
  single?: WriteAction;
  batchParams(entries: Entry[], tag: string): Record<string, unknown>;
  singleParams?(place: Place, targets: TargetRef[], tag: string): Record<string, unknown>;
}

const location = (place: Place) =>
  place.locationId === undefined ? {} : { LocationId: place.locationId };

function grouped(entries: Entry[], target: (t: Entry["target"]) => Record<string, unknown>) {
  const groups = new Map<ApplyItem, Entry[]>();
  for (const e of entries) groups.set(e.item, [...(groups.get(e.item) ?? []), e]);
  return [...groups].map(([item, list]) => ({
    ListenerId: item.place.listenerId,
    ...location(item.place),
    Targets: list.map((e) => target(e.target)),
  }));
}

const tagWrite = (counter: Counter): Step => ({
  counter,
  batch: "BatchModifyTargetTag",
  batchParams: (entries) => ({
    ModifyList: grouped(entries, (t) => ({ EniIp: t.ip, Port: t.port, Tag: t.tag })),
  }),
});

const STEPS: Record<"register" | "adopt" | "retag" | "reweight" | "deregister", Step> = {
  register: {
    counter: "registered",
    batch: "BatchRegisterTargets",
    single: "RegisterTargets",
    batchParams: (entries, tag) => ({
      Targets: entries.map(({ item, target }) => ({
        ListenerId: item.place.listenerId,
        ...location(item.place),
        EniIp: target.ip,
        Port: target.port,
        Weight: target.weight,
        Tag: tag,
      })),
    }),
    singleParams: (place, targets, tag) => ({
      ListenerId: place.listenerId,
      ...location(place),
      Targets: targets.map((t) => ({ EniIp: t.ip, Port: t.port, Weight: t.weight, Tag: tag })),
    }),
  },
  adopt: tagWrite("adopted"),
  retag: tagWrite("retagged"),
  reweight: {
    counter: "reweighted",
    batch: "BatchModifyTargetWeight",
    single: "ModifyTargetWeight",
    batchParams: (entries) => ({
      ModifyList: grouped(entries, (t) => ({ EniIp: t.ip, Port: t.port, Weight: t.weight })),
    }),
    singleParams: (place, targets) => ({
      ListenerId: place.listenerId,
      ...location(place),
      Targets: targets.map((t) => ({ EniIp: t.ip, Port: t.port, Weight: t.weight })),
    }),
  },
  deregister: {
    counter: "deregistered",
    batch: "BatchDeregisterTargets",
    single: "DeregisterTargets",
    batchParams: (entries) => ({
      Targets: entries.map(({ item, target }) => ({
        ListenerId: item.place.listenerId,
        ...location(item.place),
        EniIp: target.ip,
        Port: target.port,
      })),
    }),
    singleParams: (place, targets) => ({
      ListenerId: place.listenerId,
      ...location(place),
      Targets: targets.map((t) => ({ EniIp: t.ip, Port: t.port })),
    }),
  },
};

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export interface ApplyOptions {
  tag: string;
  logger?: Logger;
  /** Stamps drain marks. */
  now?: () => number;
}

/** Applies `items` (all on `loadBalancerId`); AuthFailure aborts, other failures mark a rule. */
export async function applyLoadBalancer(
  client: ClbClient,
  loadBalancerId: string,
  items: readonly ApplyItem[],
  { tag, logger = silentLogger, now = Date.now }: ApplyOptions,
): Promise<Map<string, ApplyResult>> {
  const results = new Map<string, ApplyResult>(items.map((item) => [item.rule.key, {
    ok: true,
    errors: [],
    registered: 0,
    deregistered: 0,
    reweighted: 0,
    adopted: 0,
    retagged: 0,
  }]));
  const fail = (item: ApplyItem, message: string) => {
    const result = results.get(item.rule.key)!;
    result.ok = false;
    result.errors.push(message);
    logger.error("apply_failed", { rule: item.rule.key, error: message });
  };

  const send = async (
    action: WriteAction,
    params: Record<string, unknown>,
    keys: string[],
    n: number,
  ) => {
    logger.info("clb_write", { lb: loadBalancerId, action, targets: n, rules: keys });
    const res = await client.write(action, loadBalancerId, params);
    logger.info("clb_write_done", { lb: loadBalancerId, action, request_id: res.requestId });
    return res;
  };

  const run = async (step: Step, entries: Entry[]) => {
    for (const chunk of chunks(entries, BATCH_LIMIT)) {
      const chunkItems = [...new Set(chunk.map((e) => e.item))];
      let retry: ApplyItem[] = [];
      let reason = "";
      try {
        const res = await send(
          step.batch,
          step.batchParams(chunk, tag),
          chunkItems.map((i) => i.rule.key),
          chunk.length,
        );
        const failed = new Set(res.failedListenerIds);
        for (const e of chunk) {
          if (!failed.has(e.item.place.listenerId)) results.get(e.item.rule.key)![step.counter]++;
        }
        retry = chunkItems.filter((i) => failed.has(i.place.listenerId));
        reason = res.message || `listeners ${[...failed].join(", ")} failed`;
        if (retry.length) {
          logger.warn("clb_batch_partial", {
            lb: loadBalancerId,
            action: step.batch,
            failed_listeners: [...failed],
            message: res.message,
          });
        }
      } catch (error) {
        if (isAuthFailure(error)) throw error;
        retry = chunkItems;
        reason = (error as Error).message;
        logger.warn("clb_batch_failed", { lb: loadBalancerId, action: step.batch, error: reason });
      }
      for (const item of retry) {
        if (!step.single || !step.singleParams) {
          fail(item, reason);
          continue;
        }
        const mine = chunk.filter((e) => e.item === item).map((e) => e.target);
        for (const part of chunks(mine, SINGLE_LIMIT)) {
          try {
            await send(
              step.single,
              step.singleParams(item.place, part, tag),
              [item.rule.key],
              part.length,
            );
            results.get(item.rule.key)![step.counter] += part.length;
          } catch (error) {
            if (isAuthFailure(error)) throw error;
            fail(item, (error as Error).message);
            break;
          }
        }
      }
    }
  };

  const entries = (pick: (plan: RulePlan) => readonly TargetRef[], only = items) =>
    only.flatMap((item) => pick(item.plan).map((target) => ({ item, target })));

  const ok = () => items.filter((i) => results.get(i.rule.key)!.ok);
  const tags = (adopted: boolean, stamp: number) =>
    ok().flatMap((item) => {
      const adopting = new Set(item.plan.adopt.map((t) => targetKey(t.ip, t.port)));
      return item.plan.retag.filter((c) => adopting.has(targetKey(c.ip, c.port)) === adopted)
        .map((c: TagChange) => ({
          item,
          target: {
            ip: c.ip,
            port: c.port,
            weight: 0,
            tag: c.tag === "drain" ? drainTag(tag, stamp) : tag,
          },
        }));
    });

  await run(STEPS.register, entries((p) => p.register));
  // Make before break: a rule whose new targets did not all land keeps its old ones serving.
  await run(STEPS.reweight, entries((p) => p.reweight, ok()));
  // A drain's clock starts once its weight is 0: the mark is stamped after the weight writes.
  await run(STEPS.adopt, tags(true, now()));
  await run(STEPS.retag, tags(false, now()));
  await run(STEPS.deregister, entries((p) => p.deregister, ok()));
  return results;
}
