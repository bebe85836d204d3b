// --watch's ears: a pod watch (list + watch, via the shared reflector) per namespace the rules
// name. A change to a pod the rules' Deployments select — its IP, phase, readiness (Ready, and
// ContainersReady, by which a gated pod is registered), deletion, labels or owner — asks the sync
// loop for a pass; other pods' churn is ignored.
import type { KubeApi } from "../kube/api.ts";
import { Reflector, type ReflectorTimers, type RestartReason } from "../kube/reflector.ts";
import { type Logger, silentLogger } from "../log.ts";
import { type Pod, podSchema } from "./kube_objects.ts";
import { type LabelSelector, selectorMatches } from "./selector.ts";

export interface PodTriggersOptions {
  api: KubeApi;
  namespaces: readonly string[];
  /** Called when a relevant pod changed in `namespace`. */
  onChange: (namespace: string) => void;
  logger?: Logger;
  timers?: Partial<ReflectorTimers>;
  onRestart?: (reason: RestartReason) => void;
}

/** What about a pod can change its target: everything else is noise. */
function podState(pod: Pod): unknown[] {
  const status = (type: string) =>
    (pod.status?.conditions ?? []).find((c) => c.type === type)?.status;
  return [
    pod.metadata.name,
    pod.status?.phase,
    pod.status?.podIP,
    status("Ready"),
    status("ContainersReady"),
    !!pod.metadata.deletionTimestamp,
    (pod.metadata.ownerReferences ?? []).map((r) => r.uid),
    pod.metadata.labels,
  ];
}

export class PodTriggers {
  readonly #options: PodTriggersOptions;
  readonly #reflectors = new Map<string, Reflector<Pod>>();
  /** namespace → Deployment → selector, learnt from each pass. */
  readonly #selectors = new Map<string, Map<string, LabelSelector>>();
  readonly #fingerprints = new Map<string, string>();

  constructor(options: PodTriggersOptions) {
    this.#options = options;
    const logger = options.logger ?? silentLogger;
    for (const namespace of new Set(options.namespaces)) {
      this.#reflectors.set(
        namespace,
        new Reflector<Pod>({
          api: options.api,
          path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
          itemSchema: podSchema,
          name: `pods/${namespace}`,
          logger,
          ...(options.timers ? { timers: options.timers } : {}),
          ...(options.onRestart ? { onRestart: options.onRestart } : {}),
          onChange: (pods) => this.#changed(namespace, pods),
        }),
      );
    }
  }

  /** Starts every watch; resolves once each listed (or after `waitMs`, whichever is first). */
  async start(waitMs: number): Promise<void> {
    for (const reflector of this.#reflectors.values()) reflector.start();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all([...this.#reflectors.values()].map((r) => r.untilSynced())),
      new Promise((resolve) => (timer = setTimeout(resolve, waitMs))),
    ]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#reflectors.values()].map((r) => r.stop()));
  }

  /** Records a Deployment's selector (from a pass), so only its pods' changes count. */
  noteSelector(namespace: string, deployment: string, selector: LabelSelector): void {
    let known = this.#selectors.get(namespace);
    if (!known) this.#selectors.set(namespace, known = new Map());
    const before = JSON.stringify(known.get(deployment));
    known.set(deployment, selector);
    if (before !== JSON.stringify(selector)) {
      // New filter, new baseline: not a pod change.
      const pods = this.#reflectors.get(namespace)?.items();
      if (pods) this.#fingerprints.set(namespace, this.#fingerprint(namespace, pods));
    }
  }

  #fingerprint(namespace: string, pods: readonly Pod[]): string {
    const selectors = [...(this.#selectors.get(namespace)?.values() ?? [])];
    const relevant = selectors.length
      ? pods.filter((p) => selectors.some((s) => selectorMatches(s, p.metadata.labels)))
      : pods;
    return JSON.stringify(
      relevant.map(podState).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  }

  #changed(namespace: string, pods: readonly Pod[]): void {
    const next = this.#fingerprint(namespace, pods);
    const previous = this.#fingerprints.get(namespace);
    this.#fingerprints.set(namespace, next);
    // The first list is the baseline the first pass reads anyway.
    if (previous !== undefined && previous !== next) this.#options.onChange(namespace);
  }
}
