import { assertStringIncludes } from "@std/assert";
import { ClbSyncMetrics } from "./metrics.ts";

Deno.test("ClbSyncMetrics.render() writes passes, targets and requests in the Prometheus format", () => {
  const metrics = new ClbSyncMetrics();
  metrics.recordPass({
    exitCode: 0,
    dryRun: false,
    authFailure: undefined,
    calls: {},
    durationMs: 250,
    rules: [{
      rule: "r",
      status: "applied",
      registered: 2,
      deregistered: 1,
      reweighted: 0,
      adopted: 0,
      foreign: 0,
    }],
  }, 1_700_000_000_000);
  metrics.observeRequest("DescribeTargets", "ok");
  metrics.observeRequest("DescribeTargets", "RequestLimitExceeded");
  metrics.watchRestart("expired");
  const text = metrics.render();
  assertStringIncludes(text, "# TYPE podgate_clb_sync_passes_total counter\n");
  assertStringIncludes(text, 'podgate_clb_sync_passes_total{exit_code="0"} 1\n');
  assertStringIncludes(text, 'podgate_clb_sync_rules{status="applied"} 1\n');
  assertStringIncludes(text, 'podgate_clb_sync_targets_changed_total{change="deregistered"} 1\n');
  assertStringIncludes(
    text,
    'podgate_clb_api_requests_total{action="DescribeTargets",outcome="RequestLimitExceeded"} 1\n',
  );
  assertStringIncludes(text, 'podgate_clb_sync_pod_watch_restarts_total{reason="expired"} 1\n');
  assertStringIncludes(text, "podgate_clb_sync_last_success_timestamp_seconds 1700000000\n");
  assertStringIncludes(text, "podgate_clb_sync_last_pass_duration_seconds 0.25\n");
});
