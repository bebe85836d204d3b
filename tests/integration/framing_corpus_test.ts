// The framing corpus (tests/support/framing_corpus.ts) on Deno, in-process, with either upstream
// client: podgate's own HTTP/1.1 client (the default) and fetch carrying every request.
import { framingCorpus } from "../support/framing_corpus.ts";
import { startInProcess } from "../support/proxy_target.ts";

framingCorpus("deno", startInProcess);
framingCorpus("deno+fetch", (env) => startInProcess({ PODGATE_UPSTREAM_CLIENT: "fetch", ...env }));
