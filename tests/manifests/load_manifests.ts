// Reads the deployment files for the manifest checks: every YAML document under k8s/, the objects
// of the base kustomization, and the pod specs inside them, parsed with loose zod schemas that name
// only the fields the checks read.
import { parseAllDocuments } from "yaml";
import { z } from "zod";

export const ROOT = new URL("../../", import.meta.url);
export const K8S = new URL("k8s/", ROOT);

const labels = z.record(z.string(), z.string());

export const kubeObject = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().optional(),
    labels: labels.optional(),
  }),
});
export type KubeObject = z.infer<typeof kubeObject>;

const httpGet = z.looseObject({ path: z.string(), port: z.union([z.string(), z.number()]) });
const probe = z.looseObject({ httpGet: httpGet.optional() });
const securityContext = z.looseObject({
  runAsNonRoot: z.boolean().optional(),
  runAsUser: z.number().optional(),
  runAsGroup: z.number().optional(),
  seccompProfile: z.looseObject({ type: z.string() }).optional(),
  allowPrivilegeEscalation: z.boolean().optional(),
  readOnlyRootFilesystem: z.boolean().optional(),
  capabilities: z.looseObject({
    add: z.array(z.string()).optional(),
    drop: z.array(z.string()).optional(),
  }).optional(),
});
const quantities = z.record(z.string(), z.union([z.string(), z.number()]));

export const container = z.looseObject({
  name: z.string(),
  image: z.string().optional(),
  imagePullPolicy: z.string().optional(),
  args: z.array(z.string()).optional(),
  command: z.array(z.string()).optional(),
  ports: z.array(z.looseObject({ name: z.string().optional(), containerPort: z.number() }))
    .default([]),
  env: z.array(z.looseObject({
    name: z.string(),
    value: z.string().optional(),
    valueFrom: z.looseObject({
      fieldRef: z.looseObject({ fieldPath: z.string() }).optional(),
    }).optional(),
  })).default([]),
  readinessProbe: probe.optional(),
  livenessProbe: probe.optional(),
  lifecycle: z.looseObject({
    preStop: z.looseObject({
      sleep: z.looseObject({ seconds: z.number() }).optional(),
    }).optional(),
  }).optional(),
  resources: z.looseObject({
    requests: quantities.optional(),
    limits: quantities.optional(),
  }).optional(),
  securityContext: securityContext.optional(),
  volumeMounts: z.array(z.looseObject({
    name: z.string(),
    mountPath: z.string(),
    readOnly: z.boolean().optional(),
  })).default([]),
});
export type Container = z.infer<typeof container>;

export const podSpec = z.looseObject({
  serviceAccountName: z.string().optional(),
  automountServiceAccountToken: z.boolean().optional(),
  enableServiceLinks: z.boolean().optional(),
  terminationGracePeriodSeconds: z.number().optional(),
  securityContext: securityContext.optional(),
  containers: z.array(container).min(1),
  initContainers: z.array(container).default([]),
  volumes: z.array(z.looseObject({
    name: z.string(),
    configMap: z.looseObject({ name: z.string() }).optional(),
    emptyDir: z.looseObject({}).optional(),
  })).default([]),
});
export type PodSpec = z.infer<typeof podSpec>;

export const deployment = kubeObject.extend({
  spec: z.looseObject({
    replicas: z.number().optional(),
    selector: z.looseObject({ matchLabels: labels }),
    template: z.looseObject({
      metadata: z.looseObject({ labels }),
      spec: podSpec,
    }),
  }),
});
export type Deployment = z.infer<typeof deployment>;

export const service = kubeObject.extend({
  spec: z.looseObject({
    type: z.string().optional(),
    selector: labels,
    ports: z.array(z.looseObject({
      name: z.string().optional(),
      port: z.number(),
      targetPort: z.union([z.string(), z.number()]).optional(),
      nodePort: z.number().optional(),
    })).min(1),
  }),
});

export const configMap = kubeObject.extend({ data: z.record(z.string(), z.string()).default({}) });

/** Every `.yaml`/`.yml` file below `dir`, as paths relative to it, sorted. */
export async function yamlFilesUnder(dir: URL, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(new URL(prefix, dir))) {
    const path = prefix + entry.name;
    if (entry.isDirectory) found.push(...await yamlFilesUnder(dir, `${path}/`));
    else if (/\.ya?ml$/.test(entry.name)) found.push(path);
  }
  return found.sort();
}

