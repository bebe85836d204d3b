import { assert, assertEquals, assertThrows } from "@std/assert";
import { clbCredentialsSchema, clbSyncConfigSchema } from "./clb_schema.ts";
import { ConfigError, loadConfig } from "./load.ts";

Deno.test("clbSyncConfigSchema has production defaults and takes flags and PODGATE_* env", () => {
  const { config } = loadConfig(clbSyncConfigSchema, {
    env: { PODGATE_CLB__TASK_POLL_MS: "25", PODGATE_TAG: "team-a" },
    flags: { "dry-run": "true", "max-delete-share": "0.3", rules: "/etc/clb-sync/rules.yaml" },
  });
  assertEquals(config.dryRun, true);
  assertEquals(config.maxDeleteShare, 0.3);
  assertEquals(config.tag, "team-a");
  assertEquals(config.clb.taskPollMs, 25);
  assertEquals(config.clb.retryDeadlineMs, 60_000);
  assertEquals(config.resyncMs, 300_000);
  assertEquals(config.rules, "/etc/clb-sync/rules.yaml");
  assertEquals(config.gateConditionType, "podgate.io/clb-registered");
  assertEquals(config.drainSeconds, 10);
  assertEquals(config.recheckMs, 2_000);
});

Deno.test("clbSyncConfigSchema takes TKE's gate condition type and a drain in seconds", () => {
  const { config } = loadConfig(clbSyncConfigSchema, {
    env: { PODGATE_DRAIN_SECONDS: "2.5" },
    flags: { "gate-condition-type": "cloud.tencent.com/load-balancer-backendgroup-ready" },
  });
  assertEquals(config.gateConditionType, "cloud.tencent.com/load-balancer-backendgroup-ready");
  assertEquals(config.drainSeconds, 2.5);
  assertThrows(
    () => loadConfig(clbSyncConfigSchema, { flags: { "gate-condition-type": "not a type" } }),
    ConfigError,
  );
});

Deno.test("clbSyncConfigSchema names a bad setting and where it came from", () => {
  const error = assertThrows(
    () =>
      loadConfig(clbSyncConfigSchema, {
        env: { PODGATE_MAX_DELETE_SHARE: "2" },
        flags: { tag: "a b" },
      }),
    ConfigError,
  );
  assertEquals([...error.problems].sort(), [
    '--tag: tag: expected 1-64 characters without spaces, got "a b"',
    "PODGATE_MAX_DELETE_SHARE: maxDeleteShare: expected a number 0-1, got 2",
  ]);
});

Deno.test("clbCredentialsSchema reads the original env names, defaults the region, hides values", () => {
  const ok = clbCredentialsSchema.parse({
    CLOUD_TENCENT_SECRET_ID: "AKIDxyz",
    CLOUD_TENCENT_SECRET_KEY: "s3cr3t",
  });
  assertEquals(ok.TENCENT_REGION, "ap-beijing");
  const bad = clbCredentialsSchema.safeParse({
    CLOUD_TENCENT_SECRET_ID: "  ",
    CLOUD_TENCENT_SECRET_KEY: "s3cr3t",
    TENCENT_REGION: "Beijing!",
    TENCENT_CLB_ENDPOINT: "clb.internal:9000",
  });
  assert(!bad.success);
  const text = JSON.stringify(bad.error.issues.map((i) => [i.path, i.message]));
  assertEquals(bad.error.issues.map((i) => i.path[0]), [
    "CLOUD_TENCENT_SECRET_ID",
    "TENCENT_REGION",
    "TENCENT_CLB_ENDPOINT",
  ]);
  assert(!text.includes("s3cr3t"));
});
