import { z } from "zod";
import { assert, assertEquals } from "../../tests/support/assert.ts";
import { testPki } from "../../tests/support/certs.ts";
import { FakeKubeApi, type FakeKubeApiOptions } from "../../tests/support/fake_kube_api.ts";
import { endpointSlice, type FakePod } from "../../tests/support/kube_fixtures.ts";
import { memoryLogger } from "../log.ts";
import { runtime } from "../runtime/mod.ts";
import { type KubeApi, KubeApiError } from "./api.ts";
import { createKubeClient } from "./client.ts";
import { inClusterConnection } from "./in_cluster.ts";
import { objectMetaSchema } from "./objects.ts";
import { Reflector, type ReflectorTimers, type RestartReason } from "./reflector.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const PATH = "/apis/discovery.k8s.io/v1/namespaces/fixtures/endpointslices";
const SELECTOR = "kubernetes.io/service-name=backend-service";
const TIMERS: Partial<ReflectorTimers> = {
  backoffInitialMs: 10,
  backoffMaxMs: 40,
  watchTimeoutMinSeconds: 30,
  watchTimeoutMaxSeconds: 60,
  shortWatchMs: 0,
};

const sliceSchema = z.object({
  metadata: objectMetaSchema,
  endpoints: z.array(z.object({ addresses: z.array(z.string()) })).nullish(),
});
type Slice = z.output<typeof sliceSchema>;

/** Every address in a set of slices, sorted: what a user of the reflector would route to. */
const addresses = (items: readonly Slice[]) =>
  items.flatMap((s) => (s.endpoints ?? []).map((e) => e.addresses[0]!)).sort();

const pods = (...ips: number[]): FakePod[] =>
  ips.map((n) => ({ name: `backend-${n}`, ip: `10.244.1.${n}` }));