/** Parses every document of a YAML file; throws naming the file on the first syntax error. */
export function parseYamlDocuments(path: string, text: string): unknown[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return []; // an empty stream
  const values: unknown[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) throw new SyntaxError(`Cannot parse ${path}: ${error.message}`);
    const value = doc.toJS();
    if (value !== null && value !== undefined) values.push(value);
  }
  return values;
}

export async function readObjects(dir: URL, path: string): Promise<KubeObject[]> {
  const docs = parseYamlDocuments(path, await Deno.readTextFile(new URL(path, dir)));
  return docs.map((doc, i) => {
    const parsed = kubeObject.safeParse(doc);
    if (!parsed.success) {
      throw new TypeError(`${path}: document ${i + 1} is not a Kubernetes object: ${parsed.error}`);
    }
    return parsed.data;
  });
}

export const kustomization = z.looseObject({
  kind: z.literal("Kustomization"),
  namespace: z.string().optional(),
  resources: z.array(z.string()).min(1),
});

export async function readKustomization(): Promise<z.infer<typeof kustomization>> {
  const [doc] = parseYamlDocuments(
    "k8s/kustomization.yaml",
    await Deno.readTextFile(new URL("kustomization.yaml", K8S)),
  );
  return kustomization.parse(doc);
}

/** The objects `kubectl apply -k k8s/` creates, read from the files the kustomization lists. */
export async function baseObjects(): Promise<KubeObject[]> {
  const { resources } = await readKustomization();
  const objects: KubeObject[] = [];
  for (const path of resources) objects.push(...await readObjects(K8S, path));
  return objects;
}

export function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const hit = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!hit) throw new Error(`The base has no ${kind} named ${name}`);
  return hit;
}

export function deployments(objects: KubeObject[]): Deployment[] {
  return objects.filter((o) => o.kind === "Deployment").map((o) => deployment.parse(o));
}

/** The config.json a ConfigMap carries. */
export function configJson(objects: KubeObject[], name: string): { path: string; text: string } {
  const text = configMap.parse(find(objects, "ConfigMap", name)).data["config.json"];
  if (text === undefined) throw new Error(`ConfigMap ${name} has no config.json`);
  return { path: `${name}/config.json`, text };
}

export function env(c: Container, name: string) {
  return c.env.find((e) => e.name === name);
}

/** The port a probe or Service targets, resolved through the container's named ports. */
export function portNumber(c: Container, port: string | number): number | undefined {
  if (typeof port === "number") {
    return c.ports.some((p) => p.containerPort === port) ? port : undefined;
  }
  return c.ports.find((p) => p.name === port)?.containerPort;
}

export interface EffectiveSecurity {
  runAsNonRoot?: boolean | undefined;
  runAsUser?: number | undefined;
  runAsGroup?: number | undefined;
  seccompProfile?: string | undefined;
  allowPrivilegeEscalation?: boolean | undefined;
  readOnlyRootFilesystem?: boolean | undefined;
  drop: string[];
  add: string[];
}

/** A container's security settings as the kubelet applies them: the container's over the pod's. */
export function effectiveSecurity(pod: PodSpec, c: Container): EffectiveSecurity {
  const p = pod.securityContext ?? {};
  const s = c.securityContext ?? {};
  return {
    runAsNonRoot: s.runAsNonRoot ?? p.runAsNonRoot,
    runAsUser: s.runAsUser ?? p.runAsUser,
    runAsGroup: s.runAsGroup ?? p.runAsGroup,
    seccompProfile: (s.seccompProfile ?? p.seccompProfile)?.type,
    allowPrivilegeEscalation: s.allowPrivilegeEscalation,
    readOnlyRootFilesystem: s.readOnlyRootFilesystem,
    drop: s.capabilities?.drop ?? [],
    add: s.capabilities?.add ?? [],
  };
}

/** True when a container runs `podgate proxy` (also the command an image runs with no args). */
export function runsProxy(c: Container): boolean {
  if (!c.image?.startsWith("podgate")) return false;
  const first = c.args?.[0];
  return first === undefined || first === "proxy" || first.startsWith("-");
}
