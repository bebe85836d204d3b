// A request-smuggling scanner written from defparam/smuggler's technique list
// (https://github.com/defparam/smuggler, MIT, (c) 2020 Evan Custodio): every Transfer-Encoding
// mutation of its configs default.py, exhaustive.py and doubles.py, named as smuggler names them,
// with smuggler's timing-based TE.CL / CL.TE detection, plus a differential check smuggler cannot
// make from outside: a raw TCP backend logs every request line it receives, and each attack is
// followed by canaries that must get their own responses.
//
// smuggler's timing check (smuggler.py _check_tecl / _check_clte / _create_exec_test): on a fresh
// connection send the mutated head with `Content-Length: 6` and body `0\r\n\r\nX` (TE.CL) or
// `Content-Length: 4` and body `1\r\nZ\r\n0\r\n\r\n` (CL.TE), read once with a timeout. A
// vulnerable front/back pair waits for bytes that never come; a timeout is confirmed by the edge
// case (`Content-Length: 5` resp. `11`), which must answer. smuggler's payload is a Python str
// sent with .encode(): characters 0x80-0xFF go out as two UTF-8 bytes, and so they do here.
//
// The differential check, per technique, on a keep-alive connection: a body that hides a whole
// request under one reading (CL.TE: `0\r\n\r\nGET /smuggled-…`; TE.CL: a chunk holding
// `GET /smuggled-…` behind `Content-Length` covering only the chunk-size line), then a canary on
// the same connection, then one on a fresh connection. Desync: the backend saw a request line the
// client got no response for (the response went to someone else), a canary answered with another
// request's response, a request line the client never sent as a request line (a body fragment),
// or a request forwarded with ambiguous framing (Content-Length and a Transfer-Encoding-like field,
// either twice).
import { serveConnections } from "./accept_loop.ts";
import { concat, indexOf } from "./bytes.ts";

const latin1 = new TextDecoder("latin1");
const encoder = new TextEncoder();
const CRLF = "\r\n";
const END_CHUNK = "0\r\n\r\n";

export interface Technique {
  /** smuggler's mutation name. */
  name: string;
  /** The smuggler config files that list it. */
  configs: string[];
  /** The header line smuggler puts after the request line (may hold CR/LF of its own). */
  gadget: string;
}

const hex2 = (i: number) => i.toString(16).padStart(2, "0");
const ch = (i: number) => String.fromCharCode(i);

