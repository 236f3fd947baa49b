/**
 * A small Markdown renderer for notebook text cells: ATX headings, paragraphs, nested bullet and
 * numbered lists, fenced code, block quotes, horizontal rules, GitHub-style pipe tables, and the
 * inline forms `code`, **strong**, *emphasis*, ~~strikethrough~~, [links](url), ![images](src) and
 * <https://autolinks>.
 *
 * NOTE: raw HTML in the Markdown is escaped and shown as text, unlike Jupyter, which renders it.
 * Setext headings (underlined with === or ---), indented code blocks, reference-style links and
 * math are not supported: they come out as plain paragraphs.
 */

import { escapeHtml } from "../report/html";

/** Renders Markdown to an HTML fragment. */
export function renderMarkdown(markdown: string): string {
  return renderBlocks(markdown.replace(/\r\n?/g, "\n").replace(/\t/g, "    ").split("\n"));
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const HEADING = /^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}> ?/;
const LIST_ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])( +|$)/;
const TABLE_DELIMITER = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

function renderBlocks(lines: string[]): string {
  const html: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") {
      i++;
      continue;
    }

    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1];
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trimStart().startsWith(marker)) body.push(lines[i++]);
      i++; // the closing fence (or the end of the text)
      const language = fence[2] ? ` class="language-${escapeHtml(fence[2])}"` : "";
      html.push(`<pre><code${language}>${escapeHtml(body.join("\n"))}</code></pre>`);
      continue;
    }

    const heading = HEADING.exec(line);
    if (heading) {
      const level = heading[1].length;
      const text = heading[2] ?? "";
      html.push(`<h${level} id="${slug(text)}">${renderInline(text)}</h${level}>`);
      i++;
      continue;
    }

    if (RULE.test(line)) {
      html.push("<hr>");
      i++;
      continue;
    }

    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && lines[i].trim() !== "" && (QUOTE.test(lines[i]) || body.length > 0)) {
        body.push(lines[i].replace(QUOTE, ""));
        i++;
      }
      html.push(`<blockquote>\n${renderBlocks(body)}\n</blockquote>`);
      continue;
    }

    if (LIST_ITEM.test(line)) {
      const end = listEnd(lines, i);
      html.push(renderList(lines.slice(i, end)));
      i = end;
      continue;
    }

    if (line.includes("|") && i + 1 < lines.length && TABLE_DELIMITER.test(lines[i + 1]) && lines[i + 1].includes("-")) {
      let end = i + 2;
      while (end < lines.length && lines[end].trim() !== "" && lines[end].includes("|")) end++;
      html.push(renderTable(lines[i], lines[i + 1], lines.slice(i + 2, end)));
      i = end;
      continue;
    }

    const paragraph: string[] = [];
    while (i < lines.length && lines[i].trim() !== "" && !startsBlock(lines, i)) paragraph.push(lines[i++]);
    if (paragraph.length === 0) paragraph.push(lines[i++]);
    html.push(`<p>${renderInline(paragraph.map((l) => l.trimStart()).join("\n").trimEnd(), true)}</p>`);
  }
  return html.join("\n");
}

function startsBlock(lines: string[], i: number): boolean {
  const line = lines[i];
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || LIST_ITEM.test(line);
}

function isOrderedItem(line: string): boolean {
  return /\d/.test(LIST_ITEM.exec(line)?.[2] ?? "");
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** Index after the list starting at `start`: it runs until a blank line followed by an unindented non-item, or a non-item line at or left of the marker. */
function listEnd(lines: string[], start: number): number {
  const baseIndent = indentOf(lines[start]);
  const ordered = isOrderedItem(lines[start]);
  // A sibling item of the other kind (a numbered item after bullets) starts a new list.
  const otherKind = (line: string) => indentOf(line) <= baseIndent && LIST_ITEM.test(line) && isOrderedItem(line) !== ordered;
  let i = start + 1;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") {
      const next = lines.slice(i + 1).find((l) => l.trim() !== "");
      if (next === undefined || (indentOf(next) <= baseIndent && !LIST_ITEM.test(next)) || otherKind(next)) break;
      i++;
      continue;
    }
    if (otherKind(line)) break;
    if (indentOf(line) <= baseIndent && !LIST_ITEM.test(line) && lines[i - 1].trim() === "") break;
    if (indentOf(line) <= baseIndent && (FENCE.test(line) || HEADING.test(line) || RULE.test(line))) break;
    i++;
  }
  return i;
}

