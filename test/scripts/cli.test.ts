import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** Runs a script under tsx and returns its exit code and stderr. */
function runScript(script: string, args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync("npx", ["tsx", `scripts/${script}`, ...args], { encoding: "utf8" });
  return { status: result.status, stderr: result.stderr };
}

describe("script flag checks", () => {
  it("eval rejects non-positive rope scale", () => {
    const { status, stderr } = runScript("eval.ts", ["--checkpoint", "/nonexistent.safetensors", "--rope-scale", "0"]);
    expect(status).toBe(1);
    expect(stderr).toMatch(/--rope-scale must be a number > 0 \(1 = no interpolation\), got 0/);
  });

  it("eval rejects negative misalignment windows", () => {
    const { stderr } = runScript("eval.ts", ["--checkpoint", "/nonexistent.safetensors", "--misalignment-windows=-3"]);
    expect(stderr).toMatch(/--misalignment-windows must be an integer >= 0 \(0 skips the metric\), got -3/);
  });

  it("eval rejects divergence before loading", () => {
    // The checkpoint does not exist: the divergence error must come first.
    const { stderr } = runScript("eval.ts", ["--checkpoint", "/nonexistent.safetensors", "--divergence", "xyz"]);
    expect(stderr).toMatch(/divergence.*got "xyz"/);
  });

  it("train rejects unknown config field", () => {
    const dir = mkdtempSync(join(tmpdir(), "lsa-cli-"));
    const path = join(dir, "run.json");
    writeFileSync(path, JSON.stringify({ steps: 3 }));
    const { status, stderr } = runScript("train.ts", ["--config", path]);
    expect(status).toBe(1);
    expect(stderr).toMatch(/unknown field "steps"; a run spec has train, corpus, evalMultipliers, evalMaxWindows, tasks/);
  });

  it("train rejects array config", () => {
    const dir = mkdtempSync(join(tmpdir(), "lsa-cli-"));
    const path = join(dir, "run.json");
    writeFileSync(path, "[1, 2]");
    expect(runScript("train.ts", ["--config", path]).stderr).toMatch(/must hold a JSON object at the top level, got an array/);
  });
});