/** Every mutation of smuggler's default.py, exhaustive.py and doubles.py, deduplicated by name. */
export function smugglerTechniques(): Technique[] {
  const byName = new Map<string, Technique>();
  const add = (config: string, name: string, gadget: string) => {
    const seen = byName.get(name);
    if (seen) {
      if (seen.gadget !== gadget) throw new Error(`smuggler name ${name} with two gadgets`);
      if (!seen.configs.includes(config)) seen.configs.push(config);
    } else byName.set(name, { name, configs: [config], gadget });
  };
  // configs/default.py
  add("default", "nameprefix1", " Transfer-Encoding: chunked");
  add("default", "tabprefix1", "Transfer-Encoding:\tchunked");
  add("default", "tabprefix2", "Transfer-Encoding\t:\tchunked");
  add("default", "space1", "Transfer-Encoding : chunked");
  for (const i of [0x1, 0x4, 0x8, 0x9, 0xa, 0xb, 0xc, 0xd, 0x1f, 0x20, 0x7f, 0xa0, 0xff]) {
    const c = ch(i), x = hex2(i);
    add("default", `midspace-${x}`, `Transfer-Encoding:${c}chunked`);
    add("default", `postspace-${x}`, `Transfer-Encoding${c}: chunked`);
    add("default", `prespace-${x}`, `${c}Transfer-Encoding: chunked`);
    add("default", `endspace-${x}`, `Transfer-Encoding: chunked${c}`);
    add("default", `xprespace-${x}`, `X: X${c}Transfer-Encoding: chunked`);
    add("default", `endspacex-${x}`, `Transfer-Encoding: chunked${c}X: X`);
    add("default", `rxprespace-${x}`, `X: X\r${c}Transfer-Encoding: chunked`);
    add("default", `xnprespace-${x}`, `X: X${c}\nTransfer-Encoding: chunked`);
    add("default", `endspacerx-${x}`, `Transfer-Encoding: chunked\r${c}X: X`);
    add("default", `endspacexn-${x}`, `Transfer-Encoding: chunked${c}\nX: X`);
  }
  // configs/exhaustive.py
  const named: Array<[string, string]> = [
    ["nameprefix1", " Transfer-Encoding: chunked"],
    ["tabprefix1", "Transfer-Encoding:\tchunked"],
    ["tabprefix2", "Transfer-Encoding\t:\tchunked"],
    ["spacejoin1", "Transfer Encoding: chunked"],
    ["underjoin1", "Transfer_Encoding: chunked"],
    ["smashed", "Transfer Encoding:chunked"],
    ["space1", "Transfer-Encoding : chunked"],
    ["valueprefix1", "Transfer-Encoding:  chunked"],
    ["vertprefix1", "Transfer-Encoding:\u000Bchunked"],
    ["commaCow", "Transfer-Encoding: chunked, cow"],
    ["cowComma", "Transfer-Encoding: cow, chunked"],
    ["contentEnc", "Content-Encoding: chunked"],
    ["linewrapped1", "Transfer-Encoding:\n chunked"],
    ["quoted", 'Transfer-Encoding: "chunked"'],
    ["aposed", "Transfer-Encoding: 'chunked'"],
    ["lazygrep", "Transfer-Encoding: chunk"],
    ["sarcasm", "TrAnSFer-EnCODinG: cHuNkeD"],
    ["yelling", "TRANSFER-ENCODING: CHUNKED"],
    ["0dsuffix", "Transfer-Encoding: chunked\r"],
    ["tabsuffix", "Transfer-Encoding: chunked\t"],
    ["revdualchunk", "Transfer-Encoding: cow\r\nTransfer-Encoding: chunked"],
    ["0dspam", "Transfer\r-Encoding: chunked"],
    ["nested", "Transfer-Encoding: cow chunked bar"],
    ["spaceFF", "Transfer-Encoding:\xFFchunked"],
    ["accentCH", "Transfer-Encoding: ch\x96nked"],
    ["accentTE", "Transf\x82r-Encoding: chunked"],
    ["x-rout", "X:X\rTransfer-Encoding: chunked"],
    ["x-nout", "X:X\nTransfer-Encoding: chunked"],
  ];
  for (const [name, gadget] of named) add("exhaustive", name, gadget);
  const highAndLow = [
    ...Array.from({ length: 0x1f }, (_, k) => k + 0x1),
    ...Array.from({ length: 0x81 }, (_, k) => k + 0x7f),
  ];
  for (const i of highAndLow) {
    const c = ch(i), x = hex2(i);
    add("exhaustive", `midspace-${x}`, `Transfer-Encoding:${c}chunked`);
    add("exhaustive", `postspace-${x}`, `Transfer-Encoding${c}: chunked`);
    add("exhaustive", `prespace-${x}`, `${c}Transfer-Encoding: chunked`);
    add("exhaustive", `endspace-${x}`, `Transfer-Encoding: chunked${c}`);
  }
  // configs/doubles.py
  const doubles = [
    ...Array.from({ length: 0x20 }, (_, k) => k + 0x1),
    ...Array.from({ length: 0x81 }, (_, k) => k + 0x7f),
  ];
  for (const i of doubles) {
    const c = ch(i), x = hex2(i);
    add("doubles", `${x}-${x}-XX-XX`, `${c}Transfer-Encoding${c}: chunked`);
    add("doubles", `${x}-XX-${x}-XX`, `${c}Transfer-Encoding:${c}chunked`);
    add("doubles", `${x}-XX-XX-${x}`, `${c}Transfer-Encoding: chunked${c}`);
    add("doubles", `XX-${x}-${x}-XX`, `Transfer-Encoding${c}:${c}chunked`);
    add("doubles", `XX-${x}-XX-${x}`, `Transfer-Encoding${c}: chunked${c}`);
    add("doubles", `XX-XX-${x}-${x}`, `Transfer-Encoding:${c}chunked${c}`);
  }
  return [...byName.values()];
}

