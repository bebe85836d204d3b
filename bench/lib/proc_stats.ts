// Reads a process tree's CPU time and memory from /proc, so a proxy's cost is measured the same way
// whether it is one process (Bun, Go, HAProxy) or a master with workers (nginx).

export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** Start time in ticks since boot: with the pid, it names one process even after pid reuse. */
  startTicks: number;
}

/** Parses /proc/PID/stat; the command name may hold spaces and parentheses, so split after the last ")". */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(")");
  const pid = Number.parseInt(text, 10);
  const rest = text.slice(close + 2).split(" ");
  // rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15, starttime 22.
  const ppid = Number(rest[1]);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const startTicks = Number(rest[19]);
  if (close < 0 || ![pid, ppid, utime, stime, startTicks].every(Number.isFinite)) {
    throw new TypeError(`Cannot parse /proc stat line: ${text.slice(0, 80)}`);
  }
  return { pid, ppid, cpuTicks: utime + stime, startTicks };
}

/** Reads a `Key:   123 kB` field of /proc/PID/status, in KiB (0 when absent). */
export function parseStatusKiB(text: string, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text);
  return match ? Number(match[1]) : 0;
}

function readOrNull(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null; // the process exited between listing and reading
  }
}

function allStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const text = readOrNull(`/proc/${entry.name}/stat`);
    if (text) stats.push(parseProcStat(text));
  }
  return stats;
}

/** The same process (pid and start time) if it is still alive. */
export function stillAlive(process: ProcStat): boolean {
  const text = readOrNull(`/proc/${process.pid}/stat`);
  return text !== null && parseProcStat(text).startTicks === process.startTicks;
}

/** The pid and every live descendant of it. */
export function processTree(pid: number): ProcStat[] {
  const stats = allStats();
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const root = stats.find((s) => s.pid === pid);
  if (!root) return [];
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!.pid) ?? []));
  return tree;
}

/** CPU seconds (user + system) spent so far by the tree rooted at pid. */
export function treeCpuSeconds(pid: number, ticksPerSecond: number): number {
  return processTree(pid).reduce((sum, s) => sum + s.cpuTicks, 0) / ticksPerSecond;
}

/** Sum of a /proc/PID/status memory field (VmRSS now, VmHWM peak) over the tree, in MiB. */
export function treeMemoryMiB(pid: number, key: "VmRSS" | "VmHWM"): number {
  let kib = 0;
  for (const s of processTree(pid)) {
    const text = readOrNull(`/proc/${s.pid}/status`);
    if (text) kib += parseStatusKiB(text, key);
  }
  return kib / 1024;
}
