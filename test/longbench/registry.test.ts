import { describe, expect, it } from "vitest";

import { LONGBENCH_E_DATASETS, getDataset, getMetric, listDatasets, listMetrics } from "../../lib/longbench";

describe("metric registry", () => {
  it("gives every metric a direction and doc", () => {
    for (const metric of listMetrics()) {
      expect(typeof metric.higherIsBetter, metric.name).toBe("boolean");
      expect(metric.doc.length, metric.name).toBeGreaterThan(20);
    }
  });

  it("registers each name once", () => {
    const names = listMetrics().map((metric) => metric.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("runs the registered function", () => {
    expect(getMetric("count").fn("12 and 15", "12", { allClasses: null })).toBe(0.5);
    expect(getMetric("classification").fn("ABC", "ABC", { allClasses: ["A", "AB", "ABC"] })).toBe(0.5);
  });

  it("rejects an unknown metric with a hint", () => {
    expect(() => getMetric("qa_f2")).toThrow(/metric must be one of "qa_f1", "rouge", .*got "qa_f2"\. Did you mean "qa_f1"\?/);
  });
});

describe("dataset registry", () => {
  it("lists the 13 LongBench-E datasets", () => {
    expect(LONGBENCH_E_DATASETS).toEqual([
      "qasper",
      "multifieldqa_en",
      "hotpotqa",
      "2wikimqa",
      "gov_report",
      "multi_news",
      "trec",
      "triviaqa",
      "samsum",
      "passage_count",
      "passage_retrieval_en",
      "lcc",
      "repobench-p",
    ]);
  });

  it("maps datasets to metrics", () => {
    expect(getDataset("gov_report").metric).toBe("rouge");
    expect(getDataset("trec").metric).toBe("classification");
    expect(getDataset("passage_count").metric).toBe("count");
    expect(getDataset("passage_retrieval_en").metric).toBe("retrieval");
    expect(getDataset("repobench-p").metric).toBe("code_sim");
    expect(getDataset("2wikimqa").metric).toBe("qa_f1");
  });

  it("cuts four datasets to the first line", () => {
    const cut = listDatasets().filter((dataset) => dataset.firstLineOnly).map((dataset) => dataset.name);
    expect(cut).toEqual(["trec", "triviaqa", "samsum", "lsht"]);
  });

  it("uses only registered metrics", () => {
    for (const dataset of listDatasets()) expect(() => getMetric(dataset.metric), dataset.name).not.toThrow();
  });

  it("rejects an unknown dataset with a hint", () => {
    expect(() => getDataset("gov_reprot")).toThrow(/dataset must be one of .*got "gov_reprot"\. Did you mean "gov_report"\?/);
  });

  it("explains the unported Chinese sets", () => {
    expect(() => getDataset("dureader")).toThrow(/"dureader" is scored with LongBench's rouge_zh, which segments Chinese with jieba/);
  });
});
