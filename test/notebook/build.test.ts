import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staleDistFiles } from "../../lib/notebook";

describe("staleDistFiles", () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "lsa-build-test-"));
    mkdirSync(join(root, "lib", "sub"), { recursive: true });
    mkdirSync(join(root, "dist", "lib", "sub"), { recursive: true });
    const at = (path: string, text: string, seconds: number) => {
      writeFileSync(path, text);
      utimesSync(path, seconds, seconds);
    };
    // fresh.ts compiled after its last edit; old.ts edited after; missing.ts never compiled.
    at(join(root, "lib", "fresh.ts"), "", 1000);
    at(join(root, "dist", "lib", "fresh.js"), "", 2000);
    at(join(root, "lib", "sub", "old.ts"), "", 3000);
    at(join(root, "dist", "lib", "sub", "old.js"), "", 2000);
    at(join(root, "lib", "missing.ts"), "", 1000);
    at(join(root, "lib", "types.d.ts"), "", 5000);
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("staleDistFiles: lists edited and uncompiled sources", () => {
    expect(staleDistFiles(root)).toEqual(["lib/missing.ts", "lib/sub/old.ts"]);
  });
});
