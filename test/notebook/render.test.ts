import { describe, expect, it } from "vitest";
import { isPlotlyBundleOutput, notebookTitle, renderNotebook, renderOutput, type Notebook, type NotebookOutput } from "../../lib/notebook";

/** A small executed notebook: Markdown, a stream with HTML characters, an HTML output, the Plotly bundle output and a plot. */
const FIXTURE: Notebook = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    { cell_type: "markdown", metadata: {}, source: ["# Study *report*\n", "\n", "- item with `code`\n"] },
    {
      cell_type: "code",
      metadata: {},
      execution_count: 1,
      source: "loadPlotly();",
      outputs: [{ output_type: "display_data", metadata: {}, data: { "text/html": ['<script data-lsa-plotly-bundle="4.1.1">var Plotly = {};\n', "window.Plotly = Plotly;</script>"] } }],
    },
    {
      cell_type: "code",
      metadata: {},
      execution_count: 2,
      source: 'console.log("<b>not bold</b>")',
      outputs: [
        { output_type: "stream", name: "stdout", text: ["<b>not bold</b> & more\n"] },
        { output_type: "display_data", metadata: {}, data: { "text/html": "<table><tr><td>kept</td></tr></table>", "text/plain": "ignored" } },
        { output_type: "display_data", metadata: {}, data: { "text/html": '<div id="p1"></div><script>Plotly.newPlot("p1", [], {})</script>' } },
      ],
    },
  ],
};

describe("renderNotebook", () => {
  const html = renderNotebook(FIXTURE, { provenance: { preset: "smoke", backend: "wasm", commit: "abc123" } });

  it("renderNotebook: Markdown rendered", () => {
    expect(html).toContain('<h1 id="study-report">Study <em>report</em></h1>');
    expect(html).toContain("<li>item with <code>code</code></li>");
  });

  it("renderNotebook: stream text escaped", () => {
    expect(html).toContain('<pre class="stream stdout">&lt;b&gt;not bold&lt;/b&gt; &amp; more\n</pre>');
  });

  it("renderNotebook: HTML output inlined", () => {
    expect(html).toContain("<table><tr><td>kept</td></tr></table>");
    expect(html).not.toContain("ignored");
  });

  it("renderNotebook: bundle replaced by shared script", () => {
    expect(html).toContain('<div class="output"><script src="plotly.min.js"></script></div>');
    expect(html).not.toContain("window.Plotly = Plotly");
    // The bundle loads in place, so the head does not load it a second time.
    expect(html.match(/plotly\.min\.js/g)).toHaveLength(1);
  });

  it("renderNotebook: code source escaped", () => {
    expect(html).toContain("console.log(&quot;&lt;b&gt;not bold&lt;/b&gt;&quot;)");
  });

  it("renderNotebook: provenance line shown", () => {
    expect(html).toMatch(/<b>preset<\/b> <code>smoke<\/code>.*<b>backend<\/b> <code>wasm<\/code>.*<b>commit<\/b> <code>abc123<\/code>/);
  });

  it("renderNotebook: title from first heading", () => {
    expect(html).toContain("<title>Study report</title>");
    expect(notebookTitle(FIXTURE)).toBe("Study report");
  });

  it("renderNotebook: plot without bundle loads script in head", () => {
    const withoutBundle: Notebook = { ...FIXTURE, cells: [FIXTURE.cells[0], FIXTURE.cells[2]] };
    const page = renderNotebook(withoutBundle, { plotlySrc: "../plotly.min.js" });
    expect(page).toMatch(/<head>[\s\S]*<script src="\.\.\/plotly\.min\.js"><\/script>[\s\S]*<\/head>/);
  });
});

describe("renderOutput", () => {
  it("renderOutput: error output escaped without colour codes", () => {
    const output: NotebookOutput = { output_type: "error", ename: "TypeError", evalue: "x <y>", traceback: ["\x1b[31mat cell\x1b[0m"] };
    expect(renderOutput(output)).toBe('<pre class="error">TypeError: x &lt;y&gt;\nat cell</pre>');
  });

  it("renderOutput: PNG becomes a data URL", () => {
    const output: NotebookOutput = { output_type: "display_data", metadata: {}, data: { "image/png": "iVBORw0KGgo=\n" } };
    expect(renderOutput(output)).toBe('<img src="data:image/png;base64,iVBORw0KGgo=" alt="">');
  });

  it("renderOutput: plain text escaped", () => {
    const output: NotebookOutput = { output_type: "execute_result", execution_count: 3, metadata: {}, data: { "text/plain": ["a < b\n"] } };
    expect(renderOutput(output)).toBe("<pre>a &lt; b\n</pre>");
  });

  it("isPlotlyBundleOutput: ordinary script is not the bundle", () => {
    const output: NotebookOutput = { output_type: "display_data", metadata: {}, data: { "text/html": "<script>Plotly.newPlot()</script>" } };
    expect(isPlotlyBundleOutput(output)).toBe(false);
  });
});

describe("isPlotlyBundleOutput with the plain bundle", () => {
  it("isPlotlyBundleOutput: plotly.js-dist file in a script", () => {
    // plotly.js-dist's plotly.js opens with this licence header.
    const output: NotebookOutput = { output_type: "display_data", metadata: {}, data: { "text/html": "<script>/**\n* plotly.js v4.1.1\n* Copyright 2012-2026, Plotly, Inc.\n*/ var x;</script>" } };
    expect(isPlotlyBundleOutput(output)).toBe(true);
  });
});
