// Kubernetes label selectors (matchLabels + matchExpressions): matched here, and written as the
// `labelSelector` query the API server understands, so both sides agree on which pods a
// Deployment selects. The original tool ignored matchExpressions.
import { z } from "zod";

export const labelSelectorSchema = z.object({
  matchLabels: z.record(z.string(), z.string()).nullish(),
  matchExpressions: z.array(z.object({
    key: z.string().min(1),
    operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
    values: z.array(z.string()).nullish(),
  })).nullish(),
});

export type LabelSelector = z.output<typeof labelSelectorSchema>;

/** Whether `labels` satisfy every requirement of `selector` (an empty selector selects all). */
export function selectorMatches(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | null | undefined,
): boolean {
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (have[key] !== value) return false;
  }
  for (const { key, operator, values } of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(have, key);
    const value = have[key];
    switch (operator) {
      case "In":
        if (!present || !(values ?? []).includes(value!)) return false;
        break;
      case "NotIn":
        // As in Kubernetes: a missing label is "not in" any set.
        if (present && (values ?? []).includes(value!)) return false;
        break;
      case "Exists":
        if (!present) return false;
        break;
      case "DoesNotExist":
        if (present) return false;
        break;
    }
  }
  return true;
}

/** The `labelSelector` query string: `app=web,tier in (api,web),!legacy`. */
export function selectorQuery(selector: LabelSelector): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}).sort()) {
    parts.push(`${key}=${value}`);
  }
  for (const { key, operator, values } of selector.matchExpressions ?? []) {
    const set = `(${[...(values ?? [])].sort().join(",")})`;
    switch (operator) {
      case "In":
        parts.push(`${key} in ${set}`);
        break;
      case "NotIn":
        parts.push(`${key} notin ${set}`);
        break;
      case "Exists":
        parts.push(key);
        break;
      case "DoesNotExist":
        parts.push(`!${key}`);
        break;
    }
  }
  return parts.join(",");
}

/** Whether the selector has no requirement at all (it would select every pod). */
export function selectorIsEmpty(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 &&
    (selector.matchExpressions ?? []).length === 0;
}
