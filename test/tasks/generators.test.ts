import { describe, expect, it } from "vitest";

import { countWord } from "../../lib/tasks/counting";
import { FillerSource, byteLength } from "../../lib/tasks/filler";
import { partitionOf } from "../../lib/tasks/partition";
import { recallSentences } from "../../lib/tasks/recall";
import { listTasks } from "../../lib/tasks/registry";
import { promptOf } from "../../lib/tasks/suite";
import { DEFAULT_TASK_OPTIONS, type TaskInstance, type TaskName } from "../../lib/tasks/types";
import { Random } from "../../lib/util/random";
import { brownCorpus } from "./fixtures";

const filler = new FillerSource(brownCorpus().splits.test);
const options = DEFAULT_TASK_OPTIONS;

function generate(task: TaskName, promptLength: number, seed: number, partition: "train" | "eval" = "eval"): TaskInstance {
  const spec = listTasks().find((t) => t.name === task)!;
  return spec.generate({ rng: new Random(seed), filler, partition, options }, promptLength);
}

/** Reads the answer off the context, task by task. */
function answerFromContext(task: TaskName, instance: TaskInstance): string {
  switch (task) {
    case "passkey":
      return /The pass key is #(\d+)\./.exec(instance.context)![1];
    case "kv_retrieval":
      return new RegExp(`${instance.input}(\\d+)\\.`).exec(instance.context)![1];
    case "counting":
      return String(countWord(instance.context, instance.keys[0]));
    case "recall": {
      const prefix = instance.input.slice("Repeat: ".length);
      const at = instance.context.indexOf(prefix);
      const rest = instance.context.slice(at + prefix.length);
      return rest.slice(0, instance.answers[0].length);
    }
  }
}

describe("task generators", () => {
  for (const spec of listTasks()) {
    const minimum = spec.minPromptLength(options);

    it(`${spec.name}: prompt has requested bytes`, () => {
      // Tolerance 0: the filler is cut to the byte, and Brown text is ASCII.
      for (const [i, length] of [minimum, minimum + 1, 128, 333, 1024].entries()) {
        expect(byteLength(promptOf(generate(spec.name, length, i)))).toBe(length);
      }
    });

    it(`${spec.name}: answer derivable from context`, () => {
      for (let seed = 0; seed < 30; seed++) {
        const instance = generate(spec.name, 96 + 17 * seed, seed);
        expect(answerFromContext(spec.name, instance)).toBe(instance.answers[0]);
      }
    });

    it(`${spec.name}: keys and numbers in partition`, () => {
      for (const partition of ["train", "eval"] as const) {
        for (let seed = 0; seed < 10; seed++) {
          const instance = generate(spec.name, 200, seed, partition);
          for (const key of instance.keys) expect(partitionOf("key", key)).toBe(partition);
          for (const value of instance.numbers) expect(partitionOf("number", value)).toBe(partition);
        }
      }
    });

    it(`${spec.name}: rejects a too short prompt`, () => {
      expect(() => generate(spec.name, minimum - 1, 0)).toThrow(new RegExp(`${spec.name}: promptLength must be at least ${minimum} bytes.*got ${minimum - 1}`));
    });

    it(`${spec.name}: input ends with the cue`, () => {
      const instance = generate(spec.name, 150, 3);
      expect(promptOf(instance).endsWith(`\n${instance.input}`)).toBe(true);
      expect(instance.input).toMatch(/[# ]$/);
    });
  }

  it("passkey depth spans the context", () => {
    // 200 needles at uniform word starts: some in the first and some in the last fifth.
    const depths = Array.from({ length: 200 }, (_, seed) => generate("passkey", 400, seed).depth!);
    expect(Math.min(...depths)).toBeLessThan(0.2);
    expect(Math.max(...depths)).toBeGreaterThan(0.8);
  });

  it("counting covers every count", () => {
    const counts = new Set(Array.from({ length: 100 }, (_, seed) => generate("counting", 200, seed).answers[0]));
    expect([...counts].sort()).toEqual(["1", "2", "3", "4", "5"]);
  });

  it("kv_retrieval has distinct keys and values", () => {
    for (let seed = 0; seed < 20; seed++) {
      const instance = generate("kv_retrieval", 300, seed);
      expect(new Set(instance.keys).size).toBe(options.kvPairs);
      expect(new Set(instance.numbers).size).toBe(options.kvPairs);
    }
  });

  it("recallSentences keeps short whole sentences", () => {
    // Kept: 6 words. Dropped: 3 words (too few), a paragraph with a lower-case start, and a
    // paragraph without end punctuation.
    const text = "The city sued for the bond. Too few words.\nlower case starts are not kept.\nThe last one has no end";
    expect(recallSentences(text)).toEqual(["The city sued for the bond."]);
  });
});
