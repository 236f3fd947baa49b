import { describe, expect, it } from "vitest";
import { ConfigError, intInRange, nearest, numberInRange, oneOf } from "../../lib/util/errors";
import { Random } from "../../lib/util/random";
import { configHash } from "../../lib/util/hash";

describe("validation helpers", () => {
  it("oneOf suggests nearest option", () => {
    expect(() => oneOf("model", "position", "alibl", ["rope", "alibi"])).toThrow(/model: position must be one of "rope", "alibi", got "alibl". Did you mean "alibi"\?/);
  });
  it("oneOf throws ConfigError", () => {
    expect(() => oneOf("w", "n", 3, ["a"])).toThrow(ConfigError);
  });
  it("intInRange names value", () => {
    expect(() => intInRange("train", "steps", 2.5, 1)).toThrow(/train: steps must be an integer in \[1, ∞\], got 2.5/);
  });
  it("numberInRange exclusive lower bound", () => {
    expect(() => numberInRange("o", "lr", 0, 0, 1, true)).toThrow(/lr must be a finite number in \(0, 1\], got 0/);
    expect(numberInRange("o", "lr", 0.5, 0, 1, true)).toBe(0.5);
  });
  it("nearest ignores distant names", () => {
    expect(nearest("zzzzzz", ["rope", "alibi"])).toBeUndefined();
  });
});

describe("Random", () => {
  it("same seed same stream", () => {
    const a = new Random(5);
    const b = new Random(5);
    expect([a.next(), a.int(0, 9), a.normal()]).toEqual([b.next(), b.int(0, 9), b.normal()]);
  });
  it("fork depends on label and state", () => {
    const a = new Random(1).fork("x").next();
    const r = new Random(1);
    r.next();
    expect(r.fork("x").next()).not.toBe(a);
    expect(new Random(1).fork("x").next()).toBe(a);
  });
  it("int covers both ends", () => {
    const r = new Random(3);
    const seen = new Set(Array.from({ length: 200 }, () => r.int(2, 4)));
    expect([...seen].sort()).toEqual([2, 3, 4]);
  });
});

describe("configHash", () => {
  it("ignores key order", () => {
    expect(configHash({ a: 1, b: { c: 2, d: 3 } })).toBe(configHash({ b: { d: 3, c: 2 }, a: 1 }));
  });
  it("changes with values", () => {
    expect(configHash({ a: 1 })).not.toBe(configHash({ a: 2 }));
  });
});