function scale(fake: FakeKubeApi, ...ips: number[]) {
  fake.upsert(
    "endpointslices",
    endpointSlice("backend-service-rj9xr", {
      namespace: "fixtures",
      service: "backend-service",
      pods: pods(...ips),
    }),
  );
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Harness {
  fake: FakeKubeApi;
  reflector: Reflector<Slice>;
  snapshots: string[][];
  restarts: RestartReason[];
  logger: ReturnType<typeof memoryLogger>;
  tokenPath: string;
  last(): string[];
  lists(): number;
  stop(): Promise<void>;
}

/** A fake API server with one 3-pod slice, and a reflector on it authenticated like a pod. */
async function harness(
  fakeOptions: Partial<FakeKubeApiOptions> = {},
  timers: Partial<ReflectorTimers> = TIMERS,
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>,
): Promise<Harness> {
  const pki = await testPki();
  const fake = await FakeKubeApi.start({ pki, tokens: { "token-1": "proxy" }, ...fakeOptions });
  scale(fake, 1, 2, 3);
  const dir = await Deno.makeTempDir({ prefix: "podgate-sa-" });
  await Deno.writeTextFile(`${dir}/token`, "token-1\n");
  await Deno.writeTextFile(`${dir}/ca.crt`, pki.ca);
  await Deno.writeTextFile(`${dir}/namespace`, "fixtures");
  const connection = await inClusterConnection({
    env: (name) =>
      ({ KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(fake.port) })[name],
    dir,
    readTextFile: runtime.readTextFile,
    fileExists: runtime.fileExists,
    tokenReloadMs: 60_000,
  });
  const api = createKubeClient(connection!, { tlsFetch: runtime.tlsFetch });
  const snapshots: string[][] = [];
  const restarts: RestartReason[] = [];
  const logger = memoryLogger();
  const reflector = new Reflector({
    api,
    path: PATH,
    labelSelector: SELECTOR,
    itemSchema: sliceSchema,
    onChange: (items) => snapshots.push(addresses(items)),
    onRestart: (reason) => restarts.push(reason),
    logger,
    timers,
    sleep,
  });
  reflector.start();
  await waitFor("the first list", () => reflector.synced);
  await waitFor("the watch", () => fake.openWatches === 1);
  return {
    fake,
    reflector,
    snapshots,
    restarts,
    logger,
    tokenPath: `${dir}/token`,
    last: () => snapshots.at(-1) ?? [],
    lists: () => fake.requests.filter((r) => r.verb === "list" && r.status === 200).length,
    async stop() {
      await reflector.stop();
      await fake.close();
    },
  };
}

const ips = (...n: number[]) => n.map((i) => `10.244.1.${i}`);

Deno.test(
  "Reflector lists, then watches from the list's resourceVersion with bookmarks and a random timeoutSeconds",
  opts,
  async () => {
    const h = await harness();
    try {
      const [list, watch] = h.fake.requests;
      assertEquals(list?.verb, "list");
      assertEquals(list?.query, { labelSelector: SELECTOR });
      assertEquals(watch?.verb, "watch");
      assertEquals(watch?.query.resourceVersion, h.fake.resourceVersion);
      assertEquals(watch?.query.allowWatchBookmarks, "true");
      assertEquals(watch?.query.labelSelector, SELECTOR);
      const timeout = Number(watch?.query.timeoutSeconds);
      assert(timeout >= 30 && timeout <= 60, `timeoutSeconds ${timeout}`);
      assertEquals(h.snapshots, [ips(1, 2, 3)]);
    } finally {
      await h.stop();
    }
  },
);

Deno.test(
  "Reflector applies watch events whose bytes arrive split at random boundaries",
  opts,
  async () => {
    const h = await harness({ splitChunks: true, seed: 7 });
    try {
      const steps = [[1, 2, 3, 4], [1, 2, 3, 4, 5], [1, 2, 4, 5], [1, 5], [1, 5, 6], [6]];
      for (const step of steps) scale(h.fake, ...step);
      h.fake.remove("endpointslices", "fixtures", "backend-service-rj9xr");
      await waitFor("the deletion", () => h.last().length === 0);
      // Each set handed out is a state the server went through, in order (events that arrive in
      // one chunk are applied together, so a state may be skipped, never garbled or reordered).
      const states = [[1, 2, 3], ...steps, []].map((step) => ips(...step).join(","));
      let at = 0;
      for (const snapshot of h.snapshots) {
        const index = states.indexOf(snapshot.join(","), at);
        assert(index >= at, `unexpected set ${snapshot} after ${states[at]}`);
        at = index;
      }
      assertEquals(h.last(), []);
      assertEquals(h.logger.lines.filter((l) => l.level !== "info" && l.level !== "debug"), []);
      assertEquals(h.lists(), 1);
    } finally {
      await h.stop();
    }
  },
);

Deno.test("Reflector takes the resourceVersion of a BOOKMARK and emits nothing", opts, async () => {
  const h = await harness();
  try {
    // Another Service's slice moves the resourceVersion past what this watch has seen.
    h.fake.upsert(
      "endpointslices",
      endpointSlice("other-service-x", { namespace: "fixtures", service: "other", pods: pods(9) }),
    );
    h.fake.bookmark();
    await waitFor("the bookmark", () => h.reflector.resourceVersion === h.fake.resourceVersion);
    assertEquals(h.snapshots.length, 1);
    // Thanks to the bookmark, a re-watch after compaction still starts from a valid version.
    h.fake.compact();
    h.fake.closeWatches();
    await waitFor(
      "the re-watch",
      () => h.fake.requests.filter((r) => r.verb === "watch").length === 2,
    );
    await waitFor("the open watch", () => h.fake.openWatches === 1);
    assertEquals(h.fake.requests.at(-1)?.query.resourceVersion, h.fake.resourceVersion);
    assertEquals(h.lists(), 1);
    assertEquals(h.restarts, ["closed"]);
  } finally {
    await h.stop();
  }
});

for (const form of ["event", "status"] as const) {
  Deno.test(
    `Reflector relists after 410 Gone as ${
      form === "event" ? "an ERROR event" : "the HTTP status"
    }`,
    opts,
    async () => {
      const h = await harness({ expired: form });
      try {
        h.fake.holdWatches();
        h.fake.closeWatches();
        await waitFor("a held re-watch", () => h.fake.heldWatches === 1);
        scale(h.fake, 1, 2, 3, 4, 5); // happens while no watch is open...
        h.fake.compact(); // ...and the server forgets it
        h.fake.releaseWatches();
        await waitFor("the relist", () => h.lists() === 2);
        await waitFor("the new set", () => h.last().length === 5);
        assertEquals(h.last(), ips(1, 2, 3, 4, 5));
        assert(h.restarts.includes("expired"), h.restarts.join());
        assert(h.snapshots.every((s) => s.length > 0), "never an empty set");
        await waitFor("the watch after the relist", () => h.fake.openWatches === 1);
        assertEquals(h.fake.requests.at(-1)?.query.resourceVersion, h.fake.resourceVersion);
      } finally {
        await h.stop();
      }
    },
  );
}

Deno.test(
  "Reflector re-watches from its last resourceVersion when the server ends the watch, losing no event",
  opts,
  async () => {
    const h = await harness();
    try {
      scale(h.fake, 1, 2, 3, 4);
      await waitFor("4 pods", () => h.last().length === 4);
      const rv = h.reflector.resourceVersion;
      h.fake.holdWatches();
      h.fake.closeWatches();
      await waitFor("a held re-watch", () => h.fake.heldWatches === 1);
      scale(h.fake, 1, 2, 3, 4, 5); // while no watch is open
      h.fake.releaseWatches();
      await waitFor("5 pods", () => h.last().length === 5);
      const watches = h.fake.requests.filter((r) => r.verb === "watch");
      assertEquals(watches.at(-1)?.query.resourceVersion, rv);
      assertEquals(h.lists(), 1);
      assertEquals(h.restarts, ["closed"]);
    } finally {
      await h.stop();
    }
  },
);

Deno.test(
  "Reflector re-reads the service account token after a 401 and carries on",
  opts,
  async () => {
    const h = await harness();
    try {
      await Deno.writeTextFile(h.tokenPath, "token-2\n");
      h.fake.tokens.delete("token-1");
      h.fake.tokens.set("token-2", "proxy");
      h.fake.closeWatches();
      const watches = () => h.fake.requests.filter((r) => r.verb === "watch").map((r) => r.status);
      await waitFor("a re-watch with the new token", () => watches().join() === "200,401,200");
      scale(h.fake, 1, 2);
      await waitFor("2 pods", () => h.last().length === 2);
      assertEquals(h.restarts, ["closed"]);
    } finally {
      await h.stop();
    }
  },
);

Deno.test(
  "Reflector logs the RBAC verb and resource it lacks and recovers once RBAC allows it",
  opts,
  async () => {
    const h = await harness();
    try {
      h.fake.forbidden.add("watch endpointslices");
      h.fake.closeWatches();
      await waitFor(
        "a forbidden log line",
        () => h.logger.lines.some((l) => l.msg === "kube_forbidden"),
      );
      const line = h.logger.lines.find((l) => l.msg === "kube_forbidden")!;
      assertEquals(line.level, "error");
      assertEquals([line.verb, line.resource, line.group, line.namespace], [
        "watch",
        "endpointslices",
        "discovery.k8s.io",
        "fixtures",
      ]);
      assert(String(line.error).includes('cannot watch resource "endpointslices"'));
      scale(h.fake, 1, 2, 3, 4);
      h.fake.forbidden.delete("watch endpointslices");
      await waitFor("4 pods", () => h.last().length === 4);
      assert(h.restarts.includes("forbidden"));
      assert(h.snapshots.every((s) => s.length > 0), "never an empty set");
      assert(h.logger.lines.some((l) => l.msg === "kube_recovered"));
    } finally {
      await h.stop();
    }
  },
);

Deno.test(
  "Reflector is not synced while RBAC refuses the list, and syncs once it allows it",
  opts,
  async () => {
    const pki = await testPki();
    const fake = await FakeKubeApi.start({ pki, tokens: { t: "proxy" } });
    scale(fake, 1);
    fake.forbidden.add("list endpointslices");
    const logger = memoryLogger();
    const snapshots: string[][] = [];
    const reflector = new Reflector({
      api: createKubeClient({
        server: fake.url,
        source: "kubeconfig",
        description: "test",
        namespace: undefined,
        credentials: () =>
          Promise.resolve({ tls: { caCerts: [pki.ca] }, headers: { authorization: "Bearer t" } }),
      }, { tlsFetch: runtime.tlsFetch }),
      path: PATH,
      labelSelector: SELECTOR,
      itemSchema: sliceSchema,
      onChange: (items) => snapshots.push(addresses(items)),
      logger,
      timers: TIMERS,
    });
    try {
      reflector.start();
      await waitFor(
        "two refusals",
        () => fake.requests.filter((r) => r.status === 403).length >= 2,
      );
      assertEquals(reflector.synced, false);
      assertEquals(snapshots, []);
      const line = logger.lines.find((l) => l.msg === "kube_forbidden")!;
      assertEquals([line.verb, line.resource, line.during], ["list", "endpointslices", "list"]);
      fake.forbidden.clear();
      assertEquals(await reflector.untilSynced(), true);
      assertEquals(snapshots, [ips(1)]);
    } finally {
      await reflector.stop();
      await fake.close();
    }
  },
);

Deno.test(
  "Reflector keeps its items while the API server is down and catches up when it returns",
  opts,
  async () => {
    const h = await harness();
    try {
      await h.fake.down();
      await waitFor(
        "a failed re-watch",
        () => h.logger.lines.some((l) => l.msg === "kube_watch_failed"),
      );
      scale(h.fake, 1, 2); // changed while the server was unreachable
      assertEquals(h.reflector.items().length, 1);
      assertEquals(h.snapshots, [ips(1, 2, 3)]);
      await h.fake.up();
      await waitFor("2 pods", () => h.last().length === 2);
      assertEquals(h.snapshots, [ips(1, 2, 3), ips(1, 2)]);
      assertEquals(h.lists(), 1);
      assert(h.restarts.includes("error"));
    } finally {
      await h.stop();
    }
  },
);

Deno.test("Reflector.stop() ends the open watch and resolves", opts, async () => {
  const h = await harness();
  await h.reflector.stop();
  await waitFor("no open watch", () => h.fake.openWatches === 0);
  await h.fake.close();
});

/** A KubeApi stub: lists answer `list`, watches answer `watch` (or wait until aborted). */
function stubApi(list: () => unknown, watch?: () => Promise<Response>): KubeApi {
  return {
    defaultNamespace: undefined,
    getJson: () => Promise.resolve().then(list),
    openStream: (_path, { signal } = {}) =>
      watch?.() ??
        new Promise((_, reject) => {
          if (signal?.aborted) reject(signal.reason);
          signal?.addEventListener("abort", () => reject(signal.reason));
        }),
  };
}

const emptyList = () => ({ metadata: { resourceVersion: "5" }, items: [] });

Deno.test("Reflector backs off exponentially with jitter up to the cap between failures", async () => {
  for (
    const [random, expected] of [[0.5, [100, 200, 400, 800, 1000, 1000]], [0, [
      80,
      160,
      320,
      640,
      800,
      800,
    ]]] as const
  ) {
    const delays: number[] = [];
    const done = Promise.withResolvers<void>();
    const reflector = new Reflector({
      api: stubApi(() => {
        throw new KubeApiError(503, "ServiceUnavailable", "etcd is down", PATH);
      }),
      path: PATH,
      itemSchema: sliceSchema,
      onChange() {},
      random: () => random,
      timers: { backoffInitialMs: 100, backoffMaxMs: 1000 },
      sleep(ms) {
        delays.push(ms);
        if (delays.length === expected.length) done.resolve();
        return Promise.resolve();
      },
    });
    reflector.start();
    await done.promise;
    await reflector.stop();
    assertEquals(delays.slice(0, expected.length), [...expected]);
  }
});

Deno.test("Reflector backs off when a watch keeps ending at once without an event", async () => {
  const delays: number[] = [];
  const done = Promise.withResolvers<void>();
  const reflector = new Reflector({
    api: stubApi(emptyList, () => Promise.resolve(new Response(""))),
    path: PATH,
    itemSchema: sliceSchema,
    onChange() {},
    random: () => 0.5,
    now: () => 0, // every watch lasts 0 ms
    timers: { backoffInitialMs: 100, backoffMaxMs: 1000, shortWatchMs: 1000 },
    sleep(ms) {
      delays.push(ms);
      if (delays.length === 3) done.resolve();
      return Promise.resolve();
    },
  });
  reflector.start();
  await done.promise;
  await reflector.stop();
  assertEquals(delays.slice(0, 3), [100, 200, 400]);
});

Deno.test("Reflector skips an item its schema rejects and logs why", async () => {
  const logger = memoryLogger();
  let seen: Slice[] = [];
  const reflector = new Reflector({
    api: stubApi(
      () => ({
        metadata: { resourceVersion: "5" },
        items: [{ metadata: { name: "good", namespace: "ns" } }, { metadata: { namespace: "ns" } }],
      }),
    ),
    path: PATH,
    itemSchema: sliceSchema,
    onChange: (items) => void (seen = [...items]),
    logger,
  });
  reflector.start();
  await reflector.untilSynced();
  await reflector.stop();
  assertEquals(seen.map((s) => s.metadata.name), ["good"]);
  assert(logger.lines.some((l) => l.msg === "kube_item_invalid" && l.level === "warn"));
});

/** A watch response whose body is these lines, then (unless `open`) its end. */
function watchResponse(lines: unknown[], open = false): Response {
  const text = lines.map((l) => JSON.stringify(l) + "\n").join("");
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      if (!open) controller.close();
    },
  });
  return new Response(body);
}

