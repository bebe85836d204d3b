import { assertEquals } from "@std/assert";
import { healthByPlace, placeKey } from "./health.ts";

Deno.test("healthByPlace() reads L7 rules by LocationId and an L4 listener as a whole", () => {
  const target = (IP: string, HealthStatusDetail: string) => ({
    IP,
    Port: 8080,
    HealthStatus: HealthStatusDetail === "Alive",
    HealthStatusDetail,
    TargetId: null,
  });
  const map = healthByPlace([{
    LoadBalancerId: "lb-abc",
    Listeners: [
      {
        ListenerId: "lbl-1",
        Protocol: "HTTP",
        Port: 80,
        Rules: [
          { LocationId: "loc-1", Domain: "a", Url: "/", Targets: [target("10.0.0.1", "Alive")] },
          { LocationId: "loc-2", Domain: "a", Url: "/b", Targets: [target("10.0.0.2", "Dead")] },
        ],
      },
      {
        ListenerId: "lbl-2",
        Protocol: "TCP",
        Port: 9000,
        Rules: [{
          LocationId: null,
          Domain: null,
          Url: null,
          Targets: [target("10.0.0.3", "Unknown")],
        }],
      },
    ],
  }], [
    { listenerId: "lbl-1", locationId: "loc-1" },
    { listenerId: "lbl-2" },
    { listenerId: "lbl-9" },
  ]);
  assertEquals([...map.keys()], ["lbl-1/loc-1", "lbl-2/"]);
  assertEquals(
    map.get(placeKey({ listenerId: "lbl-1", locationId: "loc-1" }))?.get("10.0.0.1:8080"),
    "Alive",
  );
  assertEquals(map.get("lbl-2/")?.get("10.0.0.3:8080"), "Unknown");
});
