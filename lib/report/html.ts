/**
 * Report pages: the HTML shell around a rendered notebook (style, provenance line, the shared
 * Plotly script) and the index page that links the reports of one run.
 */

/** Escapes the five HTML-significant characters. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Origin of a report's numbers, shown at the top of every page; unknown fields are left out. */
export interface ReportProvenance {
  /** Study preset (smoke, default, paper). */
  preset?: string;
  /** tfjs backend and the package that provided it, e.g. `wasm (@tensorflow/tfjs-backend-wasm)`. */
  backend?: string;
  /** Git commit of the code that produced the results, `-dirty` when the tree had changes. */
  commit?: string;
  /** ISO time the report was rendered. */
  date?: string;
  /** Further labelled facts, e.g. `{ "results": "results/smoke" }`. */
  extra?: Record<string, string>;
}

/** Renders one line naming the preset, backend, commit and date, as an HTML fragment. */
export function provenanceHtml(provenance: ReportProvenance): string {
  const facts: [string, string | undefined][] = [
    ["preset", provenance.preset],
    ["backend", provenance.backend],
    ["commit", provenance.commit],
    ["rendered", provenance.date],
    ...Object.entries(provenance.extra ?? {}),
  ];
  const shown = facts.filter((fact): fact is [string, string] => fact[1] !== undefined && fact[1] !== "");
  if (shown.length === 0) return "";
  const items = shown.map(([label, value]) => `<span><b>${escapeHtml(label)}</b> <code>${escapeHtml(value)}</code></span>`);
  return `<p class="provenance">${items.join(" · ")}</p>`;
}

/** The stylesheet of every report page; kept inline so a page needs no other file except the Plotly script. */
export const REPORT_CSS = `
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d1d1f; max-width: 1100px; margin: 2em auto; padding: 0 1.5em; }
h1, h2, h3 { line-height: 1.25; }
a { color: #0b57d0; }
code, pre { font: 13px/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
pre { background: #f6f8fa; padding: 0.7em 1em; overflow-x: auto; border-radius: 4px; }
.provenance { background: #eef3fb; border: 1px solid #c9d7ef; padding: 0.5em 0.8em; border-radius: 4px; font-size: 13px; }
.provenance span { white-space: nowrap; }
.cell { margin: 1em 0; }
.cell.code pre.source { border-left: 3px solid #9db7e0; }
.output { margin: 0.4em 0 0.4em 0.5em; overflow-x: auto; }
pre.stream { background: #fff; border: 1px solid #e4e4e4; }
pre.stderr { background: #fff6f5; border-color: #f3c5c0; }
pre.error { background: #fdecea; color: #8a1c11; border: 1px solid #f1aaa2; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 0.3em 0.6em; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 0.3em; }
.lsa-plot { width: 100%; min-height: 420px; }
blockquote { border-left: 4px solid #d0d7de; margin: 0; padding-left: 1em; color: #444; }
`;

export interface ReportPageOptions {
  title: string;
  /** The page body as an HTML fragment. */
  body: string;
  provenance?: ReportProvenance;
  /** Relative URL of the shared Plotly bundle, loaded in the head; omit for a page without plots. */
  plotlySrc?: string;
}

/** Renders a complete, self-contained HTML page (apart from the shared Plotly script). */
export function reportPage(options: ReportPageOptions): string {
  const plotly = options.plotlySrc ? `\n<script src="${escapeHtml(options.plotlySrc)}"></script>` : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${REPORT_CSS}</style>${plotly}
</head>
<body>
${options.provenance ? provenanceHtml(options.provenance) : ""}
${options.body}
</body>
</html>
`;
}

/** One linked report on the index page. */
export interface IndexEntry {
  href: string;
  title: string;
  /** Source notebook path, shown next to the link. */
  source?: string;
  /** Seconds the notebook took to execute. */
  seconds?: number;
}

/** Renders the index page linking every report of a run. */
export function indexPage(options: { title: string; entries: IndexEntry[]; provenance?: ReportProvenance; intro?: string }): string {
  const rows = options.entries.map((entry) => {
    const seconds = entry.seconds === undefined ? "" : `${entry.seconds.toFixed(1)} s`;
    return `<tr><td><a href="${escapeHtml(entry.href)}">${escapeHtml(entry.title)}</a></td><td><code>${escapeHtml(entry.source ?? "")}</code></td><td class="num">${seconds}</td></tr>`;
  });
  const body = `<h1>${escapeHtml(options.title)}</h1>
${options.intro ? `<p>${escapeHtml(options.intro)}</p>` : ""}
<table>
<thead><tr><th>report</th><th>notebook</th><th>execution time</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
  return reportPage({ title: options.title, body, provenance: options.provenance });
}
