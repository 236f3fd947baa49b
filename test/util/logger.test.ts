import { describe, expect, it } from "vitest";
import { Logger } from "../../lib/util/logger";

describe("Logger", () => {
  it("child follows later parent changes", () => {
    const lines: string[] = [];
    const parent = new Logger("root", "info", () => {});
    const child = parent.child("data");
    parent.setSink((line) => lines.push(line));
    child.info("hello");
    parent.setLevel("warn");
    child.info("dropped");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/info  \[data\] hello$/);
  });

  it("drops lines below level", () => {
    const lines: string[] = [];
    const log = new Logger("x", "warn", (line) => lines.push(line));
    log.info("no");
    log.error("yes");
    expect(lines.map((l) => l.includes("yes"))).toEqual([true]);
  });
});
