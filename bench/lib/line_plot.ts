// Draws a line chart (series of x, y points over shared axes) into an RGB raster, with a 5×7
// bitmap font for tick labels, the axis titles and a legend: enough to see a leak as a slope.
import { encodePng, type Raster } from "./png.ts";

export type Rgb = readonly [number, number, number];

export interface Series {
  label: string;
  color: Rgb;
  /** [x, y] pairs, x ascending. */
  points: ReadonlyArray<readonly [number, number]>;
}

export interface PlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** The y axis starts at 0 unless told otherwise, so a slope is not exaggerated. */
  yMin?: number;
  /** Horizontal reference lines (e.g. a target), dashed. */
  hLines?: ReadonlyArray<{ y: number; color: Rgb; label: string }>;
}

/** Colours that stay apart on white, in order. */
export const PALETTE: readonly Rgb[] = [
  [31, 119, 180],
  [214, 39, 40],
  [44, 160, 44],
  [255, 127, 14],
  [148, 103, 189],
  [140, 86, 75],
];

// 5×7 glyphs, one string of 7 rows per character; lowercase letters are drawn as uppercase.
const FONT: Record<string, string> = {
  "0": "01110 10001 10011 10101 11001 10001 01110",
  "1": "00100 01100 00100 00100 00100 00100 01110",
  "2": "01110 10001 00001 00010 00100 01000 11111",
  "3": "11110 00001 00001 01110 00001 00001 11110",
  "4": "00010 00110 01010 10010 11111 00010 00010",
  "5": "11111 10000 11110 00001 00001 10001 01110",
  "6": "00110 01000 10000 11110 10001 10001 01110",
  "7": "11111 00001 00010 00100 01000 01000 01000",
  "8": "01110 10001 10001 01110 10001 10001 01110",
  "9": "01110 10001 10001 01111 00001 00010 01100",
  A: "01110 10001 10001 11111 10001 10001 10001",
  B: "11110 10001 10001 11110 10001 10001 11110",
  C: "01110 10001 10000 10000 10000 10001 01110",
  D: "11110 10001 10001 10001 10001 10001 11110",
  E: "11111 10000 10000 11110 10000 10000 11111",
  F: "11111 10000 10000 11110 10000 10000 10000",
  G: "01110 10001 10000 10111 10001 10001 01111",
  H: "10001 10001 10001 11111 10001 10001 10001",
  I: "01110 00100 00100 00100 00100 00100 01110",
  J: "00111 00010 00010 00010 00010 10010 01100",
  K: "10001 10010 10100 11000 10100 10010 10001",
  L: "10000 10000 10000 10000 10000 10000 11111",
  M: "10001 11011 10101 10101 10001 10001 10001",
  N: "10001 11001 10101 10011 10001 10001 10001",
  O: "01110 10001 10001 10001 10001 10001 01110",
  P: "11110 10001 10001 11110 10000 10000 10000",
  Q: "01110 10001 10001 10001 10101 10010 01101",
  R: "11110 10001 10001 11110 10100 10010 10001",
  S: "01111 10000 10000 01110 00001 00001 11110",
  T: "11111 00100 00100 00100 00100 00100 00100",
  U: "10001 10001 10001 10001 10001 10001 01110",
  V: "10001 10001 10001 10001 10001 01010 00100",
  W: "10001 10001 10001 10101 10101 10101 01010",
  X: "10001 10001 01010 00100 01010 10001 10001",
  Y: "10001 10001 01010 00100 00100 00100 00100",
  Z: "11111 00001 00010 00100 01000 10000 11111",
  ".": "00000 00000 00000 00000 00000 01100 01100",
  ",": "00000 00000 00000 00000 01100 00100 01000",
  ":": "00000 01100 01100 00000 01100 01100 00000",
  "-": "00000 00000 00000 11111 00000 00000 00000",
  "+": "00000 00100 00100 11111 00100 00100 00000",
  "/": "00001 00010 00010 00100 01000 01000 10000",
  "(": "00010 00100 01000 01000 01000 00100 00010",
  ")": "01000 00100 00010 00010 00010 00100 01000",
  "%": "11001 11010 00010 00100 01000 01011 10011",
  "=": "00000 00000 11111 00000 11111 00000 00000",
  "×": "00000 10001 01010 00100 01010 10001 00000",
  "µ": "00000 10001 10001 10001 10011 11101 10000",
  " ": "00000 00000 00000 00000 00000 00000 00000",
};
const GLYPHS = new Map(
  Object.entries(FONT).map(([ch, rows]) => [ch, rows.split(" ").map((r) => [...r].map(Number))]),
);

