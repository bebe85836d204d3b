// Where a drain's clock lives: in the CLB itself, on the target's Tag. A target podgate is
// draining carries `<tag>:drain:<ms since the epoch>`, written once its weight is 0, so the next
// pass — another CronJob run, another process — knows how long it has been at weight 0 and
// removes it only after the rule's drainSeconds. No ConfigMap, no extra RBAC.

const SEPARATOR = ":drain:";

/** The Tag of a target podgate drains since `at` (ms). */
export function drainTag(tag: string, at: number): string {
  return `${tag}${SEPARATOR}${Math.floor(at)}`;
}

/** When the target with Tag `value` started draining, if it is one of podgate's drains. */
export function drainSince(value: string, tag: string): number | undefined {
  if (!value.startsWith(tag + SEPARATOR)) return undefined;
  const rest = value.slice(tag.length + SEPARATOR.length);
  return /^\d{1,15}$/.test(rest) ? Number(rest) : undefined;
}

/** Whether a Tag is podgate's: the plain tag, or the tag of one of its drains. */
export function isOwnTag(value: string, tag: string): boolean {
  return value === tag || drainSince(value, tag) !== undefined;
}
