// k8s/clb-sync/: every manifest parses and uses only real API fields, rules.yaml in the ConfigMap
// passes clb-sync's own schema, the CronJob's timing holds, RBAC reads and patches only pods/status,
// the pods are as locked down as the proxy's, the example app carries the readiness gate clb-sync
// sets, and the kustomizations render with kubectl (offline).
import { assert, assertEquals } from "@std/assert";
import { DEFAULT_GATE_TYPE } from "../../src/clb/desired.ts";
import { parseRules } from "../../src/clb/rules.ts";
import { clbSyncConfigSchema } from "../../src/config/clb_schema.ts";
import { loadConfig } from "../../src/config/mod.ts";
import { rootType, unknownFields } from "../manifests/api_fields.ts";
import {
  configMap,
  type Container,
  effectiveSecurity,
  K8S,
  type KubeObject,
  kubeObject,
  parseYamlDocuments,
  type PodSpec,
  podSpec,
  ROOT,
  yamlFilesUnder,
} from "../manifests/load_manifests.ts";

const DIR = new URL("clb-sync/", K8S);

async function objects(): Promise<Array<{ path: string; object: KubeObject }>> {
  const out: Array<{ path: string; object: KubeObject }> = [];
  for (const path of await yamlFilesUnder(DIR)) {
    if (path.endsWith("kustomization.yaml")) continue;
    const docs = parseYamlDocuments(path, await Deno.readTextFile(new URL(path, DIR)));
    for (const doc of docs) out.push({ path, object: kubeObject.parse(doc) });
  }
  return out;
}

/**
 * clb-sync's own objects of a kind; patches (watch/cronjob-suspend.yaml) are partial and left
 * out, and so is the example app (example/).
 */
const byKind = async (kind: string) =>
  (await objects()).filter((o) =>
    o.object.kind === kind && !o.path.includes("-suspend") && !o.path.startsWith("example/")
  ).map((o) => o.object);

// deno-lint-ignore no-explicit-any
type Json = any;

function podSpecs(list: KubeObject[]): Array<{ name: string; spec: PodSpec }> {
  return list.map((o) => {
    const j = o as Json;
    const template = o.kind === "CronJob" ? j.spec.jobTemplate.spec.template : j.spec.template;
    return { name: `${o.kind}/${o.metadata.name}`, spec: podSpec.parse(template.spec) };
  });
}

Deno.test("every k8s/clb-sync manifest is a Kubernetes object with only real API fields", async () => {
  const all = await objects();
  assert(all.length >= 8, `found ${all.length} objects`);
  for (const { path, object } of all) {
    const type = rootType(object.apiVersion, object.kind);
    assert(type, `${path}: no API type for ${object.apiVersion} ${object.kind}`);
    // A strategic-merge patch is partial by design; its fields must still exist.
    assertEquals(unknownFields(object, type), [], path);
    assertEquals(object.metadata.labels?.["app.kubernetes.io/part-of"] ?? "podgate", "podgate");
  }
});

Deno.test("the rules.yaml in the ConfigMap passes clb-sync's rules schema without warnings", async () => {
  const [cm] = await byKind("ConfigMap");
  const text = configMap.parse(cm).data["rules.yaml"];
  assert(text, "the ConfigMap carries rules.yaml");
  const { rules, warnings } = parseRules(text, "podgate-clb-sync-rules/rules.yaml");
  assertEquals(warnings, []);
  assertEquals(rules.map((r) => r.key), [
    "lb-xxxxxxxx/HTTP:80 example.com/",
    "lb-xxxxxxxx/TCP:8443",
  ]);
});

