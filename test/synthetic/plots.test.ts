import * as dfd from "danfojs-node";
import { describe, expect, it } from "vitest";
import type { PositionEncoding } from "../../lib/model/config";
import type { LengthScore } from "../../lib/synthetic/evaluate";
import type { RunResult } from "../../lib/synthetic/experiment";
import {
  dataFrameHtml,
  escapeHtml,
  mseByLengthFigure,
  plotlyBundleHtml,
  plotlyHtml,
  predictionByLengthFigure,
  seriesFromSummary,
} from "../../lib/synthetic/plots";
import { summarize } from "../../lib/synthetic/summary";
import type { SyntheticTask, TargetTransformName } from "../../lib/synthetic/tasks";

/** Builds a stored result with only the fields that the summary reads. */
function fakeResult(task: SyntheticTask, transform: TargetTransformName, position: PositionEncoding, seed: number, scores: [number, number | null, number | null][]): RunResult {
  const lengthScores: LengthScore[] = scores.map(([length, mse, prediction]) => ({
    length,
    applicable: mse !== null,
    mse,
    transformedMse: mse,
    meanPrediction: prediction,
  }));
  return { config: { task, transform, position, seed }, seed, scores: lengthScores } as unknown as RunResult;
}

// Mean task, nope, 2 seeds: MSE at length 50 is 1e-4 and 3e-4 → mean 2e-4, std 1e-4.
// Learned cannot run at 50. Length task: nope predicts 10 at length 50 → MSE 1600.
const results = [
  fakeResult("mean", "identity", "nope", 0, [[10, 1e-4, 0.5], [50, 1e-4, 0.5]]),
  fakeResult("mean", "identity", "nope", 1, [[10, 3e-4, 0.5], [50, 3e-4, 0.5]]),
  fakeResult("mean", "identity", "learned", 0, [[10, 2e-3, 0.5], [50, null, null]]),
  fakeResult("length", "identity", "nope", 0, [[10, 0.5, 9.5], [50, 1600, 10]]),
  fakeResult("length", "log", "nope", 0, [[10, 0.4, 9.6], [50, 800, 21.7]]),
];

describe("mseByLengthFigure", () => {
  const summary = summarize(results);
  const series = seriesFromSummary(summary, (row) => row.task === "mean", (row) => row.position);
  const figure = mseByLengthFigure(series, { title: "mean", trainRange: { min: 1, max: 10 }, showConstantMeanFloor: true });

  it("skips lengths without a score", () => {
    expect(series.map((s) => [s.name, s.points.map((p) => p.length)])).toEqual([["nope", [10, 50]], ["learned", [10]]]);
  });

  it("uses a log y axis", () => {
    expect((figure.layout.yaxis as { type: string }).type).toBe("log");
  });

  it("shades the training range", () => {
    const [shape] = figure.layout.shapes as { type: string; x0: number; x1: number }[];
    expect(shape).toMatchObject({ type: "rect", x0: 1, x1: 10 });
  });

  it("draws band, mean line and floor", () => {
    // Per series: upper edge, lower edge filled to it, mean line; then one dashed floor line.
    expect(figure.data).toHaveLength(2 * 3 + 1);
    expect(figure.data[1].fill).toBe("tonexty");
    const floor = figure.data[6] as { y: number[]; line: { dash: string } };
    expect(floor.y).toEqual([0.025, 0.005]);
    expect(floor.line.dash).toBe("dash");
  });
});

describe("predictionByLengthFigure", () => {
  const figure = predictionByLengthFigure(summarize(results), (row) => row.task === "length", (row) => row.variant, {
    title: "length",
    trainRange: { min: 1, max: 10 },
  });

  it("plots mean predictions per series", () => {
    expect(figure.data.slice(0, 2).map((trace) => [trace.name, trace.y])).toEqual([
      ["length x", [9.5, 10]],
      ["length log x", [9.6, 21.7]],
    ]);
  });

  it("adds the y = length line", () => {
    expect(figure.data[2]).toMatchObject({ x: [10, 50], y: [10, 50], line: { dash: "dash" } });
  });
});

describe("html helpers", () => {
  it("plotlyHtml cannot close its script early", () => {
    const html = plotlyHtml({ data: [{ name: "</script><b>x" }], layout: {} }, "fig 1");
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(html).toContain('id="fig_1"');
  });

  it("plotly bundle has one closing script tag", () => {
    const html = plotlyBundleHtml();
    expect(html.length).toBeGreaterThan(1_000_000);
    expect(html.match(/<\/script/gi)).toHaveLength(1);
    expect(html.endsWith("</script>")).toBe(true);
  });

  it("escapeHtml escapes markup", () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  });

  it("dataFrameHtml escapes danfo cells", () => {
    const frame = new dfd.DataFrame([{ variant: "<b>", mse: 0.00123 }, { variant: "n", mse: null }]);
    const html = dataFrameHtml(frame);
    expect(html).toContain("<th>variant</th><th>mse</th>");
    expect(html).toContain("<td>&lt;b&gt;</td><td>1.23e-3</td>");
    expect(html).toContain("<td>n</td><td>n/a</td>");
  });
});
