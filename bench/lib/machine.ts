// What the numbers were measured on: machine, tool versions, commit, so a result file stands alone.

async function firstLine(command: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await new Deno.Command(command, { args, stdin: "null" }).output();
    const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    return text.trim().split("\n")[0]?.trim() || "unknown";
  } catch {
    return "not installed";
  }
}

/** CPUs on the machine; navigator.hardwareConcurrency only sees this process's taskset. */
export function onlineCpus(cpuinfo: string): number {
  return cpuinfo.split("\n").filter((l) => /^processor\s*:/.test(l)).length;
}

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  kernel: string;
  memTotalGiB: number;
  commit: string;
  versions: Record<string, string>;
}

export async function describeMachine(root: string): Promise<MachineInfo> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo");
  const meminfo = await Deno.readTextFile("/proc/meminfo");
  const memKiB = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0);
  const head = await firstLine("git", ["-C", root, "rev-parse", "--short", "HEAD"]);
  const dirty = await firstLine("git", [
    "-C",
    root,
    "status",
    "--porcelain",
    "--untracked-files=no",
  ]);
  const bin = `${root}/tools/node_modules/.bin`;
  return {
    nproc: onlineCpus(cpuinfo),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown",
    kernel: Deno.osRelease(),
    memTotalGiB: memKiB / 1024 / 1024,
    commit: head +
      (["unknown", "not installed"].includes(dirty) ? "" : " (with uncommitted changes)"),
    versions: {
      podgate: await firstLine(`${root}/dist/podgate`, ["version"]),
      bun: await firstLine(`${bin}/bun`, ["--version"]),
      deno: Deno.version.deno,
      nginx: await firstLine("nginx", ["-v"]),
      haproxy: await firstLine("haproxy", ["-v"]),
      go: await firstLine("go", ["version"]),
      wrk: await firstLine("wrk", ["-v"]),
      hyperfine: await firstLine("hyperfine", ["--version"]),
    },
  };
}

export function renderMachine(m: MachineInfo): string {
  return [
    `- Machine: ${m.nproc} CPUs (${m.cpuModel}), ${
      m.memTotalGiB.toFixed(1)
    } GiB, Linux ${m.kernel}`,
    `- Commit: ${m.commit}`,
    `- Versions: ${Object.entries(m.versions).map(([k, v]) => `${k}: \`${v}\``).join("; ")}`,
  ].join("\n");
}
