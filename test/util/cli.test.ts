import { describe, expect, it } from "vitest";
import { parseFlags, runMain, type FlagSpec } from "../../lib/cli";
import { ConfigError } from "../../lib/util/errors";

const FLAGS: Record<string, FlagSpec> = {
  steps: { type: "string", value: "N", help: "Optimizer steps." },
  seed: { type: "string", value: "N", help: "Seed." },
};

describe("parseFlags", () => {
  it("reads values and positionals", () => {
    const { values, positionals } = parseFlags(["--steps", "5", "--seed=-2", "data"], FLAGS);
    expect(values.steps).toBe("5");
    expect(values.seed).toBe("-2");
    expect(positionals).toEqual(["data"]);
  });

  it("unknown flag names nearest", () => {
    expect(() => parseFlags(["--stepz", "5"], FLAGS)).toThrow(ConfigError);
    expect(() => parseFlags(["--stepz", "5"], FLAGS)).toThrow(/unknown flag --stepz \(did you mean --steps\?\)\. Run with --help/);
  });

  it("unknown flag without a near name", () => {
    expect(() => parseFlags(["--learning-rate", "1"], FLAGS)).toThrow(/^unknown flag --learning-rate\. Run with --help/);
  });

  it("negative value needs equals form", () => {
    expect(() => parseFlags(["--steps", "-5"], FLAGS)).toThrow(/--steps needs a value \(write --steps=VALUE when the value starts with "-"\)/);
  });

  it("trailing flag without value", () => {
    expect(() => parseFlags(["--steps"], FLAGS)).toThrow(/--steps needs a value/);
  });
});

describe("runMain", () => {
  it("exits with the error's exitCode", async () => {
    const codes: (number | undefined)[] = [];
    const originalExit = process.exit;
    const originalWrite = process.stderr.write;
    process.exit = ((code?: number) => {
      codes.push(code);
    }) as typeof process.exit;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      runMain(async () => {
        throw Object.assign(new Error("stopped"), { exitCode: 130 });
      });
      runMain(async () => {
        throw new Error("plain failure");
      });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.exit = originalExit;
      process.stderr.write = originalWrite;
    }
    expect(codes).toEqual([130, 1]);
  });
});