Deno.test("the CronJob never overlaps, gives up before the next tick, and is not retried", async () => {
  const [cron] = await byKind("CronJob");
  const spec = (cron as Json).spec;
  assertEquals(spec.schedule, "* * * * *");
  assertEquals(spec.concurrencyPolicy, "Forbid");
  assert(spec.startingDeadlineSeconds >= 10 && spec.startingDeadlineSeconds < 60);
  assert(spec.successfulJobsHistoryLimit >= 1 && spec.successfulJobsHistoryLimit <= 3);
  assert(spec.failedJobsHistoryLimit >= 1 && spec.failedJobsHistoryLimit <= 3);
  const job = spec.jobTemplate.spec;
  assert(job.activeDeadlineSeconds > 0 && job.activeDeadlineSeconds < 60, "below the interval");
  assert(job.backoffLimit >= 0 && job.backoffLimit <= 1);
  assertEquals(job.template.spec.restartPolicy, "Never");
  // The timers it sets keep one pass inside activeDeadlineSeconds.
  const c = job.template.spec.containers[0];
  const env = (name: string) => Number(c.env.find((e: Json) => e.name === name)?.value);
  assert(
    env("PODGATE_CLB__RETRY_DEADLINE_MS") + env("PODGATE_CLB__TASK_TIMEOUT_MS") <=
      job.activeDeadlineSeconds * 1000,
  );
});

Deno.test("clb-sync pods run podgate:dev as the proxy does: UID 1001, read-only, no privileges", async () => {
  const pods = podSpecs([...await byKind("CronJob"), ...await byKind("Deployment")]);
  assertEquals(pods.length, 2);
  const secret = (await byKind("Secret"))[0] as Json;
  for (const { name, spec } of pods) {
    assertEquals(spec.enableServiceLinks, false, name);
    assertEquals(spec.serviceAccountName, "podgate-clb-sync", name);
    for (const c of spec.containers as Container[]) {
      assertEquals(c.image, "podgate:dev", name);
      assertEquals(c.args?.[0], "clb-sync", name);
      assertEquals(c.args?.slice(1, 3), ["--rules", "/etc/clb-sync/rules.yaml"], name);
      const s = effectiveSecurity(spec, c);
      assertEquals([
        s.runAsNonRoot,
        s.runAsUser,
        s.readOnlyRootFilesystem,
        s.allowPrivilegeEscalation,
      ], [
        true,
        1001,
        true,
        false,
      ], name);
      assertEquals(s.drop, ["ALL"], name);
      assert(c.resources?.requests && c.resources?.limits, `${name}: requests and limits`);
      // Every credential comes from the Secret template, under a key it has.
      for (const e of (c as Json).env) {
        const ref = e.valueFrom?.secretKeyRef;
        if (!ref) continue;
        assertEquals(ref.name, secret.metadata.name, `${name} ${e.name}`);
        assert(ref.key in secret.stringData, `${name}: the Secret has no ${ref.key}`);
      }
    }
  }
  assert(
    Object.values(secret.stringData).some((v) => String(v).startsWith("REPLACE")),
    "the Secret is a template with placeholder values",
  );
});

Deno.test("the ClusterRole reads pods, Deployments and ReplicaSets, and patches only pods/status", async () => {
  const [role] = await byKind("ClusterRole");
  const rules = (role as Json).rules.map((
    r: Json,
  ) => [r.apiGroups, r.resources.sort(), r.verbs.sort()]);
  assertEquals(rules, [
    [[""], ["pods"], ["get", "list", "watch"]],
    [[""], ["pods/status"], ["patch"]],
    [["apps"], ["deployments", "replicasets"], ["get", "list", "watch"]],
  ]);
  const [binding] = await byKind("ClusterRoleBinding");
  assertEquals((binding as Json).subjects, [{
    kind: "ServiceAccount",
    name: "podgate-clb-sync",
    namespace: "podgate",
  }]);
});

