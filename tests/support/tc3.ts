// TC3-HMAC-SHA256, Tencent Cloud API 3.0's request signature: verified by the CLB emulator, and
// computed here too so tests can send hand-made requests (wrong key, old timestamp, Host forms).
import { createHash, createHmac } from "node:crypto";

const sha256hex = (data: string) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) =>
  createHmac("sha256", key).update(data).digest();

export function utcDate(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

export interface SignInput {
  secretId: string;
  secretKey: string;
  service: string;
  timestamp: number;
  /** Header name (lower case) → value, for exactly the headers to sign. */
  headers: Record<string, string>;
  body: string;
  method?: string;
  path?: string;
  query?: string;
}

/** The Authorization header value for a request. */
export function signTc3(input: SignInput): string {
  const { secretId, secretKey, service, timestamp, headers, body } = input;
  const names = Object.keys(headers).map((n) => n.toLowerCase()).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n]!.trim().toLowerCase()}\n`).join("");
  const signedHeaders = names.join(";");
  const canonicalRequest = [
    input.method ?? "POST",
    input.path ?? "/",
    input.query ?? "",
    canonicalHeaders,
    signedHeaders,
    sha256hex(body),
  ].join("\n");
  const date = utcDate(timestamp);
  const scope = `${date}/${service}/tc3_request`;
  const stringToSign = `TC3-HMAC-SHA256\n${timestamp}\n${scope}\n${sha256hex(canonicalRequest)}`;
  const kDate = hmac("TC3" + secretKey, date);
  const kService = hmac(kDate, service);
  const kSigning = hmac(kService, "tc3_request");
  const signature = createHmac("sha256", kSigning).update(stringToSign).digest("hex");
  return `TC3-HMAC-SHA256 Credential=${secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

export type Verdict =
  | { ok: true; secretId: string; service: string }
  | { ok: false; code: string; message: string };

const AUTH =
  /^TC3-HMAC-SHA256 Credential=([^/\s]+)\/(\d{4}-\d{2}-\d{2})\/([^/\s]+)\/tc3_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/**
 * Checks a request's signature as the API does: known SecretId, timestamp within 300 s of now,
 * a credential scope dated the timestamp's UTC day, and the signature over whatever headers
 * SignedHeaders lists. The service comes from the scope (the Node SDK signs `127` for an IP
 * endpoint), and Host may be signed with or without its port (the SDK drops it).
 */
export function verifyTc3(
  req: { method: string; url: string; headers: Headers },
  body: string,
  secrets: Readonly<Record<string, string>>,
  nowSeconds: number,
): Verdict {
  const auth = req.headers.get("authorization") ?? "";
  const m = auth.match(AUTH);
  if (!m) {
    return {
      ok: false,
      code: "AuthFailure.SignatureFailure",
      message: "malformed Authorization header",
    };
  }
  const [, secretId, date, service, signedHeaders] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const secretKey = secrets[secretId];
  if (secretKey === undefined) {
    return {
      ok: false,
      code: "AuthFailure.SecretIdNotFound",
      message: `SecretId ${secretId} not found`,
    };
  }
  const timestamp = Number(req.headers.get("x-tc-timestamp"));
  if (!Number.isInteger(timestamp)) {
    return { ok: false, code: "AuthFailure.SignatureFailure", message: "missing X-TC-Timestamp" };
  }
  if (Math.abs(nowSeconds - timestamp) > 300) {
    return {
      ok: false,
      code: "AuthFailure.SignatureExpire",
      message:
        `the request timestamp ${timestamp} is more than 300 s from the server time ${nowSeconds}`,
    };
  }
  if (utcDate(timestamp) !== date) {
    return {
      ok: false,
      code: "AuthFailure.SignatureFailure",
      message: "credential date does not match the timestamp",
    };
  }
  const url = new URL(req.url);
  const names = signedHeaders.split(";");
  const hostForms = new Set<string>();
  const host = req.headers.get("host") ?? url.host;
  hostForms.add(host);
  hostForms.add(host.replace(/:\d+$/, ""));
  for (const hostForm of hostForms) {
    const headers: Record<string, string> = {};
    for (const name of names) {
      headers[name] = name === "host" ? hostForm : req.headers.get(name) ?? "";
    }
    const expected = signTc3({
      secretId,
      secretKey,
      service,
      timestamp,
      headers,
      body,
      method: req.method,
      path: url.pathname,
      query: url.search.slice(1),
    });
    if (
      expected ===
        auth.replace(/, ?SignedHeaders/, ", SignedHeaders").replace(/, ?Signature/, ", Signature")
    ) {
      return { ok: true, secretId, service };
    }
  }
  return {
    ok: false,
    code: "AuthFailure.SignatureFailure",
    message: "the provided credentials could not be validated: check your SecretKey",
  };
}
