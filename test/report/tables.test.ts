import { describe, expect, it } from "vitest";
import { formatCell, formatDifference, formatNumber, formatSigned, htmlTable } from "../../lib/report";

describe("formatNumber", () => {
  it("formatNumber: integers as written", () => {
    expect(formatNumber(42)).toBe("42");
  });

  it("formatNumber: fractions with fixed digits", () => {
    expect(formatNumber(3.14159, 2)).toBe("3.14");
  });

  it("formatNumber: NaN and infinities", () => {
    expect(formatNumber(NaN)).toBe("–");
    expect(formatNumber(-Infinity)).toBe("-∞");
  });
});

describe("formatCell", () => {
  it("formatCell: mean and std", () => {
    expect(formatCell({ n: 3, mean: 1.5, std: 0.25 }, 2)).toEqual({ text: "1.50 ± 0.25", numeric: true });
  });

  it("formatCell: one seed shows the mean alone", () => {
    expect(formatCell({ n: 1, mean: 1.5, std: NaN }, 2).text).toBe("1.50");
  });

  it("formatCell: paired difference with interval", () => {
    expect(formatCell({ meanDifference: -0.5, lower: -0.75, upper: 0.125 }, 3).text).toBe("-0.500 [-0.750, +0.125]");
  });

  it("formatCell: null is empty, booleans are words", () => {
    expect(formatCell(null).text).toBe("");
    expect(formatCell(true).text).toBe("yes");
  });
});

describe("formatDifference", () => {
  it("formatDifference: signs every number", () => {
    expect(formatDifference({ meanDifference: 0.12, lower: 0.01, upper: 0.25 }, 2)).toBe("+0.12 [+0.01, +0.25]");
  });
});

describe("htmlTable", () => {
  it("htmlTable: rows escaped and numbers right-aligned", () => {
    const html = htmlTable([{ variant: "<b>α</b>", ppl: 12.3456 }], { digits: 2, caption: "A & B" });
    expect(html).toContain("<caption>A &amp; B</caption>");
    expect(html).toContain("<thead><tr><th>variant</th><th>ppl</th></tr></thead>");
    expect(html).toContain('<tr><td>&lt;b&gt;α&lt;/b&gt;</td><td class="num">12.35</td></tr>');
  });

  it("htmlTable: DataFrame-like columns and values", () => {
    // Mirrors danfo's DataFrame: `columns` plus `values` as row arrays.
    const frame = { columns: ["a", "b"], values: [[1, "x"], [2.5, "y"]] };
    const html = htmlTable(frame, { headers: { a: "A value" }, digits: { a: 1 } });
    expect(html).toContain("<th>A value</th><th>b</th>");
    expect(html).toContain('<tr><td class="num">2.5</td><td>y</td></tr>');
  });

  it("htmlTable: column subset and order", () => {
    const html = htmlTable([{ a: 1, b: 2, c: 3 }], { columns: ["c", "a"] });
    expect(html).toContain("<th>c</th><th>a</th>");
    expect(html).not.toContain("<th>b</th>");
  });

  it("htmlTable: unknown column rejected", () => {
    expect(() => htmlTable([{ a: 1 }], { columns: ["a", "z"] })).toThrow(/htmlTable: columns must be names of existing columns \(a\), got \["z"\]/);
  });
});

describe("htmlTable with danfo", () => {
  it("htmlTable: real danfo DataFrame", async () => {
    const dfd = await import("danfojs-node");
    const frame = new dfd.DataFrame([{ variant: "sce", ppl: 10.25 }, { variant: "kl", ppl: 11 }]);
    const html = htmlTable(frame, { digits: 1 });
    expect(html).toContain("<th>variant</th><th>ppl</th>");
    expect(html).toContain('<tr><td>sce</td><td class="num">10.3</td></tr>');
    expect(html).toContain('<tr><td>kl</td><td class="num">11</td></tr>');
  });
});

describe("small values", () => {
  it("formatNumber: tiny value not shown as zero", () => {
    // 0.000021 rounds to 0.000 at 3 decimals, so it switches to exponent form.
    expect(formatNumber(0.000021, 3)).toBe("2.1e-5");
  });

  it("formatSigned: integer keeps fixed decimals", () => {
    expect(formatSigned(0, 2)).toBe("0.00");
    expect(formatSigned(-0.0000314, 3)).toBe("-3.1e-5");
  });
});
