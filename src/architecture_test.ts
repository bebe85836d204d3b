// House rules a machine can check over src/: no import circles (type-only imports included: a
// circle of types is still two modules that cannot be read apart), and runtime globals only in
// src/runtime/.
import { assertEquals } from "@std/assert";
import { dirname, join, relative, resolve } from "node:path";

const SRC = import.meta.dirname!;

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await sources(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) out.push(path);
  }
  return out.sort();
}

const IMPORT = /^\s*(?:import|export)\s[^;]*?from\s+["'](\.[^"']+)["']/gms;

/** Every module's relative imports, as paths under src/. */
async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const file of await sources(SRC)) {
    const text = await Deno.readTextFile(file);
    const deps: string[] = [];
    for (const match of text.matchAll(IMPORT)) {
      deps.push(relative(SRC, resolve(dirname(file), match[1]!)));
    }
    graph.set(relative(SRC, file), deps);
  }
  return graph;
}

/** The circles in a graph, each once, as the path that closes it. */
export function circles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

Deno.test("circles() finds a circle of two and one of three, and none in a tree", () => {
  const graph = new Map([
    ["a", ["b"]],
    ["b", ["a", "c"]],
    ["c", ["d"]],
    ["d", ["e"]],
    ["e", ["c"]],
    ["f", ["a"]],
  ]);
  assertEquals(circles(graph), [["a", "b", "a"], ["c", "d", "e", "c"]]);
  assertEquals(circles(new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []]])), []);
});

Deno.test("src/ has no import circles", async () => {
  const found = circles(await importGraph());
  assertEquals(found.map((c) => c.join(" → ")), []);
});

Deno.test("Deno.* and Bun.* are touched only in src/runtime/", async () => {
  const offenders: string[] = [];
  for (const file of await sources(SRC)) {
    const path = relative(SRC, file);
    if (path.startsWith("runtime/")) continue;
    const code = (await Deno.readTextFile(file)).replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "");
    if (/\b(?:Deno|Bun)\.[a-zA-Z]/.test(code)) offenders.push(path);
  }
  assertEquals(offenders, []);
});
