import { assertEquals } from "@std/assert";
import { parseFlags } from "./flags.ts";

Deno.test("parseFlags() reads --name value, --name=value and lone switches", () => {
  assertEquals(
    parseFlags(
      ["--config", "a.yaml", "--port=9", "--dry-run", "--rules", "r.yaml", "extra"],
      new Set(["dry-run"]),
    ),
    {
      flags: { config: "a.yaml", port: "9", "dry-run": "true", rules: "r.yaml" },
      positionals: ["extra"],
    },
  );
});

Deno.test("parseFlags() treats a flag followed by another flag as a switch", () => {
  assertEquals(parseFlags(["--watch", "--force"]).flags, { watch: "true", force: "true" });
});

Deno.test("parseFlags() reads -h and --help as help", () => {
  assertEquals(parseFlags(["-h"]).flags, { help: "true" });
  assertEquals(parseFlags(["--help", "x"]).flags.help, "true");
});
