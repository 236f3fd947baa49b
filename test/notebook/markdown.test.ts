import { describe, expect, it } from "vitest";
import { renderInline, renderMarkdown, slug } from "../../lib/notebook/markdown";

describe("renderMarkdown", () => {
  it("renderMarkdown: headings get level and anchor", () => {
    expect(renderMarkdown("## Results by *length*")).toBe('<h2 id="results-by-length">Results by <em>length</em></h2>');
  });

  it("renderMarkdown: paragraph lines join, hard break kept", () => {
    expect(renderMarkdown("one\ntwo  \nthree\n\nnext")).toBe("<p>one\ntwo<br>\nthree</p>\n<p>next</p>");
  });

  it("renderMarkdown: nested bullet list", () => {
    expect(renderMarkdown("- a\n- b\n  - b1\n- c")).toBe("<ul>\n<li>a</li>\n<li>b\n<ul>\n<li>b1</li>\n</ul></li>\n<li>c</li>\n</ul>");
  });

  it("renderMarkdown: numbered list after bullets is separate", () => {
    expect(renderMarkdown("- a\n\n1. x\n2. y")).toBe("<ul>\n<li>a</li>\n</ul>\n<ol>\n<li>x</li>\n<li>y</li>\n</ol>");
  });

  it("renderMarkdown: numbered list keeps its start", () => {
    expect(renderMarkdown("3. c\n4. d")).toBe('<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>');
  });

  it("renderMarkdown: fenced code is escaped verbatim", () => {
    expect(renderMarkdown("```ts\nconst a = b < c && *d*;\n```")).toBe('<pre><code class="language-ts">const a = b &lt; c &amp;&amp; *d*;</code></pre>');
  });

  it("renderMarkdown: pipe table with alignment", () => {
    const html = renderMarkdown("| name | value |\n|:--|--:|\n| a<b | 1 \\| 2 |");
    expect(html).toContain('<th style="text-align: left">name</th><th style="text-align: right">value</th>');
    expect(html).toContain('<td style="text-align: left">a&lt;b</td><td style="text-align: right">1 | 2</td>');
  });

  it("renderMarkdown: raw HTML is shown as text", () => {
    expect(renderMarkdown("<script>alert(1)</script>")).toBe("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
  });

  it("renderMarkdown: block quote and rule", () => {
    expect(renderMarkdown("> quoted **text**\n\n---")).toBe("<blockquote>\n<p>quoted <strong>text</strong></p>\n</blockquote>\n<hr>");
  });
});

describe("renderInline", () => {
  it("renderInline: code span keeps markers literal", () => {
    expect(renderInline("`a*b*<c>`")).toBe("<code>a*b*&lt;c&gt;</code>");
  });

  it("renderInline: snake_case stays plain", () => {
    expect(renderInline("l_extra and l_train, _em_")).toBe("l_extra and l_train, <em>em</em>");
  });

  it("renderInline: link with title and escaped URL", () => {
    expect(renderInline('[docs](https://a.org/?x=1&y=2 "Docs")')).toBe('<a href="https://a.org/?x=1&amp;y=2" title="Docs">docs</a>');
  });

  it("renderInline: javascript link is not linked", () => {
    expect(renderInline("[x](javascript:alert(1))")).not.toContain("<a");
  });

  it("renderInline: image, strike and escape", () => {
    expect(renderInline("![plot](fig.png) ~~old~~ \\*star\\*")).toBe('<img src="fig.png" alt="plot"> <del>old</del> *star*');
  });
});

describe("slug", () => {
  it("slug: keeps letters of any script", () => {
    expect(slug("Perplexity vs. length (α = 0.1)")).toBe("perplexity-vs-length-α-0-1");
  });
});
