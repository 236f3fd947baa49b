import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderNotebook, type Notebook } from "../../lib/notebook";
import { perplexityByLengthFigure, plotHtml, plotlyBundleHtml, plotlyBundleText } from "../../lib/report";
import { decodePng } from "./png";

const CHROMIUM = "/usr/bin/chromium";
const installed = existsSync(CHROMIUM);
const title = installed ? "report in headless Chromium" : `report in headless Chromium (skipped: ${CHROMIUM} is not installed; apt-get install chromium)`;

/** Runs headless Chromium on `page` with the flags that keep it offline and quiet; returns stdout. */
function chromium(profileRoot: string, args: string[], page: string): string {
  const profile = mkdtempSync(join(profileRoot, "profile-"));
  return execFileSync(
    CHROMIUM,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
      "--window-size=1200,900",
      ...args,
      `file://${page}`,
    ],
    { timeout: 60_000, stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 * 2 ** 20 },
  ).toString("utf8");
}

describe.skipIf(!installed)(title, () => {
  let dir: string;
  let page: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "lsa-chromium-test-"));
    const figure = perplexityByLengthFigure(
      [
        { variant: "baseline", points: [{ length: 64, mean: 12, std: 1 }, { length: 128, mean: 20, std: 2 }, { length: 256, mean: 35, std: 3 }] },
        { variant: "α = 0.1", points: [{ length: 64, mean: 12.5, std: 1 }, { length: 128, mean: 17, std: 2 }, { length: 256, mean: 25, std: 3 }] },
      ],
      { lTrain: 64 },
    );
    const notebook: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: "markdown", metadata: {}, source: "# Plot check" },
        { cell_type: "code", metadata: {}, source: "loadPlotly()", execution_count: 1, outputs: [{ output_type: "display_data", metadata: {}, data: { "text/html": plotlyBundleHtml() } }] },
        { cell_type: "code", metadata: {}, source: "showPlot(figure)", execution_count: 2, outputs: [{ output_type: "display_data", metadata: {}, data: { "text/html": plotHtml(figure, { id: "plot-under-test" }) } }] },
      ],
    };
    page = join(dir, "report.html");
    writeFileSync(page, renderNotebook(notebook));
    writeFileSync(join(dir, "plotly.min.js"), plotlyBundleText());
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("report: plot renders an SVG offline", () => {
    const dom = chromium(dir, ["--virtual-time-budget=10000", "--dump-dom"], page);
    expect(dom).toContain('id="plot-under-test"');
    // Plotly draws into <svg class="main-svg"> elements inside the div.
    expect(dom).toMatch(/<div id="plot-under-test"[^>]*>[\s\S]*class="main-svg"/);
    // The fallback text would be written into the div itself (the script source also contains it).
    expect(dom).not.toMatch(/<div id="plot-under-test"[^>]*>Plotly is not loaded/);
  });

  it("report: screenshot shows the plot lines", () => {
    const shot = join(dir, "shot.png");
    chromium(dir, ["--virtual-time-budget=10000", `--screenshot=${shot}`], page);
    const png = decodePng(readFileSync(shot));
    expect(png.width).toBe(1200);
    let blue = 0;
    let orange = 0;
    for (let i = 0; i < png.pixels.length; i += png.channels) {
      const [r, g, b] = [png.pixels[i], png.pixels[i + 1], png.pixels[i + 2]];
      // Plotly's first two default trace colours: #1f77b4 (blue) and #ff7f0e (orange).
      if (Math.abs(r - 0x1f) < 30 && Math.abs(g - 0x77) < 30 && Math.abs(b - 0xb4) < 30) blue++;
      if (Math.abs(r - 0xff) < 30 && Math.abs(g - 0x7f) < 30 && Math.abs(b - 0x0e) < 30) orange++;
    }
    expect(blue).toBeGreaterThan(200);
    expect(orange).toBeGreaterThan(200);
  });
});
