import { describe, expect, it } from "vitest";
import { escapeHtml, inKernel, indexPage, provenanceHtml, reportPage, showHtml, showTable } from "../../lib/report";

describe("html", () => {
  it("escapeHtml: all five characters", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });

  it("provenanceHtml: skips unknown fields", () => {
    expect(provenanceHtml({ preset: "smoke", commit: "abc" })).toBe('<p class="provenance"><span><b>preset</b> <code>smoke</code></span> · <span><b>commit</b> <code>abc</code></span></p>');
  });

  it("provenanceHtml: nothing known, nothing shown", () => {
    expect(provenanceHtml({})).toBe("");
  });

  it("reportPage: escaped title and shared script", () => {
    const page = reportPage({ title: "A <b>", body: "<p>x</p>", plotlySrc: "plotly.min.js" });
    expect(page).toContain("<title>A &lt;b&gt;</title>");
    expect(page).toContain('<script src="plotly.min.js"></script>');
    expect(page.startsWith("<!DOCTYPE html>")).toBe(true);
  });

  it("indexPage: links each report", () => {
    const page = indexPage({ title: "Reports", entries: [{ href: "02-x.html", title: "Metric", source: "notebooks/02-x.ipynb", seconds: 12.34 }] });
    expect(page).toContain('<td><a href="02-x.html">Metric</a></td><td><code>notebooks/02-x.ipynb</code></td><td class="num">12.3 s</td>');
  });
});

describe("display outside a kernel", () => {
  it("inKernel: false in a test process", () => {
    expect(inKernel()).toBe(false);
  });

  it("showHtml: does nothing without throwing", () => {
    expect(() => showHtml("<p>x</p>")).not.toThrow();
  });

  it("showTable: does nothing without throwing", () => {
    expect(() => showTable([{ a: 1 }])).not.toThrow();
  });
});
