/**
 * Text helpers that reproduce the Python string operations LongBench v1 scoring relies on
 * (THUDM/LongBench `metrics.py` and `eval.py`), so that the TypeScript scores match the published
 * ones character for character.
 */

/** Python's `string.punctuation`: the 32 ASCII punctuation characters. */
export const PYTHON_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

const PUNCTUATION_PATTERN = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

/**
 * The characters for which Python's `str.isspace()` is true, which `str.split()` with no argument
 * splits on. JavaScript's `\s` differs: it adds U+FEFF and lacks U+001C–U+001F and U+0085.
 */
const PYTHON_WHITESPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

const WHITESPACE_RUN = new RegExp(`[${PYTHON_WHITESPACE}]+`, "u");

/**
 * The articles as whole words, as Python's `re.sub(r"\b(a|an|the)\b", " ", text)` finds them.
 * Python's `\b` is Unicode-aware (word characters are letters, numbers and `_`), while
 * JavaScript's `\b` only treats ASCII as word characters, so the boundaries are written as lookarounds. The two
 * classes agree on every code point assigned in Unicode 14 (checked against CPython 3.11.7).
 */
const ARTICLE_PATTERN = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

/**
 * Splits `text` on runs of whitespace and drops empty pieces, as Python's `str.split()` with no
 * argument does.
 */
export function splitPythonWhitespace(text: string): string[] {
  return text.split(WHITESPACE_RUN).filter((piece) => piece !== "");
}

/**
 * Normalizes an answer as LongBench's `normalize_answer` does, in the same order: lowercase, delete
 * the 32 ASCII punctuation characters, replace the whole words a/an/the with a space, then split on
 * whitespace and rejoin with single spaces.
 */
export function normalizeAnswer(text: string): string {
  const lower = text.toLowerCase();
  const withoutPunctuation = lower.replace(PUNCTUATION_PATTERN, "");
  const withoutArticles = withoutPunctuation.replace(ARTICLE_PATTERN, " ");
  return splitPythonWhitespace(withoutArticles).join(" ");
}

/** Removes leading `\n` characters only, like Python's `text.lstrip('\n')`. */
export function stripLeadingNewlines(text: string): string {
  let start = 0;
  while (start < text.length && text[start] === "\n") start++;
  return text.slice(start);
}

/**
 * Returns the first line after leading `\n`s are stripped: `text.lstrip('\n').split('\n')[0]`.
 * Only `\n` separates lines, so a `\r` stays in the line.
 */
export function firstLine(text: string): string {
  return stripLeadingNewlines(text).split("\n")[0];
}