Deno.test("Reflector re-watches from its last resourceVersion after a non-410 ERROR event", async () => {
  const paths: string[] = [];
  const restarts: RestartReason[] = [];
  const logger = memoryLogger();
  const second = Promise.withResolvers<void>();
  const reflector = new Reflector({
    api: {
      defaultNamespace: undefined,
      getJson: () => Promise.resolve(emptyList()),
      openStream(path, { signal } = {}) {
        paths.push(path);
        if (paths.length === 1) {
          return Promise.resolve(watchResponse([
            {
              type: "ADDED",
              object: { metadata: { name: "a", namespace: "ns", resourceVersion: "7" } },
            },
            {
              type: "ERROR",
              object: {
                kind: "Status",
                status: "Failure",
                message: "etcd hiccup",
                reason: "InternalError",
                code: 500,
              },
            },
          ]));
        }
        second.resolve();
        return new Promise((_, reject) => {
          if (signal?.aborted) reject(signal.reason);
          signal?.addEventListener("abort", () => reject(signal.reason));
        });
      },
    },
    path: PATH,
    itemSchema: sliceSchema,
    onChange() {},
    onRestart: (reason) => restarts.push(reason),
    logger,
    sleep: () => Promise.resolve(),
  });
  reflector.start();
  await second.promise;
  await reflector.stop();
  assertEquals(new URL(paths[1]!, "https://x").searchParams.get("resourceVersion"), "7");
  assertEquals(restarts, ["error"]);
  const failed = logger.lines.find((l) => l.msg === "kube_watch_failed")!;
  assert(String(failed.error).includes("500 InternalError: etcd hiccup"), String(failed.error));
  assertEquals(reflector.items().length, 1);
});

