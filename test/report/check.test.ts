import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Notebook } from "../../lib/notebook/format";
import { checkExecutedNotebook, checkReportFolder, checkReportPage } from "../../lib/report/check";

const goodPage = '<script src="plotly.min.js"></script><table><tr><td>1</td></tr></table><script>Plotly.newPlot("a", [], {})</script>';

function notebook(outputs: Notebook["cells"][number] extends infer C ? (C extends { outputs: infer O } ? O : never) : never): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{ cell_type: "code", source: "f()", metadata: {}, outputs, execution_count: 1 }],
  };
}

describe("checkReportPage", () => {
  it("accepts complete page", () => {
    expect(checkReportPage(goodPage, "a.html")).toEqual([]);
  });
  it("reports missing table and figure", () => {
    const problems = checkReportPage('<script src="plotly.min.js"></script>', "b.html");
    expect(problems).toContain("b.html: contains no <table>");
    expect(problems).toContain("b.html: contains no Plotly.newPlot figure");
  });
  it("reports inlined bundle", () => {
    expect(checkReportPage(goodPage + " ".repeat(2_000_001), "c.html")[0]).toMatch(/plotly bundle is probably inlined/);
  });
});

describe("checkExecutedNotebook", () => {
  it("accepts clean output", () => {
    expect(checkExecutedNotebook(notebook([{ output_type: "stream", name: "stdout", text: ["ok\n"] }]), "n")).toEqual([]);
  });
  it("flags tslab diagnostic on stderr", () => {
    const nb = notebook([{ output_type: "stream", name: "stderr", text: "1:7 - Cannot find name 'x'.\n" }]);
    expect(checkExecutedNotebook(nb, "n.ipynb")[0]).toMatch(/n.ipynb: cell 1 failed: 1:7 - Cannot find name 'x'/);
  });
  it("flags last cell without output", () => {
    expect(checkExecutedNotebook(notebook([]), "n")[0]).toMatch(/last code cell has no output/);
  });
});

describe("checkReportFolder", () => {
  it("checks pages, index and notebooks", () => {
    const dir = mkdtempSync(join(tmpdir(), "lsa-check-"));
    mkdirSync(join(dir, "notebooks"));
    writeFileSync(join(dir, "01-x.html"), goodPage);
    writeFileSync(join(dir, "index.html"), "<a>nothing</a>");
    writeFileSync(join(dir, "notebooks", "01-x.ipynb"), JSON.stringify(notebook([{ output_type: "stream", name: "stdout", text: "ok" }])));
    expect(checkReportFolder(dir)).toEqual([`${dir}: plotly.min.js is missing`, "index.html: does not link 01-x.html"]);
    writeFileSync(join(dir, "plotly.min.js"), "");
    writeFileSync(join(dir, "index.html"), '<a href="01-x.html">x</a>');
    expect(checkReportFolder(dir)).toEqual([]);
  });
  it("reports missing folder", () => {
    expect(checkReportFolder("/nonexistent/reports")[0]).toMatch(/report folder not found; run scripts\/run-all.ts first/);
  });
});
