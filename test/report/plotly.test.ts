import { describe, expect, it } from "vitest";
import {
  PLOTLY_BUNDLE_ATTRIBUTE,
  bucketScoreFigure,
  correlationFigure,
  leastSquaresFit,
  perplexityByLengthFigure,
  plotHtml,
  plotlyBundleHtml,
  scriptJson,
} from "../../lib/report";

describe("perplexityByLengthFigure", () => {
  const figure = perplexityByLengthFigure(
    [
      { variant: "baseline", points: [{ length: 128, mean: 20, std: 2 }, { length: 64, mean: 10, std: 1 }] },
      { variant: "α = 0.1", points: [{ length: 64, mean: 9, std: NaN }] },
    ],
    { lTrain: 64 },
  );

  it("perplexityByLengthFigure: one sorted line per variant", () => {
    expect(figure.data).toHaveLength(2);
    expect(figure.data[0].x).toEqual([64, 128]);
    expect(figure.data[0].y).toEqual([10, 20]);
  });

  it("perplexityByLengthFigure: std becomes error bars", () => {
    expect(figure.data[0].error_y).toEqual({ type: "data", array: [1, 2], visible: true });
  });

  it("perplexityByLengthFigure: NaN std becomes null", () => {
    expect((figure.data[1].error_y as { array: unknown[] }).array).toEqual([null]);
  });

  it("perplexityByLengthFigure: marks lTrain and ticks lengths", () => {
    const layout = figure.layout as { shapes: { x0: number }[]; xaxis: { tickvals: number[]; type: string } };
    expect(layout.shapes[0].x0).toBe(64);
    expect(layout.xaxis.tickvals).toEqual([64, 128]);
    expect(layout.xaxis.type).toBe("log");
  });

  it("perplexityByLengthFigure: empty input rejected", () => {
    expect(() => perplexityByLengthFigure([])).toThrow(/curves must be a non-empty list of variants, got \[\]/);
  });
});

describe("bucketScoreFigure", () => {
  it("bucketScoreFigure: one bar trace per variant", () => {
    const figure = bucketScoreFigure([
      { bucket: "1×", variant: "a", mean: 50, std: 5 },
      { bucket: "2×", variant: "a", mean: 40, std: 4 },
      { bucket: "2×", variant: "b", mean: 45 },
    ]);
    expect(figure.data.map((trace) => trace.name)).toEqual(["a", "b"]);
    expect(figure.data[1].x).toEqual(["1×", "2×"]);
    // Variant b has no 1× bucket: its bar is missing (null), not zero.
    expect(figure.data[1].y).toEqual([null, 45]);
    expect(figure.layout.barmode).toBe("group");
  });
});

describe("correlationFigure", () => {
  it("leastSquaresFit: hand-worked line", () => {
    // Points (0, 1), (1, 3), (2, 5) lie on y = 1 + 2x.
    expect(leastSquaresFit([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }])).toEqual({ slope: 2, intercept: 1 });
  });

  it("leastSquaresFit: constant x has no line", () => {
    expect(leastSquaresFit([{ x: 1, y: 1 }, { x: 1, y: 2 }])).toBeUndefined();
  });

  it("correlationFigure: fit line spans x and title has r", () => {
    const figure = correlationFigure(
      [{ x: 0, y: 1, group: "a" }, { x: 1, y: 3, group: "a" }, { x: 2, y: 5, group: "b" }, { x: NaN, y: 0 }],
      { xTitle: "misalignment", yTitle: "score" },
    );
    const fit = figure.data.find((trace) => trace.name === "least-squares fit")!;
    expect(fit.x).toEqual([0, 2]);
    expect(fit.y).toEqual([1, 5]);
    expect(figure.data.filter((trace) => trace.mode === "markers")).toHaveLength(2);
    expect((figure.layout.title as { text: string }).text).toContain("Pearson r = 1.000, Spearman ρ = 1.000, n = 3");
  });
});

describe("plotHtml", () => {
  it("scriptJson: closing tags cannot end the script", () => {
    expect(scriptJson({ name: "</script><b>" })).toBe('{"name":"<\\/script><b>"}');
  });

  it("plotHtml: div and newPlot call share the id", () => {
    const html = plotHtml({ data: [], layout: {} }, { id: "fig-1", height: 300 });
    expect(html).toContain('<div id="fig-1" class="lsa-plot" style="width: 100%; height: 300px;"></div>');
    expect(html).toContain('document.getElementById("fig-1")');
    expect(html).toContain('window.Plotly.newPlot(element, [], {"height":300}');
  });

  it("plotHtml: generated ids differ per call", () => {
    const first = /id="([^"]+)"/.exec(plotHtml({ data: [], layout: {} }))![1];
    const second = /id="([^"]+)"/.exec(plotHtml({ data: [], layout: {} }))![1];
    expect(first).not.toBe(second);
  });

  it("plotlyBundleHtml: marked script with Plotly inside", () => {
    const html = plotlyBundleHtml();
    expect(html.startsWith(`<script ${PLOTLY_BUNDLE_ATTRIBUTE}="`)).toBe(true);
    expect(html).toContain("window.Plotly=");
    // Only the closing tag of the element itself may appear.
    expect(html.match(/<\/script/gi)).toHaveLength(1);
  });
});
