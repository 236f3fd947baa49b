import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { loadUserDocuments } from "../../lib/data/userCorpus";
import { FileFormatError } from "../../lib/util/errors";
import { logger } from "../../lib/util/logger";

let root: string;
const logLines: string[] = [];
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "user-corpus-"));
  logger.setSink((line) => logLines.push(line));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  logger.setSink((line) => process.stderr.write(`${line}\n`));
});

/** Writes `files` (relative path → content) under a fresh folder and returns its path. */
function makeFolder(name: string, files: Record<string, string>): string {
  const folder = join(root, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(folder, path, ".."), { recursive: true });
    writeFileSync(join(folder, path), content);
  }
  return folder;
}

function makeJsonl(name: string, content: string): string {
  const path = join(root, name);
  writeFileSync(path, content);
  return path;
}

describe("user corpus folder", () => {
  it("reads txt files sorted with genres", () => {
    const folder = makeFolder("mixed", {
      "b.txt": "second",
      "a.txt": "first",
      "news/c.txt": "third",
      "fiction/deep/d.txt": "fourth",
      "notes.md": "not a document",
      ".hidden/e.txt": "skipped",
    });
    expect(loadUserDocuments(folder)).toEqual([
      { id: "a.txt", genre: "unknown", text: "first" },
      { id: "b.txt", genre: "unknown", text: "second" },
      { id: "fiction/deep/d.txt", genre: "fiction", text: "fourth" },
      { id: "news/c.txt", genre: "news", text: "third" },
    ]);
  });

  it("strips BOM and CRLF", () => {
    const folder = makeFolder("windows", { "a.txt": "\ufeffline one\r\nline two\r\n" });
    expect(loadUserDocuments(folder)[0].text).toBe("line one\nline two\n");
  });

  it("drops empty documents", () => {
    const folder = makeFolder("some-empty", { "a.txt": "text", "b.txt": " \n\t" });
    logLines.length = 0;
    expect(loadUserDocuments(folder).map((d) => d.id)).toEqual(["a.txt"]);
    expect(logLines.join("\n")).toMatch(/some-empty: dropped 1 empty document/);
  });

  it("rejects folder without txt", () => {
    const folder = makeFolder("no-txt", { "a.md": "text" });
    expect(() => loadUserDocuments(folder)).toThrow(/no-txt contains no \.txt files/);
  });

  it("rejects all-empty folder", () => {
    const folder = makeFolder("all-empty", { "a.txt": "" });
    expect(() => loadUserDocuments(folder)).toThrow(/all-empty contains no non-empty documents/);
  });
});

describe("user corpus jsonl", () => {
  it("reads text id genre", () => {
    const path = makeJsonl(
      "good.jsonl",
      [
        '{"text": "plain"}',
        "",
        '{"text": "with id", "id": 7, "genre": "news"}',
        '{"text": "ünïcode 日本", "id": "doc-x"}',
      ].join("\n"),
    );
    expect(loadUserDocuments(path)).toEqual([
      { id: "line-1", genre: "unknown", text: "plain" },
      { id: "7", genre: "news", text: "with id" },
      { id: "doc-x", genre: "unknown", text: "ünïcode 日本" },
    ]);
  });

  const malformed: [string, string, RegExp][] = [
    ["invalid JSON", '{"text": "ok"}\n{"text": ', /bad-1\.jsonl:2: invalid JSON/],
    ["array line", "[1, 2]", /bad-2\.jsonl:1: expected a JSON object/],
    ["missing text", '{"body": "x"}', /bad-3\.jsonl:1: field "text" must be a string, got nothing \(the field is missing\)/],
    ["numeric text", '{"text": 5}', /bad-4\.jsonl:1: field "text" must be a string, got number 5/],
    ["object id", '{"text": "x", "id": {}}', /bad-5\.jsonl:1: field "id" must be a string or number/],
    ["empty genre", '{"text": "x", "genre": ""}', /bad-6\.jsonl:1: field "genre" must be a non-empty string/],
    ["duplicate id", '{"text": "x", "id": "a"}\n{"text": "y", "id": "a"}', /bad-7\.jsonl:2: id "a" is already used on line 1/],
    ["lone surrogate", '{"text": "x\\ud800"}', /bad-8\.jsonl:1: field "text" contains a lone UTF-16 surrogate at index 1/],
    ["no lines", "\n\n", /bad-9\.jsonl contains no lines/],
  ];
  malformed.forEach(([name, content, message], i) => {
    it(`rejects ${name}`, () => {
      const path = makeJsonl(`bad-${i + 1}.jsonl`, content);
      expect(() => loadUserDocuments(path)).toThrow(FileFormatError);
      expect(() => loadUserDocuments(path)).toThrow(message);
    });
  });
});

describe("user corpus path errors", () => {
  it("missing path", () => {
    expect(() => loadUserDocuments(join(root, "absent"))).toThrow(/absent could not be read \(ENOENT\)/);
  });

  it("wrong file kind", () => {
    const path = makeJsonl("corpus.csv", "text\nhello\n");
    expect(() => loadUserDocuments(path)).toThrow(/corpus\.csv is neither a folder nor a \.jsonl file/);
  });
});