/** smuggler's render_template, with __METHOD__ POST and __ENDPOINT__ / (its defaults). */
function renderHead(gadget: string, cb: string, contentLength: number): string {
  return `POST /?cb=${cb} HTTP/1.1${CRLF}` +
    gadget + CRLF +
    `Host: 127.0.0.1${CRLF}` +
    "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.87 Safari/537.36" +
    CRLF +
    `Content-type: application/x-www-form-urlencoded; charset=UTF-8${CRLF}` +
    `Content-Length: ${contentLength}${CRLF}` +
    CRLF;
}

// ---------------------------------------------------------------------------------------------
// The backend: raw TCP, lenient the way a vulnerable backend is (a header whose name, stripped of
// any control, space or high byte, is transfer-encoding and whose value mentions "chunk" makes the
// body chunked, and wins over Content-Length), logging every request line.

export interface BackendRequest {
  conn: number;
  line: string;
  headers: string[];
  ambiguous: boolean;
}

export interface LoggingBackend {
  port: number;
  address: string;
  log: BackendRequest[];
  close(): Promise<void>;
}

const HEAD_END = encoder.encode("\r\n\r\n");
const LINE_END = encoder.encode("\r\n");

/** Parses one request from `buf`: [request, bytes consumed], undefined (need more), or "bad". */
function parseRequest(
  buf: Uint8Array,
): { line: string; headers: string[]; ambiguous: boolean; used: number } | undefined | "bad" {
  let start = 0;
  while (buf[start] === 0x0d || buf[start] === 0x0a) start++;
  const end = indexOf(buf, HEAD_END, start);
  if (end === -1) return buf.length - start > 65536 ? "bad" : undefined;
  const [line = "", ...headers] = latin1.decode(buf.subarray(start, end)).split(/\r?\n/);
  let te = 0, cl = 0, chunked = false, length = 0;
  for (const h of headers) {
    const colon = h.indexOf(":");
    if (colon === -1) continue;
    const name = [...h.slice(0, colon)].filter((c) => c > " " && c < "\x7f").join("")
      .toLowerCase();
    const value = h.slice(colon + 1).trim();
    if (name === "transfer-encoding") {
      te++;
      if (/chunk/i.test(value)) chunked = true;
    } else if (name === "content-length") {
      cl++;
      length = Number(value);
    }
  }
  const ambiguous = (te > 0 && cl > 0) || te > 1 || cl > 1;
  let offset = end + 4;
  if (chunked) {
    for (;;) {
      const lineEnd = indexOf(buf, LINE_END, offset);
      if (lineEnd === -1) return undefined;
      const size = parseInt(latin1.decode(buf.subarray(offset, lineEnd)), 16);
      if (Number.isNaN(size)) return "bad";
      offset = lineEnd + 2;
      if (size === 0) {
        // no trailers from a proxy; the final CRLF
        if (buf.length < offset + 2) return undefined;
        offset += 2;
        break;
      }
      if (buf.length < offset + size + 2) return undefined;
      offset += size + 2;
    }
  } else {
    if (!Number.isFinite(length) || length < 0) return "bad";
    if (buf.length < offset + length) return undefined;
    offset += length;
  }
  return { line, headers, ambiguous, used: offset };
}

export function startLoggingBackend(): LoggingBackend {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const log: BackendRequest[] = [];
  let connId = 0;
  const serve = async (conn: Deno.Conn) => {
    const id = ++connId;
    let buf: Uint8Array = new Uint8Array();
    const chunk = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await conn.read(chunk);
        if (n === null) break;
        buf = concat(buf, chunk.subarray(0, n));
        for (;;) {
          const r = parseRequest(buf);
          if (r === undefined) break;
          if (r === "bad") {
            log.push({
              conn: id,
              line: `<unparseable: ${JSON.stringify(latin1.decode(buf.subarray(0, 80)))}>`,
              headers: [],
              ambiguous: true,
            });
            conn.close();
            return;
          }
          log.push({ conn: id, line: r.line, headers: r.headers, ambiguous: r.ambiguous });
          buf = buf.subarray(r.used);
          const body = encoder.encode(`seen ${r.line}`);
          await conn.write(concat(
            encoder.encode(
              `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n`,
            ),
            body,
          ));
        }
      }
    } catch {
      /* reset by the proxy (serveConnections closes the connection when this returns) */
    }
  };
  const served = serveConnections(listener, serve);
  const port = (listener.addr as Deno.NetAddr).port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    log,
    close: () => served.close(),
  };
}