/** Renders the lines of one list: items at the first item's indentation, with nested content dedented and rendered as blocks. */
function renderList(lines: string[]): string {
  const first = LIST_ITEM.exec(lines[0])!;
  const ordered = /\d/.test(first[2]);
  const baseIndent = first[1].length;
  const items: string[][] = [];
  for (const line of lines) {
    const marker = LIST_ITEM.exec(line);
    if (marker && marker[1].length === baseIndent) {
      items.push([line.slice(marker[0].length)]);
    } else {
      // Continuation or nested content: drop up to the content column of the item.
      const contentColumn = baseIndent + first[2].length + 1;
      items[items.length - 1].push(line.slice(Math.min(indentOf(line), contentColumn)));
    }
  }
  const loose = items.some((item) => item.slice(0, -1).some((l) => l.trim() === ""));
  const rendered = items.map((item) => {
    const body = renderBlocks(item);
    // A tight list shows its text without paragraph margins, as Markdown renderers do.
    const content = loose ? body : body.replace(/^<p>([\s\S]*?)<\/p>/, "$1");
    return `<li>${content}</li>`;
  });
  const start = ordered && parseInt(first[2], 10) !== 1 ? ` start="${parseInt(first[2], 10)}"` : "";
  const tag = ordered ? "ol" : "ul";
  return `<${tag}${start}>\n${rendered.join("\n")}\n</${tag}>`;
}

function splitRow(line: string): string[] {
  let row = line.trim();
  if (row.startsWith("|")) row = row.slice(1);
  if (row.endsWith("|") && !row.endsWith("\\|")) row = row.slice(0, -1);
  // A cell may contain an escaped pipe `\|`.
  return row.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, "|"));
}

function renderTable(headerLine: string, delimiterLine: string, bodyLines: string[]): string {
  const header = splitRow(headerLine);
  const alignments = splitRow(delimiterLine).map((cell) => {
    const left = cell.startsWith(":");
    const right = cell.endsWith(":");
    if (left && right) return "center";
    if (right) return "right";
    return left ? "left" : undefined;
  });
  const cellHtml = (tag: string, text: string, column: number) => {
    const align = alignments[column] ? ` style="text-align: ${alignments[column]}"` : "";
    return `<${tag}${align}>${renderInline(text)}</${tag}>`;
  };
  const head = `<tr>${header.map((text, c) => cellHtml("th", text, c)).join("")}</tr>`;
  const body = bodyLines.map((line) => {
    const cells = splitRow(line);
    return `<tr>${header.map((_, c) => cellHtml("td", cells[c] ?? "", c)).join("")}</tr>`;
  });
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body.join("\n")}\n</tbody>\n</table>`;
}

/** Builds a heading's anchor id: lower case, letters and digits joined by hyphens. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[`*_~[\]()]/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "");
}

/** Checks that a link target is safe to emit: relative, a fragment, or http(s)/mailto. */
function safeUrl(url: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  return !scheme || ["http", "https", "mailto"].includes(scheme[1].toLowerCase());
}

/**
 * Renders inline Markdown. Code spans, escapes, autolinks, images and links are cut out into
 * placeholders first so emphasis markers inside them stay literal; everything else is escaped.
 */
export function renderInline(text: string, allowBreaks = false): string {
  const saved: string[] = [];
  const hold = (html: string) => `\u0000${saved.push(html) - 1}\u0000`;

  let out = text.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (_, _ticks: string, code: string) => hold(`<code>${escapeHtml(code.trim() === "" ? code : code.replace(/^ (.*) $/s, "$1"))}</code>`));
  out = out.replace(/\\([\\`*_{}[\]()#+\-.!|~<>])/g, (_, c: string) => hold(escapeHtml(c)));
  out = out.replace(/<((?:https?:\/\/|mailto:)[^\s<>]+)>/g, (_, url: string) => hold(`<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`));
  out = out.replace(/!\[([^\]]*)\]\(\s*([^\s)]+)(?:\s+"([^"]*)")?\s*\)/g, (whole, alt: string, src: string, title?: string) =>
    safeUrl(src) ? hold(`<img src="${escapeHtml(src)}" alt="${escapeHtml(alt)}"${title ? ` title="${escapeHtml(title)}"` : ""}>`) : whole,
  );
  out = out.replace(/\[([^\]]+)\]\(\s*([^\s)]+)(?:\s+"([^"]*)")?\s*\)/g, (whole, label: string, href: string, title?: string) =>
    safeUrl(href) ? hold(`<a href="${escapeHtml(href)}"${title ? ` title="${escapeHtml(title)}"` : ""}>${renderInline(label)}</a>`) : whole,
  );

  out = escapeHtml(out);
  out = out.replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, (whole, marker: string, inner: string, offset: number, all: string) =>
    marker === "__" && /\w/.test(all[offset - 1] ?? "") ? whole : `<strong>${inner}</strong>`,
  );
  out = out.replace(/~~(?=\S)([\s\S]*?\S)~~/g, "<del>$1</del>");
  out = out.replace(/\*(?=\S)([^*]*?\S)\*/g, "<em>$1</em>");
  // Underscore emphasis only at word boundaries, so snake_case_names stay as written.
  out = out.replace(/(^|[^\w])_(?=\S)([^_]*?\S)_(?!\w)/g, "$1<em>$2</em>");
  if (allowBreaks) out = out.replace(/(?: {2,}|\\)\n/g, "<br>\n");

  return out.replace(/\u0000(\d+)\u0000/g, (_, n: string) => saved[Number(n)]);
}
