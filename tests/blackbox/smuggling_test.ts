// defparam/smuggler's technique list against the compiled binary (PODGATE_BIN; Bun.serve), on both
// upstream clients; without PODGATE_BIN, startProcess runs Deno from source. See
// tests/support/smuggling_scanner.ts.
import { PODGATE_BIN } from "../support/process.ts";
import { startProcess } from "../support/proxy_target.ts";
import { smugglingSuite } from "../support/smuggling_scanner.ts";

const runtime = PODGATE_BIN ? "binary" : "process";
smugglingSuite(runtime, (env) => startProcess({ PODGATE_UPSTREAM_CLIENT: "http1", ...env }));
smugglingSuite(
  `${runtime}+fetch`,
  (env) => startProcess({ PODGATE_UPSTREAM_CLIENT: "fetch", ...env }),
);