// ---------------------------------------------------------------------------------------------
// The client side.

interface ClientResponse {
  status: number;
  /** The backend's "seen <request line>", or the proxy's own answer. */
  body: string;
  close: boolean;
}

/** Parses one response off the front of `buf` (Content-Length or chunked, as the proxy frames). */
function parseResponse(buf: Uint8Array): [ClientResponse, number] | undefined {
  const end = indexOf(buf, HEAD_END);
  if (end === -1) return undefined;
  const [statusLine = "", ...lines] = latin1.decode(buf.subarray(0, end)).split("\r\n");
  const status = Number(statusLine.split(" ")[1]);
  const get = (name: string) =>
    lines.find((l) => l.toLowerCase().startsWith(name + ":"))?.slice(name.length + 1).trim();
  let offset = end + 4;
  let body = "";
  if (get("transfer-encoding")?.toLowerCase() === "chunked") {
    for (;;) {
      const lineEnd = indexOf(buf, LINE_END, offset);
      if (lineEnd === -1) return undefined;
      const size = parseInt(latin1.decode(buf.subarray(offset, lineEnd)), 16);
      offset = lineEnd + 2;
      if (size === 0) {
        const trailerEnd = indexOf(buf, LINE_END, offset);
        if (trailerEnd === -1) return undefined;
        offset = trailerEnd + 2;
        break;
      }
      if (buf.length < offset + size + 2) return undefined;
      body += latin1.decode(buf.subarray(offset, offset + size));
      offset += size + 2;
    }
  } else {
    const length = Number(get("content-length") ?? 0);
    if (buf.length < offset + length) return undefined;
    body = latin1.decode(buf.subarray(offset, offset + length));
    offset += length;
  }
  return [{ status, body, close: get("connection")?.toLowerCase() === "close" }, offset];
}

