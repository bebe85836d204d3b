// Reads the Prometheus text exposition format (0.0.4) back into samples, strictly, so a test that
// asserts on /metrics also fails when the text itself is malformed or repeats a series.

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

/** Every sample in `text`, in order. Throws on a malformed line or a repeated series. */
export function parsePromText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  const seen = new Set<string>();
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "" || line.startsWith("#")) return;
    const sample = parseSample(line, index + 1);
    const key = seriesKey(sample.name, sample.labels);
    if (seen.has(key)) throw new Error(`Line ${index + 1}: series ${key} appears twice`);
    seen.add(key);
    samples.push(sample);
  });
  return samples;
}

/** The TYPE of each family. Throws when a family is typed twice or after its samples began. */
export function parsePromTypes(text: string): Map<string, string> {
  const types = new Map<string, string>();
  const sampled = new Set<string>();
  text.split("\n").forEach((line, index) => {
    const typeLine = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (typeLine) {
      const [, name, type] = typeLine as unknown as [string, string, string];
      if (!TYPES.has(type)) throw new Error(`Line ${index + 1}: unknown type ${type}`);
      if (types.has(name) || sampled.has(name)) {
        throw new Error(`Line ${index + 1}: TYPE for ${name} repeated or after its samples`);
      }
      types.set(name, type);
    } else if (line !== "" && !line.startsWith("#")) {
      const name = NAME.exec(line)?.[0] ?? "";
      sampled.add(name.replace(/_(bucket|sum|count)$/, "")).add(name);
    }
  });
  return types;
}

/** The value of the one sample with exactly these labels, or undefined. */
export function sampleValue(
  samples: readonly PromSample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const key = seriesKey(name, labels);
  return samples.find((s) => seriesKey(s.name, s.labels) === key)?.value;
}

/** The sum over samples named `name` whose labels include `labels` (0 when none match). */
export function sumSamples(
  samples: readonly PromSample[],
  name: string,
  labels: Record<string, string> = {},
): number {
  let sum = 0;
  for (const s of samples) {
    if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) {
      sum += s.value;
    }
  }
  return sum;
}

function seriesKey(name: string, labels: Record<string, string>): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${name}${JSON.stringify(entries)}`;
}

function parseSample(line: string, lineNo: number): PromSample {
  const fail = (why: string): never => {
    throw new Error(`Line ${lineNo}: ${why}: ${JSON.stringify(line)}`);
  };
  const name = NAME.exec(line)?.[0] ?? fail("no metric name");
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    while (!rest.startsWith("}")) {
      const label = LABEL_NAME.exec(rest)?.[0] ?? fail("bad label name");
      if (label in labels) fail(`label ${label} twice`);
      rest = rest.slice(label.length);
      if (!rest.startsWith('="')) fail(`no ="…" after label ${label}`);
      rest = rest.slice(2);
      let value = "";
      for (;;) {
        const ch = rest[0] ?? fail("unterminated label value");
        rest = rest.slice(1);
        if (ch === '"') break;
        if (ch === "\n") fail("raw newline in a label value");
        if (ch !== "\\") {
          value += ch;
          continue;
        }
        const escaped = rest[0];
        rest = rest.slice(1);
        if (escaped === "\\") value += "\\";
        else if (escaped === '"') value += '"';
        else if (escaped === "n") value += "\n";
        else fail(`bad escape \\${escaped}`);
      }
      labels[label] = value;
      if (rest.startsWith(",")) rest = rest.slice(1);
      else if (!rest.startsWith("}")) fail("expected , or } after a label");
    }
    rest = rest.slice(1);
  }
  if (!/^[ \t]+/.test(rest)) fail("no space before the value");
  const [valueText = "", timestamp, ...extra] = rest.trim().split(/[ \t]+/);
  if (extra.length > 0 || (timestamp !== undefined && !/^-?\d+$/.test(timestamp))) {
    fail("trailing text after the value");
  }
  return { name, labels, value: parseValue(valueText) ?? fail("bad value") };
}

function parseValue(text: string): number | undefined {
  if (text === "+Inf" || text === "Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}
