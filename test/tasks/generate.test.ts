import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "../../lib/backend";
import { encode } from "../../lib/data/tokenizer";
import { TransformerLM } from "../../lib/model/transformer";
import { generateGreedy, truncateMiddle } from "../../lib/tasks/generate";
import { ScriptedLM } from "./fixtures";

beforeAll(async () => {
  await initBackend();
});

/** Emits the bytes of `script` in turn, indexed by how much of it the row already ends with. */
function typist(script: string): ScriptedLM {
  return new ScriptedLM((text) => {
    const start = text.indexOf("|");
    const written = text.length - start - 1;
    return script.charCodeAt(written % script.length);
  });
}

describe("truncateMiddle", () => {
  it("keeps head and tail halves", () => {
    // 10 tokens 0..9, max 6: first 3 (0, 1, 2) and last 3 (7, 8, 9).
    const tokens = Int32Array.from({ length: 10 }, (_, i) => i);
    expect(Array.from(truncateMiddle(tokens, 6))).toEqual([0, 1, 2, 7, 8, 9]);
  });

  it("odd limit keeps two halves", () => {
    // max 7: floor(7 / 2) = 3 from each end, 6 tokens in all, as LongBench's pred.py.
    const tokens = Int32Array.from({ length: 10 }, (_, i) => i);
    expect(Array.from(truncateMiddle(tokens, 7))).toEqual([0, 1, 2, 7, 8, 9]);
  });

  it("leaves a short prompt alone", () => {
    const tokens = Int32Array.from([1, 2, 3]);
    expect(truncateMiddle(tokens, 3)).toBe(tokens);
  });
});

describe("generateGreedy", () => {
  it("stops at a stop string", () => {
    const [output] = generateGreedy(typist("42\nrest"), [encode("prompt|")], { maxNewTokens: 10, stopStrings: ["\n"] });
    expect(output.text).toBe("42");
    expect(output.tokens).toEqual([52, 50, 10]);
    expect(output.finish).toBe("stop");
  });

  it("stops at a multibyte stop string", () => {
    // "END" spans three tokens; the text is cut before it.
    const [output] = generateGreedy(typist("abENDcd"), [encode("|")], { maxNewTokens: 10, stopStrings: ["xyz", "END"] });
    expect(output.text).toBe("ab");
    expect(output.tokens.length).toBe(5);
  });

  it("stops at max tokens", () => {
    const [output] = generateGreedy(typist("abcdef"), [encode("|")], { maxNewTokens: 4, stopStrings: ["\n"] });
    expect(output.text).toBe("abcd");
    expect(output.finish).toBe("length");
  });

  it("batches prompts of equal length", () => {
    // Three prompts of 2 bytes and one of 3: one batch of 3 rows and one of 1 per step.
    const model = typist("xy");
    const outputs = generateGreedy(model, [encode("a|"), encode("bb|"), encode("c|"), encode("d|")], { maxNewTokens: 2, batchSize: 8 });
    expect(outputs.map((o) => o.text)).toEqual(["xy", "xy", "xy", "xy"]);
    expect(model.batchRows).toEqual([3, 3, 1, 1]);
  });

  it("drops finished rows from the batch", () => {
    // Row "a|" stops after one token (its script emits the newline first); "b|" runs 3 steps.
    const model = new ScriptedLM((text) => (text.startsWith("a") ? 10 : 120));
    const outputs = generateGreedy(model, [encode("a|"), encode("b|")], { maxNewTokens: 3, stopStrings: ["\n"] });
    expect(outputs.map((o) => o.text)).toEqual(["", "xxx"]);
    expect(model.batchRows).toEqual([2, 1, 1]);
  });

  it("truncates to the model context", () => {
    // maxContext 8 and 2 new tokens leave 6 prompt tokens: "abc" + "xyz" of "abcdefuvwxyz".
    const seen: string[] = [];
    const model = new ScriptedLM((text) => {
      seen.push(text);
      return 33;
    });
    model.maxContext = 8;
    const [output] = generateGreedy(model, [encode("abcdefuvwxyz")], { maxNewTokens: 2 });
    expect(seen[0]).toBe("abcxyz");
    expect(output.truncated).toBe(true);
    expect(output.promptTokens).toBe(6);
  });

  it("matches unbatched outputs on a transformer", () => {
    const model = new TransformerLM({ dModel: 16, nLayers: 1, nHeads: 2, seed: 3 });
    const prompts = ["The cat sat", "A dog ran f", "Birds flyin"].map(encode);
    const batched = generateGreedy(model, prompts, { maxNewTokens: 5, batchSize: 3 });
    const single = prompts.map((prompt) => generateGreedy(model, [prompt], { maxNewTokens: 5 })[0]);
    expect(batched.map((o) => o.tokens)).toEqual(single.map((o) => o.tokens));
    model.dispose();
  });

  it("leaves no tensors behind", () => {
    const model = new TransformerLM({ dModel: 16, nLayers: 1, nHeads: 2, seed: 3 });
    const before = tf.memory().numTensors;
    generateGreedy(model, [encode("hello"), encode("world")], { maxNewTokens: 6 });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("rejects an empty prompt", () => {
    expect(() => generateGreedy(typist("a"), [new Int32Array(0)], { maxNewTokens: 1 })).toThrow(/prompts\[0\] is empty/);
  });

  it("rejects zero new tokens", () => {
    expect(() => generateGreedy(typist("a"), [encode("a")], { maxNewTokens: 0 })).toThrow(/maxNewTokens must be an integer in \[1, ∞\], got 0/);
  });

  it("rejects a non-byte vocabulary", () => {
    const model = new TransformerLM({ vocabSize: 3, dModel: 8, nLayers: 1, nHeads: 2 });
    expect(() => generateGreedy(model, [Int32Array.from([1])], { maxNewTokens: 1 })).toThrow(/model.vocabSize must be 256 \(one token per byte\), got 3/);
    model.dispose();
  });

  it("rejects an empty stop string", () => {
    expect(() => generateGreedy(typist("a"), [encode("a")], { maxNewTokens: 1, stopStrings: [""] })).toThrow(/stopStrings\[0\] must be a non-empty string/);
  });
});
