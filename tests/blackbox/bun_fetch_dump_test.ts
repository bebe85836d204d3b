// Bun's own stderr dump on a cut fetch body (README, "Transport"): shown with a plain Bun script
// and no podgate code, so the binary+fetch scenario that tolerates it is tolerating Bun's.
import { assert, assertEquals, assertMatch } from "@std/assert";

const BUN = Deno.env.get("BUN_BIN") ?? "bun";

Deno.test("Bun's fetch prints an abort reason to stderr that no JS hook sees (Bun's own, not podgate's)", async () => {
  const script = new URL("../repro/bun_fetch_cut_dump.mjs", import.meta.url).pathname;
  const out = await new Deno.Command(BUN, { args: [script], stdout: "piped", stderr: "piped" })
    .output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  console.log(`figures: bun stderr: ${JSON.stringify(stderr.trim().split("\n").slice(-3))}`);
  assertEquals(out.code, 0);
  assertMatch(stdout, /client body error/, "the client saw its body cut");
  assert(!/uncaughtException|unhandledRejection|serve error hook/.test(stdout), stdout);
  assertMatch(stderr, /error: idle/, "Bun's dump of the abort reason");
});
