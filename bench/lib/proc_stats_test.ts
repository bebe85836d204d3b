import { assertEquals } from "@std/assert";
import { parseProcStat, parseStatusKiB, processTree, treeCpuSeconds } from "./proc_stats.ts";

Deno.test("parseProcStat() reads ppid, CPU ticks and start time past a command with spaces", () => {
  const line = "4242 (nginx: worker) (x)) S 4241 4241 1 0 -1 4194560 100 0 0 0 " +
    "70 30 5 5 20 0 1 0 123456 1000 200 18446744073709551615";
  assertEquals(parseProcStat(line), { pid: 4242, ppid: 4241, cpuTicks: 100, startTicks: 123456 });
});

Deno.test("parseStatusKiB() reads a memory field and is 0 when it is absent", () => {
  const status = "Name:\tbun\nVmHWM:\t   65536 kB\nVmRSS:\t   32768 kB\n";
  assertEquals(parseStatusKiB(status, "VmRSS"), 32768);
  assertEquals(parseStatusKiB(status, "VmHWM"), 65536);
  assertEquals(parseStatusKiB("Name:\tkthread\n", "VmRSS"), 0);
});

Deno.test("processTree() finds a child of this process and treeCpuSeconds() counts the tree", async () => {
  const child = new Deno.Command("sleep", { args: ["5"] }).spawn();
  try {
    const pids = processTree(Deno.pid).map((s) => s.pid);
    assertEquals(pids[0], Deno.pid);
    assertEquals(pids.includes(child.pid), true);
    assertEquals(treeCpuSeconds(Deno.pid, 100) >= 0, true);
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
});
