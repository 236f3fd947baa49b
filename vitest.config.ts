import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Model tests train tiny networks on the wasm backend, which is single-threaded and slow to start.
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // Test files run in separate forks so each gets its own tfjs engine and backend state.
    pool: "forks",
    // On CI, also write a JSON report so .ci/run can print a one-line pass/fail summary.
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: "vitest-report.json" },
  },
});
