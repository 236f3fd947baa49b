import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatBenchTable, validateBenchOptions, type BenchRecord } from "../../lib/bench/throughput";

const ROOT = join(__dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

describe("bench script", () => {
  it("prints one JSON line per mode", () => {
    // One timed step after one warm-up step, and one evaluation window of 8 × 128 tokens.
    const stdout = execFileSync(
      TSX,
      ["scripts/bench.ts", "--steps", "1", "--warmup", "1", "--configs", "reference", "--modes", "plain,aligned", "--eval-windows", "1", "--json"],
      { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LSA_LOG_LEVEL: "warn" } },
    );
    const records = stdout.trim().split("\n").map((line) => JSON.parse(line) as BenchRecord);
    expect(records.map((r) => r.mode)).toEqual(["plain", "aligned"]);
    for (const record of records) {
      expect(record.framework).toMatch(/^tfjs-\d+\.\d+\.\d+$/);
      expect(typeof record.backend).toBe("string");
      expect(record.config).toBe("reference");
      expect(record.params).toBe(132864);
      expect([record.d_model, record.layers, record.heads, record.l_train, record.batch]).toEqual([64, 2, 4, 128, 16]);
      expect(record.steps).toBe(1);
      expect(record.step_ms).toBeGreaterThan(0);
      // tokens/s is batch × l_train over the median step: 16 · 128 · 1000 / step_ms.
      expect(record.tokens_per_s).toBe(Math.round((16 * 128 * 1000) / record.step_ms));
      expect(record.eval_length).toBe(1024);
      expect(record.eval_tokens_per_s).toBeGreaterThan(0);
      expect(record.num_tensors_after).toBe(record.num_tensors_before);
      expect(record.peak_rss_mb).toBeGreaterThan(0);
    }
  });

  it("rejects unknown config with hint", () => {
    expect(() => validateBenchOptions({ configs: ["refrence" as never] })).toThrow(/bench: unknown config "refrence"; known: reference, larger\. Did you mean "reference"\?/);
  });

  it("rejects zero steps", () => {
    expect(() => validateBenchOptions({ steps: 0 })).toThrow(/bench: steps must be an integer in \[1, 100000\], got 0/);
  });

  it("formats a table row", () => {
    const record: BenchRecord = {
      framework: "tfjs-4.22.0",
      backend: "wasm",
      mode: "plain",
      config: "reference",
      params: 10,
      d_model: 64,
      layers: 2,
      heads: 4,
      l_train: 128,
      batch: 16,
      steps: 3,
      step_ms: 200,
      step_ms_min: 190,
      step_ms_max: 210,
      tokens_per_s: 10240,
      eval_length: 1024,
      eval_tokens_per_s: 9000,
      num_tensors_before: 5,
      num_tensors_after: 5,
      peak_rss_mb: 300,
    };
    const lines = formatBenchTable([record]).split("\n");
    expect(lines[0]).toBe("tfjs-4.22.0 on wasm");
    expect(lines[2]).toMatch(/^reference\s+plain\s+10\s+200 \(190–210\)\s+10240\s+9000 @1024\s+5→5\s+300$/);
  });
});
