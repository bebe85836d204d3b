import { assertEquals } from "@std/assert";
import { FakeCluster } from "../../tests/support/clb_kube.ts";
import type { KubeApi } from "../kube/api.ts";
import { PodTriggers } from "./pod_triggers.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/**
 * A KubeApi whose pod list comes from a FakeCluster and whose watches the test writes into. Each
 * watch the reflector opens is announced, so ending one proves every event in it was applied.
 */
function watchedApi(list: () => Json[]) {
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let opened = Promise.withResolvers<void>();
  const api: KubeApi = {
    defaultNamespace: "shop",
    getJson: () =>
      Promise.resolve({ kind: "PodList", metadata: { resourceVersion: "700" }, items: list() }),
    openStream: (_path, options) => {
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          controller = c;
          options?.signal?.addEventListener("abort", () => {
            try {
              c.close();
            } catch { /* already ended by the test */ }
          });
        },
      });
      opened.resolve();
      return Promise.resolve(new Response(body));
    },
  };
  let rv = 700;
  return {
    api,
    /** Resolves once the next watch is open. */
    nextWatch: () => opened.promise,
    send(type: string, object: Json) {
      object.metadata.resourceVersion = String(++rv);
      controller!.enqueue(encoder.encode(JSON.stringify({ type, object }) + "\n"));
    },
    /** Ends the current watch (as timeoutSeconds would); the reflector opens another. */
    endWatch() {
      opened = Promise.withResolvers<void>();
      controller!.close();
    },
  };
}

/** Awaits `promise`, failing with `what` after 15 s instead of hanging the suite. */
async function within<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) =>
        timer = setTimeout(() => reject(new Error(`no ${what} within 15 s`)), 15_000)
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("PodTriggers fires on a change to a selected pod, not on other pods' churn", async () => {
  const cluster = new FakeCluster();
  const web = cluster.addDeployment("shop", "web", [{ name: "web-1", ip: "10.0.0.1" }]);
  cluster.addDeployment("shop", "batch", [{ name: "batch-1", ip: "10.0.9.1" }]);
  const pod = (name: string) => cluster.objects().pods.find((p: Json) => p.metadata.name === name);
  const w = watchedApi(() => cluster.objects().pods);
  const fired: string[] = [];
  let changed = Promise.withResolvers<void>();
  const triggers = new PodTriggers({
    api: w.api,
    namespaces: ["shop"],
    onChange: (namespace) => {
      fired.push(namespace);
      changed.resolve();
    },
  });
  await within("start", triggers.start(5_000));
  await within("first watch", w.nextWatch());
  // A pass learnt the web Deployment's selector.
  triggers.noteSelector("shop", "shop/web", web.selector);

  // Another Deployment's pod changes; once that watch is over, its event was surely applied.
  cluster.pod("shop", "batch", "batch-1").ready = false;
  w.send("MODIFIED", pod("batch-1"));
  w.endWatch();
  await within("second watch", w.nextWatch());
  assertEquals(fired, [], "a pod the rules do not select is noise");

  cluster.pod("shop", "web", "web-1").ready = false;
  w.send("MODIFIED", pod("web-1"));
  await within("trigger", changed.promise);
  assertEquals(fired, ["shop"]);

  // A change that cannot affect a target (an annotation) is noise too.
  changed = Promise.withResolvers<void>();
  const annotated = pod("web-1");
  annotated.metadata.annotations = { touched: "yes" };
  w.send("MODIFIED", annotated);
  w.endWatch();
  await within("third watch", w.nextWatch());
  assertEquals(fired, ["shop"]);
  await within("stop", triggers.stop());
});
