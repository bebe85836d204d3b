// WebSocket proxying through the compiled binary (PODGATE_BIN), run as UID 1001 when the suite runs
// as root: `podgate proxy` with static backends pointing at a WebSocket echo server.
import { PODGATE_BIN } from "../support/process.ts";
import { startProcess } from "../support/proxy_target.ts";
import { websocketScenarios } from "../support/websocket_scenarios.ts";

if (PODGATE_BIN) websocketScenarios("binary", startProcess);
else {
  Deno.test({
    name: "[binary] WebSocket scenarios (skipped: PODGATE_BIN is not set)",
    ignore: true,
    fn() {},
  });
}
