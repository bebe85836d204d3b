// The pieces of the Prometheus text exposition format 0.0.4 every metric family shares: escaping,
// number formatting, name checks and the HELP/TYPE header.

/** The Content-Type a `/metrics` response carries. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type MetricType = "counter" | "gauge" | "histogram";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LABEL_SPECIALS = /[\\"\n]/;
const HELP_SPECIALS = /[\\\n]/;

/** A label value as it goes between double quotes: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  if (!LABEL_SPECIALS.test(value)) return value;
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** HELP text escapes only backslash and newline; a double quote stays as it is. */
export function escapeHelp(text: string): string {
  if (!HELP_SPECIALS.test(text)) return text;
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A sample value as Prometheus parses it (Go's ParseFloat spelling of the infinities). */
export function formatValue(value: number): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value); // NaN stays "NaN", which Prometheus reads
}

/** `a="x",b="y"` for the given names and values; "" when there are no labels. */
export function labelText(names: readonly string[], values: readonly string[]): string {
  if (names.length !== values.length) {
    throw new TypeError(
      `Cannot label a series: expected ${names.length} label values (${
        names.join(", ")
      }), got ${values.length}`,
    );
  }
  let text = "";
  for (let i = 0; i < names.length; i++) {
    if (i > 0) text += ",";
    text += `${names[i]}="${escapeLabelValue(values[i]!)}"`;
  }
  return text;
}

/** The start of a sample line up to its value: `name{labels} ` or `name `. */
export function samplePrefix(name: string, labels: string): string {
  return labels === "" ? `${name} ` : `${name}{${labels}} `;
}

/** The two comment lines that open a family. */
export function familyHeader(name: string, help: string, type: MetricType): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

/** Throws unless the metric name and label names are valid and the label names are distinct. */
export function checkNames(
  name: string,
  labelNames: readonly string[],
  reserved: readonly string[] = [],
): void {
  if (!METRIC_NAME.test(name)) throw new TypeError(`Cannot create metric ${name}: invalid name`);
  const seen = new Set<string>();
  for (const label of labelNames) {
    if (!LABEL_NAME.test(label) || label.startsWith("__") || reserved.includes(label)) {
      throw new TypeError(`Cannot create metric ${name}: invalid label name ${label}`);
    }
    if (seen.has(label)) throw new TypeError(`Cannot create metric ${name}: label ${label} twice`);
    seen.add(label);
  }
}

/** A metric family a Registry can render. */
export interface Metric {
  readonly name: string;
  /** Appends the family's text (header and samples) to `out`. */
  render(out: string[]): void;
}
