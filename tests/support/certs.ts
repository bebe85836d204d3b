// Test-only PKI for the fake API server, made with the openssl CLI once per test process: a CA
// (kind's shape: RSA), a server certificate for 127.0.0.1, client certificates with an RSA PKCS#1
// key (what kind writes) and an EC key, and a client certificate from a CA nobody trusts.
// Also writes kubeconfig files pointing at a server with this material.

export interface ClientCert {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

export interface TestPki {
  dir: string;
  ca: string;
  caPath: string;
  serverCert: string;
  serverKey: string;
  /** CN=kubernetes-admin, O=system:masters; key in PKCS#1 (`BEGIN RSA PRIVATE KEY`). */
  rsaClient: ClientCert;
  /** CN=ec-user; key in SEC1 (`BEGIN EC PRIVATE KEY`). */
  ecClient: ClientCert;
  /** Signed by another CA: the API server must not accept it. */
  strangerClient: ClientCert;
}

const SCRIPT = `
set -e
q() { "$@" >/dev/null 2>&1; }
q openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 36500 -subj /CN=fake-kube-ca
q openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.crt -days 36500 -subj /CN=stranger-ca
q openssl ecparam -name prime256v1 -genkey -noout -out server.key
q openssl req -new -key server.key -out server.csr -subj /CN=kube-apiserver
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > server.ext
q openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 36500 -extfile server.ext
printf 'extendedKeyUsage=clientAuth\\n' > client.ext
q openssl genrsa -traditional -out rsa-client.key 2048
q openssl req -new -key rsa-client.key -out rsa-client.csr -subj "/O=system:masters/CN=kubernetes-admin"
q openssl x509 -req -in rsa-client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out rsa-client.crt -days 36500 -extfile client.ext
q openssl ecparam -name prime256v1 -genkey -noout -out ec-client.key
q openssl req -new -key ec-client.key -out ec-client.csr -subj /CN=ec-user
q openssl x509 -req -in ec-client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out ec-client.crt -days 36500 -extfile client.ext
q openssl ecparam -name prime256v1 -genkey -noout -out stranger.key
q openssl req -new -key stranger.key -out stranger.csr -subj /CN=stranger
q openssl x509 -req -in stranger.csr -CA other-ca.crt -CAkey other-ca.key -CAcreateserial -out stranger.crt -days 36500 -extfile client.ext
`;

let made: Promise<TestPki> | undefined;

/** The PKI, generated on first use (about a second) and shared by the tests of this process. */
export function testPki(): Promise<TestPki> {
  return made ??= generate();
}

async function generate(): Promise<TestPki> {
  const dir = await Deno.makeTempDir({ prefix: "podgate-pki-" });
  const out = await new Deno.Command("bash", { args: ["-c", SCRIPT], cwd: dir, stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`openssl failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  const read = (name: string) => Deno.readTextFileSync(`${dir}/${name}`);
  const client = (name: string): ClientCert => ({
    cert: read(`${name}.crt`),
    key: read(`${name}.key`),
    certPath: `${dir}/${name}.crt`,
    keyPath: `${dir}/${name}.key`,
  });
  return {
    dir,
    ca: read("ca.crt"),
    caPath: `${dir}/ca.crt`,
    serverCert: read("server.crt"),
    serverKey: read("server.key"),
    rsaClient: client("rsa-client"),
    ecClient: client("ec-client"),
    strangerClient: client("stranger"),
  };
}

const b64 = (text: string) => btoa(text);

export interface KubeconfigSpec {
  server: string;
  pki: TestPki;
  /** Embed `*-data` (kind's shape) or point at files. */
  embed?: boolean;
  client?: ClientCert;
  token?: string;
  tokenFile?: string;
  namespace?: string;
  /** An exec credential plugin: the command and its args. */
  exec?: { command: string; args?: string[] };
  contextName?: string;
}

/** A kubeconfig (YAML, as kind writes it) with one cluster, user and context. */
export function kubeconfigYaml(spec: KubeconfigSpec): string {
  const { server, pki, embed = true, contextName = "kind-podgate" } = spec;
  const lines = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- cluster:",
    embed
      ? `    certificate-authority-data: ${b64(pki.ca)}`
      : `    certificate-authority: ${pki.caPath}`,
    `    server: ${server}`,
    `  name: ${contextName}`,
    "contexts:",
    "- context:",
    `    cluster: ${contextName}`,
    `    user: ${contextName}`,
    ...(spec.namespace ? [`    namespace: ${spec.namespace}`] : []),
    `  name: ${contextName}`,
    `current-context: ${contextName}`,
    "preferences: {}",
    "users:",
    `- name: ${contextName}`,
    "  user:",
  ];
  if (spec.client) {
    lines.push(
      embed
        ? `    client-certificate-data: ${b64(spec.client.cert)}`
        : `    client-certificate: ${spec.client.certPath}`,
      embed
        ? `    client-key-data: ${b64(spec.client.key)}`
        : `    client-key: ${spec.client.keyPath}`,
    );
  }
  if (spec.token) lines.push(`    token: ${spec.token}`);
  if (spec.tokenFile) lines.push(`    tokenFile: ${spec.tokenFile}`);
  if (spec.exec) {
    lines.push(
      "    exec:",
      "      apiVersion: client.authentication.k8s.io/v1",
      `      command: ${spec.exec.command}`,
      `      args: ${JSON.stringify(spec.exec.args ?? [])}`,
      "      interactiveMode: Never",
    );
  }
  if (!spec.client && !spec.token && !spec.tokenFile && !spec.exec) lines.push("    {}"); // `user: {}`
  return lines.join("\n") + "\n";
}

/** Writes the kubeconfig into a fresh temporary directory and returns its path. */
export async function writeKubeconfig(spec: KubeconfigSpec): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "podgate-kubeconfig-" });
  const path = `${dir}/config`;
  await Deno.writeTextFile(path, kubeconfigYaml(spec));
  return path;
}
