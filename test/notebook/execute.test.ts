import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotebookCellError, executeNotebook, readNotebook, type CodeCell, type Notebook } from "../../lib/notebook";

function notebook(cells: [kind: "code" | "markdown", source: string][]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map(([kind, source]) =>
      kind === "code" ? { cell_type: "code", source, metadata: {}, outputs: [], execution_count: null } : { cell_type: "markdown", source, metadata: {} },
    ),
  };
}

describe("executeNotebook", () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "lsa-execute-test-"));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("executeNotebook: saves outputs of every cell", async () => {
    const path = join(dir, "ok.ipynb");
    writeFileSync(path, JSON.stringify(notebook([["markdown", "# Title"], ["code", "const a = 40;"], ["code", "console.log(a + 2)"], ["code", "process.env.LSA_TEST_VALUE"]])));
    const outPath = join(dir, "out", "ok.ipynb");

    const result = await executeNotebook(path, { outPath, env: { LSA_TEST_VALUE: "from-env" } });

    const saved = readNotebook(outPath);
    const cells = saved.cells as CodeCell[];
    expect(cells[2].outputs).toEqual([{ output_type: "stream", name: "stdout", text: ["42\n"] }]);
    expect(cells[3].outputs).toEqual([{ output_type: "stream", name: "stdout", text: ["from-env\n"] }]);
    expect(saved.metadata.kernelspec).toEqual({ name: "tslab", display_name: "TypeScript", language: "typescript" });
    expect(result.cellSeconds).toHaveLength(3);
  });

  it("executeNotebook: stops at the failing cell", async () => {
    const path = join(dir, "bad.ipynb");
    writeFileSync(
      path,
      JSON.stringify(notebook([["markdown", "# Bad"], ["code", "const a = 1;"], ["code", "console.log(a + 1)"], ["code", "\n// check the type\nconst b: number = 'x';"], ["code", "console.log('never')"]])),
    );
    const outPath = join(dir, "out", "bad.ipynb");

    const error = await executeNotebook(path, { outPath }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(NotebookCellError);
    const cellError = error as NotebookCellError;
    expect(cellError.cellNumber).toBe(4);
    expect(cellError.firstLine).toBe("// check the type");
    expect(cellError.message).toMatch(/bad\.ipynb: cell 4 of 5 failed \(first line: "\/\/ check the type"\)/);
    expect(cellError.errorText).toMatch(/Type 'string' is not assignable to type 'number'/);
    const saved = readNotebook(outPath).cells as CodeCell[];
    expect(saved[2].outputs).toHaveLength(1);
    expect(saved[4].outputs).toEqual([]);
  });

  it("executeNotebook: rejects a file that is not a notebook", async () => {
    const path = join(dir, "broken.ipynb");
    writeFileSync(path, JSON.stringify({ cells: [] }));
    await expect(executeNotebook(path)).rejects.toThrow(/must be an nbformat 4 notebook with a cells array, got nbformat undefined/);
  });
});
