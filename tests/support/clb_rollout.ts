// A rolling update for the readiness-gate tests: a Deployment controller that follows maxSurge /
// maxUnavailable the way Kubernetes does (a new pod counts as available once Ready — the kubelet's
// Ready, which waits for every readiness gate), pods that take a while to start and to terminate,
// and a monitor that checks, at every change on either side, what a user would notice: every rule
// keeps a serving target of a Ready pod, no pod is Ready before every rule holds it, and a leaving
// target sits at weight 0 for drainSeconds, and until its pod is gone, before it is removed.
import type { ClbEmulator } from "./clb_emulator.ts";
import type { World } from "./clb_harness.ts";
import { type FakeCluster, kubeletReady, type PatchRecord, type PodState } from "./clb_kube.ts";

export interface RolloutPlace {
  rule: string;
  lbId: string;
  listenerId: string;
  locationId?: string;
  port: number;
}

/** One Deployment (shop/api) feeding an L7 rule on lb-abc and an L4 listener on lb-def. */
export const ROLLOUT_RULES = `
- load_balancer_id: lb-abc
  listeners:
    - port: 80
      protocol: http
      rules:
        - domain: example.com
          url: /api
          backend: {namespace: shop, deployment: api, port: 8080}
- load_balancer_id: lb-def
  listeners:
    - port: 9000
      protocol: TCP
      backend: {namespace: shop, deployment: api, port: 9000}
`;

export function rolloutPlaces(world: World): RolloutPlace[] {
  return [
    {
      rule: "lb-abc/HTTP:80 example.com/api",
      lbId: "lb-abc",
      listenerId: world.http80.listenerId,
      locationId: world.api.locationId,
      port: 8080,
    },
    { rule: "lb-def/TCP:9000", lbId: "lb-def", listenerId: world.tcp9000.listenerId, port: 9000 },
  ];
}

interface PodTimes {
  created: number;
  containersReadyAt?: number;
  terminatingAt?: number;
}

export interface DeploymentSimOptions {
  namespace: string;
  name: string;
  replicas: number;
  maxSurge: number;
  maxUnavailable: number;
  /** The new pods' IPs: `prefix.1` … */
  prefix: string;
  /** The readiness gates the new pods list. */
  gates: string[];
  /** From creation to containers ready. */
  startMs: number;
  /** From deletion to the pod object gone. */
  graceMs: number;
  /** Told when a pod object is gone. */
  onGone?: (pod: PodState, at: number) => void;
}

export class DeploymentSim {
  readonly times = new Map<string, PodTimes>();
  readonly #old: Set<string>;
  readonly #o: DeploymentSimOptions;
  #created = 0;

  constructor(readonly cluster: FakeCluster, options: DeploymentSimOptions, now: number) {
    this.#o = options;
    this.#old = new Set(this.#pods().map((p) => p.name));
    for (const p of this.#pods()) this.times.set(p.name, { created: now, containersReadyAt: now });
  }

  #pods(): PodState[] {
    return this.cluster.deployments.get(`${this.#o.namespace}/${this.#o.name}`)!.pods;
  }

