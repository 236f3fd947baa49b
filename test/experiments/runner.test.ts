import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { buildGrid, type StudyGrid } from "../../lib/experiments/grid";
import { resolveScale } from "../../lib/experiments/presets";
import { readAttempts } from "../../lib/experiments/pipeline";
import { readEvents, runGrid } from "../../lib/experiments/runner";
import { readCheckpointInfo } from "../../lib/train/checkpoint";
import { CHECKPOINT_FILE } from "../../lib/train/trainer";
import { Logger } from "../../lib/util/logger";
import { tinyScale } from "./fixtures";

const quiet = new Logger("test", "silent");
const root = join(__dirname, "..", "..");
const tsxLoader = pathToFileURL(require.resolve("tsx")).href;

/** Starts scripts/study.ts on the tiny scale's l_extra experiment (1 base + 3 fine-tunes). */
function startStudy(outDir: string, configPath: string) {
  const child = spawn(
    process.execPath,
    ["--import", tsxLoader, join(root, "scripts", "study.ts"), "--preset", "smoke", "--config", configPath, "--out", outDir, "--jobs", "2", "--experiments", "lextra", "--display", "log"],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LSA_LOG_LEVEL: "warn" } },
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function resultPath(outDir: string, hash: string): string {
  return join(outDir, "runs", hash, "result.json");
}