Deno.test("the example app waits for the gate clb-sync sets, and rolls out without losing capacity", async () => {
  const apps = (await objects()).filter((o) => o.path.startsWith("example/"));
  assertEquals(apps.map((o) => `${o.object.kind}/${o.object.metadata.name}`), [
    "Deployment/clb-example",
  ]);
  const d = apps[0]!.object as Json;
  const { config } = loadConfig(clbSyncConfigSchema, {});
  assertEquals(config.gateConditionType, DEFAULT_GATE_TYPE);
  assertEquals(d.spec.template.spec.readinessGates, [{ conditionType: config.gateConditionType }]);
  assertEquals(d.spec.strategy, {
    type: "RollingUpdate",
    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
  });
  const spec = podSpec.parse(d.spec.template.spec);
  const c = (spec.containers as Json[])[0];
  // The pod keeps serving through the preStop sleep while its target goes to weight 0, then
  // drains its own requests (the backend's drainMs, 10 s): all inside the grace period.
  const preStop = c.lifecycle.preStop.sleep.seconds;
  assert(preStop >= 5 && preStop + 10 < spec.terminationGracePeriodSeconds!);
  assertEquals(c.args, ["backend"]);
  const s = effectiveSecurity(spec, c);
  assertEquals([s.runAsNonRoot, s.readOnlyRootFilesystem, s.allowPrivilegeEscalation], [
    true,
    true,
    false,
  ]);
  // The rule its comment suggests parses.
  const text = String(
    (await Deno.readTextFile(new URL("example/deployment.yaml", DIR))).match(
      /# {5}- domain: .*\n# {7}url: .*\n# {7}backend: .*\n/,
    )?.[0],
  ).replace(/^# {5}/gm, "");
  const { rules } = parseRules(
    `- load_balancer_id: lb-x\n  listeners:\n    - port: 80\n      protocol: http\n      rules:\n${
      text.replace(/^/gm, "        ").trimEnd()
    }\n`,
    "example",
  );
  assertEquals(rules[0]?.backend, {
    namespace: "podgate",
    deployment: "clb-example",
    port: 8080,
    weight: 10,
    drainSeconds: 10,
  });
});

async function kustomize(dir: string): Promise<KubeObject[] | undefined> {
  let out;
  try {
    out = await new Deno.Command("kubectl", { args: ["kustomize", dir], cwd: ROOT.pathname })
      .output();
  } catch {
    return undefined; // no kubectl
  }
  assert(out.success, `kubectl kustomize ${dir}: ${new TextDecoder().decode(out.stderr)}`);
  return parseYamlDocuments(dir, new TextDecoder().decode(out.stdout)).map((d) =>
    kubeObject.parse(d)
  );
}

Deno.test("kubectl kustomize renders k8s/clb-sync/ (CronJob) and k8s/clb-sync/watch/ (watcher)", async () => {
  const cron = await kustomize("k8s/clb-sync/");
  if (!cron) {
    console.warn("kubectl not on PATH: kustomize rendering not checked");
    return;
  }
  const kinds = (list: KubeObject[]) => list.map((o) => `${o.kind}/${o.metadata.name}`).sort();
  assertEquals(kinds(cron), [
    "ClusterRole/podgate-clb-sync",
    "ClusterRoleBinding/podgate-clb-sync",
    "ConfigMap/podgate-clb-sync-rules",
    "CronJob/podgate-clb-sync",
    "Secret/podgate-clb-credentials",
    "ServiceAccount/podgate-clb-sync",
  ]);
  for (const o of cron) {
    if (!o.kind.startsWith("Cluster")) assertEquals(o.metadata.namespace, "podgate", o.kind);
  }
  const watch = (await kustomize("k8s/clb-sync/watch/"))!;
  assertEquals(kinds(watch), [...kinds(cron), "Deployment/podgate-clb-sync-watch"].sort());
  const suspended = watch.find((o) => o.kind === "CronJob") as Json;
  assertEquals(suspended.spec.suspend, true, "the watcher replaces the CronJob");
  const deployment = watch.find((o) => o.kind === "Deployment") as Json;
  assertEquals(deployment.spec.replicas, 1);
  assertEquals(deployment.spec.strategy.type, "Recreate");
  assert(deployment.spec.template.spec.containers[0].args.includes("--watch"));
  assertEquals(deployment.spec.template.spec.readinessGates, undefined, "the watcher is not gated");
  const example = (await kustomize("k8s/clb-sync/example/"))!;
  assertEquals(kinds(example), ["Deployment/clb-example"]);
  assertEquals(example[0]!.metadata.namespace, "podgate");
});
