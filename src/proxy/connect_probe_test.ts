import { assertEquals } from "@std/assert";
import type { ByteSocket, Dial } from "../runtime/types.ts";
import { connectProbe, sharedConnectProbe } from "./connect_probe.ts";

const socket = (onDestroy: () => void): ByteSocket => ({
  write: () => true,
  pause() {},
  resume() {},
  destroy: onDestroy,
});

Deno.test("connectProbe() is true for a connection that opens, and closes it at once", async () => {
  let destroyed = 0;
  const targets: string[] = [];
  const dial: Dial = (target) => {
    targets.push(`${target.hostname}:${target.port}`);
    return Promise.resolve(socket(() => destroyed++));
  };
  assertEquals(await connectProbe(dial, "10.0.0.1:8080", 100), true);
  assertEquals(await connectProbe(dial, "[fd00::1]:80", 100), true);
  assertEquals(targets, ["10.0.0.1:8080", "fd00::1:80"]);
  assertEquals(destroyed, 2);
});

Deno.test("connectProbe() is false for a refused connection and for one that takes too long", async () => {
  assertEquals(await connectProbe(() => Promise.reject(new Error("refused")), "a:1", 100), false);
  let late: (s: ByteSocket) => void = () => {};
  let destroyed = false;
  const pending = connectProbe(() => new Promise((resolve) => late = resolve), "a:1", 10);
  assertEquals(await pending, false);
  late(socket(() => destroyed = true));
  await Promise.resolve();
  assertEquals(destroyed, true, "a connection that opened after the limit is closed too");
});

Deno.test("sharedConnectProbe() shares a running probe and remembers only a success, for freshMs", async () => {
  let dials = 0;
  let refuse = false;
  const dial: Dial = () => {
    dials++;
    return refuse ? Promise.reject(new Error("refused")) : Promise.resolve(socket(() => {}));
  };
  let clock = 0;
  const probe = sharedConnectProbe(dial, 1_000, () => clock);
  assertEquals(await Promise.all([probe("a:1", 100), probe("a:1", 100)]), [true, true]);
  assertEquals(dials, 1, "two waiting attempts, one probe");
  clock = 999;
  assertEquals(await probe("a:1", 100), true);
  assertEquals(dials, 1, "still fresh");
  clock = 1_000;
  refuse = true;
  assertEquals(await probe("a:1", 100), false);
  assertEquals(await probe("a:1", 100), false);
  assertEquals(dials, 3, "a failure is not remembered");
});