describe("runGrid", () => {
  // The scale as scripts/study.ts reads it: the tiny scale merged into the smoke preset.
  const scale = resolveScale("smoke", tinyScale() as unknown as Record<string, unknown>);
  const grid: StudyGrid = buildGrid(scale, { experiments: ["lextra"] });
  const outDir = mkdtempSync(join(tmpdir(), "lsa-runner-"));

  it("survives SIGKILL and finishes without repeats", async () => {
    const configPath = join(outDir, "..", `${outDir.split("/").at(-1)}-scale.json`);
    writeFileSync(configPath, JSON.stringify(tinyScale()));

    // First runner: kill it with SIGKILL as soon as one fine-tune has written its result.
    const first = startStudy(outDir, configPath);
    await waitFor(() => grid.runs.some((run) => existsSync(resultPath(outDir, run.hash))), 40_000, "the first fine-tune result");
    first.child.kill("SIGKILL");
    await first.exited;

    const finishedBefore = new Map(
      [grid.bases[0], ...grid.runs]
        .filter((run) => existsSync(join(outDir, run.kind === "base" ? "bases" : "runs", run.hash, run.kind === "base" ? "base.json" : "result.json")))
        .map((run) => [run.hash, readFileSync(join(outDir, run.kind === "base" ? "bases" : "runs", run.hash, run.kind === "base" ? "base.json" : "result.json"), "utf8")]),
    );
    expect(finishedBefore.has(grid.bases[0].hash)).toBe(true);
    expect(finishedBefore.size).toBeLessThan(1 + grid.runs.length);

    // Orphaned workers notice the dead runner at their next step and exit.
    const workerPids = readEvents(outDir).filter((e) => e.event === "start").map((e) => e.pid!);
    await waitFor(() => workerPids.every((pid) => !alive(pid)), 15_000, "orphaned workers to exit");

    // Second runner: takes over the stale lock and finishes the grid.
    const second = startStudy(outDir, configPath);
    const code = await second.exited;
    expect(code, second.output()).toBe(0);
    expect(second.output()).toMatch(/taking over the stale lock/);

    for (const run of grid.runs) expect(existsSync(resultPath(outDir, run.hash))).toBe(true);
    for (const [hash, text] of finishedBefore) {
      // Finished before the kill: not started again, file untouched.
      const run = [grid.bases[0], ...grid.runs].find((r) => r.hash === hash)!;
      const folder = join(outDir, run.kind === "base" ? "bases" : "runs", hash);
      expect(readAttempts(folder), hash).toHaveLength(1);
      expect(readFileSync(join(folder, run.kind === "base" ? "base.json" : "result.json"), "utf8")).toBe(text);
    }
    // No run was reported finished twice. A run can finish without a finish event, when the runner
    // died between the worker's result file and its exit.
    const finishes = readEvents(outDir).filter((e) => e.event === "finish").map((e) => e.hash);
    expect(new Set(finishes).size).toBe(finishes.length);
    // Trainings started: one per run, plus at most one more for each of the 2 runs in flight at the kill.
    const attempts = [grid.bases[0], ...grid.runs].map((run) => readAttempts(join(outDir, run.kind === "base" ? "bases" : "runs", run.hash)).length);
    expect(attempts.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(attempts.length + 2);
    expect(existsSync(join(outDir, "results.csv"))).toBe(true);
    expect(existsSync(join(outDir, "runner.lock"))).toBe(false);
  }, 90_000);

  it("SIGINT checkpoints runs mid-training", async () => {
    // Long fine-tunes with rare periodic checkpoints: only the trainer's own save on SIGTERM (sent by
    // the runner after its SIGINT) can leave a checkpoint at the last finished step.
    const longScale = tinyScale({ fineTune: { steps: 5000, batchSize: 2, optimizer: { lr: 1e-3, minLr: 1e-4, warmupSteps: 1 } }, checkpointEvery: 4000 });
    const longGrid = buildGrid(resolveScale("smoke", longScale as unknown as Record<string, unknown>), { experiments: ["lextra"] });
    const folder = mkdtempSync(join(tmpdir(), "lsa-runner-sigint-"));
    const configPath = `${folder}-scale.json`;
    writeFileSync(configPath, JSON.stringify(longScale));
    const trainSteps = (hash: string) => {
      const path = join(folder, "runs", hash, "metrics.jsonl");
      if (!existsSync(path)) return [];
      return readFileSync(path, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line)).filter((r) => r.type === "train").map((r) => r.step as number);
    };

    const study = startStudy(folder, configPath);
    await waitFor(() => longGrid.runs.some((run) => trainSteps(run.hash).length >= 3), 60_000, "a fine-tune to train 3 steps");
    study.child.kill("SIGINT");
    expect(await study.exited, study.output()).toBe(130);

    const events = readEvents(folder);
    expect(events.filter((e) => e.event === "fail"), study.output()).toEqual([]);
    const stopped = events.filter((e) => e.event === "interrupt").map((e) => e.hash!);
    expect(stopped.length).toBeGreaterThan(0);
    for (const hash of stopped) {
      const steps = trainSteps(hash);
      expect(steps.length, hash).toBeGreaterThan(0);
      expect(readCheckpointInfo(join(folder, "runs", hash, CHECKPOINT_FILE)).step, hash).toBe(steps.at(-1));
    }
    expect(existsSync(join(folder, "runner.lock"))).toBe(false);
    rmSync(folder, { recursive: true, force: true });
    rmSync(configPath, { force: true });
  }, 90_000);

  it("recomputes a corrupt result from its checkpoint", async () => {
    const run = grid.runs[1];
    const folder = join(outDir, "runs", run.hash);
    const attemptsBefore = readAttempts(folder).length;
    writeFileSync(resultPath(outDir, run.hash), '{"format": "lsa-study-result-1"');

    const summary = await runGrid(grid, { outDir, jobs: 2, logger: quiet, display: "quiet" });
    expect(summary.finished).toBe(1);
    expect(summary.cached).toBe(grid.runs.length);
    expect(readdirSync(folder).some((name) => name.startsWith("result.json.corrupt-"))).toBe(true);
    const attempts = readAttempts(folder);
    expect(attempts).toHaveLength(attemptsBefore + 1);
    // Resumed at the last step: the training was not repeated, only the evaluation.
    expect(attempts.at(-1)!.fromStep).toBe(scale.fineTune.steps);
  }, 30_000);

  it("reports a failing run and continues", async () => {
    // Retrain one fine-tune after corrupting its base's checkpoint: that run fails with a message
    // naming the base folder and the fix, while the grid completes.
    const run = grid.runs[2];
    rmSync(join(outDir, "runs", run.hash), { recursive: true });
    writeFileSync(join(outDir, "bases", grid.bases[0].hash, "checkpoint.safetensors"), "garbage");

    const summary = await runGrid(grid, { outDir, jobs: 2, logger: quiet, display: "quiet" });
    expect(summary.failed.map((f) => f.hash)).toEqual([run.hash]);
    expect(summary.failed[0].error).toMatch(/the checkpoint of base .* is unreadable .*Delete the folder .*bases\/.* to retrain that base/);
    expect(summary.failed[0].logPath).toBe(join(outDir, "runs", run.hash, "log.txt"));
    expect(readFileSync(summary.failed[0].logPath, "utf8")).toMatch(/is unreadable/);
    expect(readEvents(outDir).filter((e) => e.event === "fail").map((e) => e.hash)).toEqual([run.hash]);
  }, 30_000);

  it("rejects a folder held by a live runner", async () => {
    writeFileSync(join(outDir, "runner.lock"), `${process.ppid}\n`);
    await expect(runGrid(grid, { outDir, jobs: 1, logger: quiet, display: "quiet" })).rejects.toThrow(/another runner \(pid \d+\) is using .* Wait for it or stop it/);
    rmSync(join(outDir, "runner.lock"));
  });
});