/** A connection that hands out responses as they arrive. */
class Client {
  #buf: Uint8Array = new Uint8Array();
  #closed = false;
  #chunk = new Uint8Array(65536);
  private constructor(readonly conn: Deno.Conn) {}
  static async open(port: number): Promise<Client> {
    return new Client(await Deno.connect({ hostname: "127.0.0.1", port }));
  }
  get closed(): boolean {
    return this.#closed;
  }
  async send(bytes: Uint8Array): Promise<boolean> {
    try {
      await this.conn.write(bytes);
      return true;
    } catch {
      this.#closed = true;
      return false;
    }
  }
  /** The next response; "timeout" when nothing complete comes within `ms`; "closed" on EOF. */
  async next(ms: number): Promise<ClientResponse | "timeout" | "closed"> {
    const deadline = Date.now() + ms;
    for (;;) {
      const parsed = parseResponse(this.#buf);
      if (parsed) {
        this.#buf = this.#buf.subarray(parsed[1]);
        return parsed[0];
      }
      if (this.#closed) return "closed";
      const left = deadline - Date.now();
      if (left <= 0) return "timeout";
      let timer: ReturnType<typeof setTimeout> | undefined;
      const n = await Promise.race([
        this.conn.read(this.#chunk).catch(() => null),
        new Promise<"t">((r) => timer = setTimeout(() => r("t"), left)),
      ]);
      clearTimeout(timer);
      if (n === "t") {
        // the pending read is abandoned; close() below makes it settle
        return "timeout";
      }
      if (n === null) this.#closed = true;
      else this.#buf = concat(this.#buf, this.#chunk.subarray(0, n));
    }
  }
  close(): void {
    try {
      this.conn.close();
    } catch { /* closed */ }
  }
}

// ---------------------------------------------------------------------------------------------
// smuggler's timing check.

/**
 * What a probe got: smuggler's codes 0 (a response; here its status, `400:podgate` when podgate's
 * framing verdict refused it, a bare `400` when the runtime's server did), 1 timeout, 2
 * disconnected.
 */
export type ProbeResult = string;

function answerOf(r: ClientResponse): string {
  return r.body.includes("bad request framing") ? `${r.status}:podgate` : String(r.status);
}

async function probe(port: number, bytes: Uint8Array, timeoutMs: number): Promise<ProbeResult> {
  const c = await Client.open(port);
  try {
    await c.send(bytes);
    const r = await c.next(timeoutMs);
    return typeof r === "string" ? r : answerOf(r);
  } finally {
    c.close();
  }
}

const utf8 = (s: string) => encoder.encode(s); // smuggler: str(payload).encode()

export interface TechniqueResult {
  technique: Technique;
  tecl: ProbeResult;
  clte: ProbeResult;
  /** smuggler's verdict: "potential TECL", "potential CLTE", "timeout on both lengths" or "none". */
  smuggler: string;
  /** How the proxy answered the differential attacks: per form, the statuses the client got. */
  diffClte: string;
  diffTecl: string;
  /** Empty when the differential check found nothing. */
  desyncs: string[];
  /** What the differential check saw that is no desync (a response lost to a closed connection). */
  notes: string[];
  verdict: string;
}

let counter = 0;
const uid = () => `${Date.now().toString(36)}${(++counter).toString(36)}`;

async function timing(port: number, t: Technique, timeoutMs: number) {
  const teclBody = END_CHUNK + "X";
  const clteBody = "1\r\nZ\r\n" + END_CHUNK;
  const tecl = await probe(port, utf8(renderHead(t.gadget, uid(), 6) + teclBody), timeoutMs);
  const clte = await probe(port, utf8(renderHead(t.gadget, uid(), 4) + clteBody), timeoutMs);
  let smuggler = "none";
  if (clte === "timeout") {
    const edge = await probe(port, utf8(renderHead(t.gadget, uid(), 11) + clteBody), timeoutMs);
    smuggler = edge !== "timeout" && edge !== "closed"
      ? "potential CLTE"
      : "CLTE timeout on both lengths";
  } else if (tecl === "timeout") {
    const edge = await probe(port, utf8(renderHead(t.gadget, uid(), 5) + teclBody), timeoutMs);
    smuggler = edge !== "timeout" && edge !== "closed"
      ? "potential TECL"
      : "TECL timeout on both lengths";
  }
  return { tecl, clte, smuggler };
}

// ---------------------------------------------------------------------------------------------
// The differential check.

async function differential(
  port: number,
  backend: LoggingBackend,
  t: Technique,
  form: "clte" | "tecl",
  timeoutMs: number,
): Promise<{ answered: string; desyncs: string[]; notes: string[] }> {
  const id = uid();
  const smuggled = `GET /smuggled-${form}-${id} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
  let head: string, body: string;
  if (form === "clte") {
    body = END_CHUNK + smuggled;
    head = renderHead(t.gadget, id, utf8(body).length);
  } else {
    const sizeLine = utf8(smuggled).length.toString(16) + CRLF;
    body = sizeLine + smuggled + CRLF + END_CHUNK;
    head = renderHead(t.gadget, id, sizeLine.length);
  }
  const sentLines = new Set([`POST /?cb=${id} HTTP/1.1`]);
  const answered: string[] = [];
  const named = new Set<string>();
  const desyncs: string[] = [];
  const record = (r: ClientResponse) => {
    answered.push(answerOf(r));
    if (r.body.startsWith("seen ")) named.add(r.body.slice(5));
  };
  const c = await Client.open(port);
  try {
    await c.send(utf8(head + body));
    const first = await c.next(timeoutMs);
    if (typeof first === "string") answered.push(first);
    else {
      record(first);
      // the canary on the same connection: whatever comes before its response is extra
      const canary = `GET /canary-same-${id} HTTP/1.1`;
      if (!first.close && await c.send(utf8(`${canary}\r\nHost: 127.0.0.1\r\n\r\n`))) {
        for (;;) {
          const r = await c.next(timeoutMs);
          if (typeof r === "string") {
            answered.push(r);
            break;
          }
          record(r);
          if (r.body === `seen ${canary}`) {
            sentLines.add(canary);
            break;
          }
          // a response before the canary's is only fine when it names a line the client sent
          // (the proxy framed the hidden request as the client's next request and said so)
          if (r.body.startsWith("seen ") && r.body.includes(`/smuggled-${form}-${id}`)) {
            sentLines.add(r.body.slice(5));
          }
        }
      }
    }
  } finally {
    c.close();
  }
  const notes: string[] = [];
  // the canary on a fresh connection must get its own response
  const fresh = `GET /canary-fresh-${id} HTTP/1.1`;
  const f = await Client.open(port);
  try {
    await f.send(utf8(`${fresh}\r\nHost: 127.0.0.1\r\n\r\n`));
    const r = await f.next(timeoutMs);
    if (typeof r === "string") {
      // A fresh client must get its own answer. (An unanswered one that never reached the
      // backend was once a fault of this backend's accept loop, not of the proxy.)
      desyncs.push(
        backend.log.some((e) => e.line === fresh)
          ? `fresh canary: ${r}, though the backend answered it`
          : `fresh canary: ${r}, never reached the backend`,
      );
    } else if (r.body !== `seen ${fresh}`) {
      desyncs.push(`fresh canary got ${r.status} ${JSON.stringify(r.body.slice(0, 120))}`);
    }
  } finally {
    f.close();
  }
  // the backend's view: every request line carrying this id was one the client sent as a request
  // line and got its own response for; nothing else on the upstream connections this attack used
  // (body fragments such as "0" or "X…" would land there)
  const seen = backend.log.filter((e) => e.line.includes(id));
  const conns = new Set(seen.map((e) => e.conn));
  const lost = answered.at(-1) === "closed";
  for (const e of seen) {
    if (e.line === fresh) continue;
    if (!sentLines.has(e.line)) {
      desyncs.push(`backend saw ${JSON.stringify(e.line)}, not sent as a request line`);
    } else if (!named.has(e.line)) {
      // the client's own request, answered by the backend, and the client connection closed
      // before the answer: a lost response, not a misdelivered one (the canaries show where
      // answers went)
      if (lost) notes.push(`response to ${JSON.stringify(e.line)} lost: connection closed`);
      else desyncs.push(`backend saw ${JSON.stringify(e.line)} without a response to the client`);
    }
    if (e.ambiguous) desyncs.push(`forwarded with ambiguous framing: ${JSON.stringify(e.headers)}`);
  }
  for (const e of backend.log) {
    if (conns.has(e.conn) && !/\/(\?cb=|smuggled-|canary-)/.test(e.line)) {
      desyncs.push(`backend saw ${JSON.stringify(e.line)} on the attack's upstream connection`);
    }
  }
  return { answered: answered.join("+"), desyncs, notes };
}

export interface ScanOptions {
  /** The timing probes' read timeout (smuggler's -t, default 5 s there). */
  timeoutMs?: number;
  concurrency?: number;
  techniques?: Technique[];
}

export async function scan(
  port: number,
  backend: LoggingBackend,
  { timeoutMs = 2000, concurrency = 16, techniques = smugglerTechniques() }: ScanOptions = {},
): Promise<TechniqueResult[]> {
  const results: TechniqueResult[] = new Array(techniques.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= techniques.length) return;
      const t = techniques[i]!;
      const { tecl, clte, smuggler } = await timing(port, t, timeoutMs);
      const a = await differential(port, backend, t, "clte", timeoutMs);
      const b = await differential(port, backend, t, "tecl", timeoutMs);
      const desyncs = [
        ...a.desyncs.map((d) => `CL.TE: ${d}`),
        ...b.desyncs.map((d) => `TE.CL: ${d}`),
      ];
      const rejected = (r: ProbeResult) => /^(400|505)/.test(r) || r === "closed";
      let verdict: string;
      if (desyncs.length) verdict = "DESYNC";
      else if (smuggler.startsWith("potential")) verdict = `VULNERABLE (${smuggler})`;
      else if (rejected(tecl) && rejected(clte)) verdict = "not vulnerable: rejected";
      else verdict = "not vulnerable: forwarded correctly framed";
      results[i] = {
        technique: t,
        tecl,
        clte,
        smuggler,
        diffClte: a.answered,
        diffTecl: b.answered,
        desyncs,
        notes: [...a.notes.map((d) => `CL.TE: ${d}`), ...b.notes.map((d) => `TE.CL: ${d}`)],
        verdict,
      };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/** One `figures:` line per technique. */
export function figureLine(label: string, r: TechniqueResult): string {
  return `figures: smuggler [${label}] ${r.technique.name} (${r.technique.configs.join(",")}) ` +
    `TECL=${r.tecl} CLTE=${r.clte} timing=${r.smuggler} diff CL.TE=${r.diffClte} ` +
    `TE.CL=${r.diffTecl} -> ${r.verdict}${r.desyncs.length ? ": " + r.desyncs.join("; ") : ""}` +
    (r.notes.length ? ` (${r.notes.join("; ")})` : "");
}

/**
 * The scan as a test: the proxy in front of the logging backend, every technique, a verdict each,
 * failing on any desync or timing hit. SMUGGLER_REPORT=<dir> writes the results as JSON there.
 */
export function smugglingSuite(
  label: string,
  start: (env: Record<string, string>) => Promise<{ port: number; stop(): Promise<void> }>,
): void {
  Deno.test({
    name: `[${label}] smuggler's techniques (default, exhaustive, doubles): no desync`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const backend = startLoggingBackend();
      const proxy = await start({ PODGATE_DISCOVERY: "static", PODGATE_BACKENDS: backend.address });
      const started = performance.now();
      try {
        const results = await scan(proxy.port, backend, { timeoutMs: 2000 });
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        for (const r of results) console.log(figureLine(label, r));
        const tally = new Map<string, number>();
        for (const r of results) tally.set(r.verdict, (tally.get(r.verdict) ?? 0) + 1);
        console.log(
          `figures: smuggler [${label}] ${results.length} techniques in ${seconds} s ` +
            `(2 s timing timeout): ${[...tally].map(([v, n]) => `${n} ${v}`).join(", ")}; ` +
            `backend saw ${backend.log.length} requests`,
        );
        const dir = Deno.env.get("SMUGGLER_REPORT");
        if (dir) {
          await Deno.writeTextFile(`${dir}/smuggler-${label}.json`, JSON.stringify(results));
        }
        const bad = results.filter((r) => !r.verdict.startsWith("not vulnerable"));
        if (bad.length) {
          throw new Error(
            `${bad.length} techniques desynced or timed out:\n` +
              bad.slice(0, 20).map((r) => figureLine(label, r)).join("\n"),
          );
        }
      } finally {
        await proxy.stop();
        await backend.close();
      }
    },
  });
}

/**
 * A deliberately vulnerable front end for the scanner's own test: it passes each client's bytes
 * verbatim to an upstream connection of its own, the way a front end that neither parses nor
 * re-frames Transfer-Encoding does. The lenient backend behind it honours the mutated
 * Transfer-Encoding fields; the client-side framing is Content-Length's: a CL.TE pair.
 */
export function startNaiveForwarder(backendPort: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  // Closing a client connection ends both pipes, and they close its upstream connection.
  const serve = async (conn: Deno.Conn) => {
    const upstream = await Deno.connect({ hostname: "127.0.0.1", port: backendPort });
    const pipe = async (from: Deno.Conn, to: Deno.Conn) => {
      const chunk = new Uint8Array(65536);
      try {
        for (;;) {
          const n = await from.read(chunk);
          if (n === null) break;
          await to.write(chunk.slice(0, n));
        }
      } catch { /* closed */ }
      for (const c of [from, to]) {
        try {
          c.close();
        } catch { /* closed */ }
      }
    };
    await Promise.all([pipe(conn, upstream), pipe(upstream, conn)]);
  };
  const served = serveConnections(listener, serve);
  return {
    port: (listener.addr as Deno.NetAddr).port,
    stop: () => served.close(),
  };
}