Deno.test("Reflector abandons a watch that outlives its timeoutSeconds by watchGraceMs", async () => {
  const restarts: RestartReason[] = [];
  let watches = 0;
  const reflector = new Reflector({
    api: stubApi(emptyList, () => {
      watches++;
      return Promise.resolve(watchResponse([], true)); // a peer that went silent
    }),
    path: PATH,
    itemSchema: sliceSchema,
    onChange() {},
    onRestart: (reason) => restarts.push(reason),
    timers: {
      watchTimeoutMinSeconds: 0,
      watchTimeoutMaxSeconds: 0,
      watchGraceMs: 10,
      shortWatchMs: 0,
    },
  });
  reflector.start();
  await waitFor("two abandoned watches", () => restarts.length >= 2);
  await reflector.stop();
  assertEquals(restarts.slice(0, 2), ["deadline", "deadline"]);
  assert(watches >= 2);
});

for (const form of ["event", "status"] as const) {
  Deno.test(
    `Reflector: an API server back after 60 s down answers the old resourceVersion with 410 (${form}); the new set is served at once, and the backoff starts over`,
    opts,
    async () => {
      // Production backoff (800 ms doubling to a 30 s cap) on a virtual clock: every sleep the
      // reflector asks for advances it at once, so "60 s" of downtime takes a moment of real time.
      let virtualMs = 0;
      let phase: "up" | "down" | "back" = "up";
      const outageDelays: number[] = [];
      const delaysAfterReturn: number[] = [];
      let returnedAt = 0;
      // Assigned once, after `sleep` (which reads it) is made: hence let.
      // deno-lint-ignore prefer-const
      let h: Harness | undefined;
      const sleep = async (ms: number) => {
        if (phase === "down") {
          outageDelays.push(ms);
          virtualMs += ms;
          if (virtualMs >= 60_000 && h) {
            // The server restarts: the cluster moved on meanwhile, and its watch cache is new.
            scale(h.fake, 4, 5);
            h.fake.compact();
            await h.fake.up();
            phase = "back";
            returnedAt = performance.now();
          }
        } else if (phase === "back") delaysAfterReturn.push(ms);
        await new Promise((resolve) => setTimeout(resolve, 1));
      };
      h = await harness({ expired: form }, {
        ...TIMERS,
        backoffInitialMs: 800,
        backoffMaxMs: 30_000,
      }, sleep);
      try {
        assertEquals(h.last(), ips(1, 2, 3));
        phase = "down";
        await h.fake.down();
        await waitFor("the server's return", () => phase === "back", 10_000);
        await waitFor("the new set", () => h!.last().join() === ips(4, 5).join());
        // Real time since the return, plus any virtual sleep the reflector took meanwhile.
        const servedAfterMs = performance.now() - returnedAt +
          delaysAfterReturn.reduce((a, b) => a + b, 0);
        console.log(
          `figures: outage ${virtualMs} ms virtual, backoff ${outageDelays.join(" ")} ms; ` +
            `new set ${
              servedAfterMs.toFixed(0)
            } ms after the return; sleeps since ${delaysAfterReturn.length}`,
        );
        assert(outageDelays.at(-1)! >= 24_000, "the backoff had reached its cap");
        assertEquals(delaysAfterReturn, [], "no backoff between the return and the relist");
        assert(servedAfterMs < 2_000, `new set after ${servedAfterMs.toFixed(0)} ms`);
        assert(h.restarts.includes("expired"), h.restarts.join());
        assert(h.snapshots.every((s) => s.length > 0), "never an empty set");
        // The relist reset the backoff: the next outage starts again from 800 ms (±20%).
        phase = "down";
        outageDelays.length = 0;
        virtualMs = 0;
        await h.fake.down();
        await waitFor("a failure", () => outageDelays.length > 0);
        assert(outageDelays[0]! <= 960, `first delay ${outageDelays[0]} ms`);
      } finally {
        phase = "up";
        await h.stop();
      }
    },
  );
}
