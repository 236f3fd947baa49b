import { describe, expect, it } from "vitest";
import { runTaskLearning } from "../../lib/tasks/learning";

// The slowest test of the suite (about 4–8 minutes on one wasm thread): training is seeded and the
// wasm backend is deterministic, so with seed 0 this run reproduces the same scores every time.
// A change to the model, the optimizer or the task mix can move them; rerun
// `npx tsx scripts/task-mix-demo.ts --probe-every 250` to see where copying appears.
describe("task mix learning", () => {
  it("passkey learned at lTrain", async () => {
    const result = await runTaskLearning({ seed: 0, steps: 3000 });
    const bucket = (r: typeof result.before) => r.tasks[0].buckets[0];
    expect(result.backend.name).not.toBe("cpu");
    expect(bucket(result.before).score).toBe(0);
    // Chance is far below: a 3-digit key guessed at random matches 1 time in 900.
    expect(bucket(result.after).score).toBeGreaterThanOrEqual(25);
  }, 1_200_000);
});
