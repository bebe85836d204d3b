// The framing corpus (tests/support/framing_corpus.ts) through the compiled binary (PODGATE_BIN):
// Bun.serve in front, podgate's own HTTP/1.1 client or Bun's fetch behind. One of Bun.serve's
// ways is not podgate's to change and is written down in the README ("Request framing"):
// pipelined requests to an async handler are closed unanswered.
import { framingCorpus } from "../support/framing_corpus.ts";
import { PODGATE_BIN } from "../support/process.ts";
import { startProcess } from "../support/proxy_target.ts";

const quirks = { pipelineClosed: true };

if (PODGATE_BIN) {
  framingCorpus("binary", startProcess, quirks);
  framingCorpus(
    "binary+fetch",
    (env) => startProcess({ PODGATE_UPSTREAM_CLIENT: "fetch", ...env }),
    quirks,
  );
} else {
  Deno.test({
    name: "[binary] framing corpus (skipped: PODGATE_BIN is not set)",
    ignore: true,
    fn() {},
  });
}
