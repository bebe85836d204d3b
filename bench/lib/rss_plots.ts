// The bench report's RSS-over-time plots: one PNG per scenario, one line per proxy (its first
// successful round), so a leak or a slow release of memory shows as a slope.
import { linePlotPng, PALETTE } from "./line_plot.ts";
import { PEERS } from "./peers.ts";
import type { ScenarioTable } from "./render_report.ts";

/** Writes `<stem>-rss-<scenario>.png` for each scenario that has traces; returns the file names. */
export async function writeRssPlots(
  tables: readonly ScenarioTable[],
  stem: string,
): Promise<Record<string, string>> {
  const written: Record<string, string> = {};
  for (const { scenario, samples } of tables) {
    if (!samples) continue;
    const series = Object.entries(samples).flatMap(([peer, list], i) => {
      const first = list.find((s) => s.ok && s.rssTrace?.length);
      if (!first?.ok || !first.rssTrace) return [];
      const label = PEERS.find((p) => p.id === peer)?.label ?? peer;
      return [{ label, color: PALETTE[i % PALETTE.length]!, points: first.rssTrace }];
    });
    if (!series.length) continue;
    const file = `${stem}-rss-${scenario.id}.png`;
    await Deno.writeFile(
      file,
      linePlotPng(series, {
        title: `RSS over time: ${scenario.title}`,
        xLabel: "seconds since the first 200 (warm-up, then the measured run)",
        yLabel: "VmRSS MiB",
        hLines: [{ y: 64, color: [150, 150, 150], label: "64 MiB (issue 15 peak target)" }],
      }),
    );
    written[scenario.id] = file.split("/").at(-1)!;
  }
  return written;
}
