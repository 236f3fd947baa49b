import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SCRIPT = resolve(__dirname, "../../scripts/run-all.ts");
const TSLAB = JSON.stringify(require.resolve("tslab"));

function notebook(sources: [kind: "code" | "markdown", source: string][]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: sources.map(([kind, source]) =>
      kind === "code" ? { cell_type: "code", source, metadata: {}, outputs: [], execution_count: null } : { cell_type: "markdown", source, metadata: {} },
    ),
  });
}

function withoutPreset(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.LSA_PRESET;
  return copy;
}

/** Runs scripts/run-all.ts under tsx in `cwd`; --skip-build keeps the test off the shared dist/ folder. */
function runAll(cwd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", pathToFileURL(require.resolve("tsx")).href, SCRIPT, "--skip-build", ...args], {
    cwd,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...withoutPreset(process.env), LSA_LOG_LEVEL: "warn" },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("run-all on a temporary notebook folder", () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "lsa-run-all-test-"));
    mkdirSync(join(dir, "good"));
    mkdirSync(join(dir, "bad"));
    // The stub replaces the Plotly bundle, because the renderer looks only at its marker attribute.
    const show = (html: string) => `require(${TSLAB}).display.html(${JSON.stringify(html)});`;
    writeFileSync(
      join(dir, "good", "01-first.ipynb"),
      notebook([
        ["markdown", "# First <report>"],
        ["code", show('<script data-lsa-plotly-bundle="stub">window.stub = 1;</script>')],
        ["code", 'console.log(`preset=${process.env.LSA_PRESET} results=${process.env.LSA_RESULTS}`)'],
      ]),
    );
    writeFileSync(join(dir, "good", "02-second.ipynb"), notebook([["markdown", "# Second"], ["code", "console.log(6 * 7)"]]));
    writeFileSync(join(dir, "bad", "01-broken.ipynb"), notebook([["markdown", "# Broken"], ["code", "const ok = 1;"], ["code", "const n: number = 'text';"], ["code", "console.log('never')"]]));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("run-all: writes reports, index and one bundle", () => {
    const result = runAll(dir, ["--preset", "smoke", "--notebook-dir", "good", "--out", "reports", "--results", "results"]);
    expect(result.status, result.stderr).toBe(0);

    const index = readFileSync(join(dir, "reports", "index.html"), "utf8");
    expect(index).toContain('<a href="01-first.html">First &lt;report&gt;</a>');
    expect(index).toContain('<a href="02-second.html">Second</a>');
    const first = readFileSync(join(dir, "reports", "01-first.html"), "utf8");
    expect(first).toContain(`preset=smoke results=${join(dir, "results")}`);
    expect(first).toMatch(/<b>preset<\/b> <code>smoke<\/code>/);
    expect(first).toContain('<script src="plotly.min.js"></script>');
    // The bundle output is replaced; the stub text remains only in the escaped cell source.
    expect(first).not.toContain('<div class="output"><script data-lsa-plotly-bundle');
    expect(readFileSync(join(dir, "reports", "02-second.html"), "utf8")).toContain("42");
    expect(existsSync(join(dir, "reports", "notebooks", "01-first.ipynb"))).toBe(true);
    expect(readFileSync(join(dir, "reports", "plotly.min.js"), "utf8")).toContain("window.Plotly=");
  });

  it("run-all: partial rerun keeps index links", () => {
    // After the full run above, rerunning only 02 must keep 01's link; a deleted page drops out.
    const result = runAll(dir, ["--preset", "smoke", "--notebook-dir", "good", "--notebooks", "02", "--out", "reports", "--results", "results"]);
    expect(result.status, result.stderr).toBe(0);
    const index = readFileSync(join(dir, "reports", "index.html"), "utf8");
    expect(index).toContain('<a href="01-first.html">');
    expect(index).toContain('<a href="02-second.html">');
    expect(index.indexOf("01-first.html")).toBeLessThan(index.indexOf("02-second.html"));

    rmSync(join(dir, "reports", "01-first.html"));
    writeFileSync(join(dir, "reports", "reports.json"), "{ not json");
    const again = runAll(dir, ["--preset", "smoke", "--notebook-dir", "good", "--notebooks", "02", "--out", "reports", "--results", "results"]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/reports\.json could not be read/);
    const rebuilt = readFileSync(join(dir, "reports", "index.html"), "utf8");
    expect(rebuilt).not.toContain("01-first.html");
    expect(rebuilt).toContain('<a href="02-second.html">');
  });

  it("run-all: failing cell stops with exit 1", () => {
    const result = runAll(dir, ["--preset", "smoke", "--notebook-dir", "bad", "--out", "bad-reports", "--results", "results"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/01-broken\.ipynb: cell 3 of 4 failed \(first line: "const n: number = 'text';"\)/);
    expect(result.stderr).toMatch(/Type 'string' is not assignable to type 'number'/);
    expect(existsSync(join(dir, "bad-reports", "01-broken.html"))).toBe(false);
    expect(existsSync(join(dir, "bad-reports", "index.html"))).toBe(false);
  });

  it("run-all: unknown notebook prefix rejected", () => {
    const result = runAll(dir, ["--notebook-dir", "good", "--notebooks", "07", "--out", "reports"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/"07" matches no notebook in good; notebooks are 01-first\.ipynb, 02-second\.ipynb/);
  });
});