  /** One round of kubelet and controller work at `now`; says whether anything changed. */
  step(now: number): boolean {
    const o = this.#o;
    const d = this.cluster.deployments.get(`${o.namespace}/${o.name}`)!;
    let changed = false;
    for (const p of d.pods) {
      const t = this.times.get(p.name)!;
      if (!p.ready && !p.terminating && now - t.created >= o.startMs) {
        p.ready = true;
        t.containersReadyAt = now;
        changed = true;
      }
    }
    for (const p of [...d.pods]) {
      const t = this.times.get(p.name)!;
      if (p.terminating && now - t.terminatingAt! >= o.graceMs) {
        d.pods = d.pods.filter((q) => q !== p);
        o.onGone?.(p, now);
        changed = true;
      }
    }
    const alive = d.pods.filter((p) => !p.terminating);
    const fresh = alive.filter((p) => !this.#old.has(p.name));
    // Scale up the new ReplicaSet within the surge.
    for (let n = alive.length; n < o.replicas + o.maxSurge && this.#created < o.replicas; n++) {
      const name = `${o.name}-new-${++this.#created}`;
      d.pods.push({ name, ip: `${o.prefix}.${this.#created}`, ready: false, gates: o.gates });
      this.times.set(name, { created: now });
      fresh.push(d.pods.at(-1)!);
      changed = true;
    }
    // Scale down the old one while enough pods stay available (Ready, not terminating).
    const available = alive.filter(kubeletReady).length;
    let spare = available - (o.replicas - o.maxUnavailable);
    for (const p of alive) {
      if (spare <= 0) break;
      if (!this.#old.has(p.name) || !kubeletReady(p)) continue;
      p.terminating = true;
      this.times.get(p.name)!.terminatingAt = now;
      spare--;
      changed = true;
    }
    return changed;
  }

  /** Every new pod Ready, every old pod gone. */
  done(): boolean {
    const pods = this.#pods();
    return this.#created === this.#o.replicas && pods.every((p) => !this.#old.has(p.name)) &&
      pods.every(kubeletReady);
  }
}

interface TargetLife {
  zeroAt?: number;
  goneAt?: number;
  removedAt?: number;
}

export class RolloutMonitor {
  /** Per rule: the fewest targets of weight > 0 belonging to a Ready pod seen at any step. */
  readonly minServing = new Map<string, number>();
  readonly violations: string[] = [];
  /** `rule ip` → when its weight went 0, its pod went, and its target went. */
  readonly lives = new Map<string, TargetLife>();
  observations = 0;
  readonly #present = new Map<string, Set<string>>();

  constructor(
    readonly emulator: ClbEmulator,
    readonly cluster: FakeCluster,
    readonly places: RolloutPlace[],
    readonly gate: string,
  ) {}

  #targets(place: RolloutPlace) {
    return this.emulator.state.place(place.lbId, place.listenerId, place.locationId);
  }

  /** Checks the invariants on the state now (`at`: when it came to be). */
  observe(at: number): void {
    this.observations++;
    const pods = this.cluster.allPods().map((e) => e.pod);
    const readyIps = new Set(
      pods.filter((p) => !p.terminating && kubeletReady(p) && p.ip).map((p) => p.ip!),
    );
    for (const place of this.places) {
      const targets = this.#targets(place);
      const serving = targets.filter((t) => t.weight > 0 && readyIps.has(t.ip)).length;
      this.minServing.set(
        place.rule,
        Math.min(this.minServing.get(place.rule) ?? serving, serving),
      );
      if (serving === 0) this.violations.push(`${at}: ${place.rule} has no serving Ready target`);
      const now = new Set(targets.map((t) => t.ip));
      for (const t of targets) {
        const life = this.#life(place, t.ip);
        if (t.weight === 0) life.zeroAt ??= at;
        else delete life.zeroAt;
      }
      for (const ip of this.#present.get(place.rule) ?? []) {
        if (!now.has(ip)) this.#life(place, ip).removedAt ??= at;
      }
      this.#present.set(place.rule, now);
    }
    for (const p of pods) {
      if (!p.terminating && kubeletReady(p) && (p.gates ?? []).includes(this.gate)) {
        this.#mustHold(p.ip!, `${at}: ${p.name} is Ready`);
      }
    }
  }

  #life(place: RolloutPlace, ip: string): TargetLife {
    const key = `${place.rule} ${ip}`;
    let life = this.lives.get(key);
    if (!life) this.lives.set(key, life = {});
    return life;
  }

  #mustHold(ip: string, what: string): void {
    for (const place of this.places) {
      const t = this.#targets(place).find((t) => t.ip === ip && t.port === place.port);
      if (!t || t.weight === 0) {
        this.violations.push(`${what} but not a serving target of ${place.rule}`);
      }
    }
  }

  /** A gate patch arriving: True only if every rule holds the pod right now. */
  checkPatch(record: PatchRecord): void {
    if (record.type !== this.gate || record.condition.status !== "True") return;
    const pod = this.cluster.allPods().find((e) => e.pod.name === record.pod)?.pod;
    // The emulator's state as of now: finished tasks land first.
    for (const place of this.places) {
      this.emulator.targets(place.lbId, place.listenerId, place.locationId);
    }
    if (pod?.ip) this.#mustHold(pod.ip, `gate True for ${record.pod}`);
  }

  podGone(pod: PodState, at: number): void {
    for (const place of this.places) this.#life(place, pod.ip!).goneAt = at;
  }

  /** Targets removed sooner than `drainMs` after weight 0, or before their pod was gone. */
  earlyRemovals(drainMs: number): string[] {
    const out: string[] = [];
    for (const [key, life] of this.lives) {
      if (life.removedAt === undefined) continue;
      if (life.zeroAt === undefined) out.push(`${key}: removed without weight 0 first`);
      else if (life.removedAt - life.zeroAt < drainMs) {
        out.push(`${key}: removed ${life.removedAt - life.zeroAt} ms after weight 0`);
      } else if (life.goneAt === undefined || life.removedAt < life.goneAt) {
        out.push(`${key}: removed before its pod was gone`);
      }
    }
    return out;
  }
}
