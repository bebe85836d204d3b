import { assertEquals, assertThrows } from "@std/assert";
import { inflateSync } from "node:zlib";
import { crc32, encodePng } from "./png.ts";

Deno.test("crc32() matches the standard check value", () => {
  assertEquals(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

Deno.test("encodePng() writes the signature, a 2×1 RGB header and rows that inflate back", () => {
  const png = encodePng({ width: 2, height: 1, pixels: new Uint8Array([255, 0, 0, 0, 0, 255]) });
  assertEquals([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset);
  assertEquals(new TextDecoder().decode(png.subarray(12, 16)), "IHDR");
  assertEquals([view.getUint32(16), view.getUint32(20), png[24], png[25]], [2, 1, 8, 2]);
  const idatLength = view.getUint32(33);
  assertEquals(new TextDecoder().decode(png.subarray(37, 41)), "IDAT");
  const rows = inflateSync(png.subarray(41, 41 + idatLength));
  assertEquals([...rows], [0, 255, 0, 0, 0, 0, 255]);
  assertEquals(new TextDecoder().decode(png.subarray(-8, -4)), "IEND");
});

Deno.test("encodePng() refuses a pixel buffer of the wrong size", () => {
  assertThrows(() => encodePng({ width: 2, height: 2, pixels: new Uint8Array(3) }), RangeError);
});