class Canvas implements Raster {
  readonly pixels: Uint8Array;
  constructor(readonly width: number, readonly height: number) {
    this.pixels = new Uint8Array(width * height * 3).fill(255);
  }
  set(x: number, y: number, [r, g, b]: Rgb): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 3;
    this.pixels[i] = r;
    this.pixels[i + 1] = g;
    this.pixels[i + 2] = b;
  }
  rect(x: number, y: number, w: number, h: number, color: Rgb): void {
    for (let dy = 0; dy < h; dy++) for (let dx = 0; dx < w; dx++) this.set(x + dx, y + dy, color);
  }
  /** A line `thickness` pixels wide; every `dash` pixels on, then off, when dash > 0. */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, thickness = 1, dash = 0) {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let i = 0; i <= steps; i++) {
      if (dash > 0 && Math.floor(i / dash) % 2 === 1) continue;
      const x = x0 + ((x1 - x0) * i) / steps;
      const y = y0 + ((y1 - y0) * i) / steps;
      this.rect(x - (thickness - 1) / 2, y - (thickness - 1) / 2, thickness, thickness, color);
    }
  }
  /** Text at (x, y) top-left; returns its width. Unknown characters are drawn as blanks. */
  text(x: number, y: number, text: string, color: Rgb, { scale = 1, vertical = false } = {}) {
    let offset = 0;
    for (const ch of text) {
      const glyph = GLYPHS.get(ch) ?? GLYPHS.get(ch.toUpperCase()) ?? GLYPHS.get(" ")!;
      glyph.forEach((row, gy) =>
        row.forEach((on, gx) => {
          if (!on) return;
          // Vertical text reads bottom to top.
          if (vertical) this.rect(x + gy * scale, y - (offset + gx) * scale, scale, scale, color);
          else this.rect(x + (offset + gx) * scale, y + gy * scale, scale, scale, color);
        })
      );
      offset += 6;
    }
    return offset * scale;
  }
}

/** A round step giving about `count` ticks over `span`. */
export function niceStep(span: number, count = 6): number {
  if (!(span > 0)) return 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw)! * magnitude;
  return step;
}

function formatTick(value: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(Math.min(decimals + (step % 1 === 0.5 ? 1 : 0), 3));
}

/** Renders the chart as a raster. */
export function renderLinePlot(series: readonly Series[], options: PlotOptions = {}): Raster {
  const { width = 900, height = 420, title, xLabel, yLabel, hLines = [] } = options;
  const c = new Canvas(width, height);
  const black: Rgb = [0, 0, 0];
  const grey: Rgb = [225, 225, 225];
  const left = 70, right = width - 20, top = title ? 34 : 14;
  const legendRows = Math.ceil(series.length / 3);
  const bottom = height - 40 - legendRows * 14;
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = [...all.map((p) => p[1]), ...hLines.map((h) => h.y)];
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs, xMin + 1e-9) : 1;
  const yLow = options.yMin ?? 0;
  const yStep = niceStep((ys.length ? Math.max(...ys) : 1) - yLow);
  const yMax = Math.max(yLow + yStep, Math.ceil(Math.max(...ys, yLow) / yStep) * yStep);
  const px = (x: number) => left + ((x - xMin) / (xMax - xMin || 1)) * (right - left);
  const py = (y: number) => bottom - ((y - yLow) / (yMax - yLow)) * (bottom - top);

  if (title) c.text(left, 10, title, black, { scale: 2 });
  for (let y = yLow; y <= yMax + yStep / 1e6; y += yStep) {
    c.line(left, py(y), right, py(y), grey);
    const label = formatTick(y, yStep);
    c.text(left - 6 - label.length * 6, py(y) - 3, label, black);
  }
  const xStep = niceStep(xMax - xMin, 8);
  for (let x = Math.ceil(xMin / xStep) * xStep; x <= xMax + xStep / 1e6; x += xStep) {
    c.line(px(x), top, px(x), bottom, grey);
    const label = formatTick(x, xStep);
    c.text(px(x) - label.length * 3, bottom + 6, label, black);
  }
  c.line(left, top, left, bottom, black);
  c.line(left, bottom, right, bottom, black);
  if (xLabel) c.text((left + right) / 2 - xLabel.length * 3, bottom + 18, xLabel, black);
  if (yLabel) c.text(8, (top + bottom) / 2 + yLabel.length * 3, yLabel, black, { vertical: true });
  for (const h of hLines) {
    c.line(left, py(h.y), right, py(h.y), h.color, 1, 6);
    c.text(right - h.label.length * 6, py(h.y) - 10, h.label, h.color);
  }
  for (const s of series) {
    s.points.forEach((p, i) => {
      const prev = s.points[i - 1];
      if (prev) c.line(px(prev[0]), py(prev[1]), px(p[0]), py(p[1]), s.color, 2);
      else c.rect(px(p[0]) - 1, py(p[1]) - 1, 3, 3, s.color);
    });
  }
  series.forEach((s, i) => {
    const x = left + (i % 3) * Math.floor((right - left) / 3);
    const y = height - 12 - (legendRows - Math.floor(i / 3)) * 14 + 14;
    c.rect(x, y, 14, 7, s.color);
    c.text(x + 20, y, s.label, black);
  });
  return c;
}

/** The chart as PNG bytes. */
export function linePlotPng(series: readonly Series[], options: PlotOptions = {}): Uint8Array {
  return encodePng(renderLinePlot(series, options));
}
