/** Statistics for the study's tables: summaries, paired bootstrap intervals and correlations. */

export * from "./describe";
export * from "./bootstrap";
export * from "./correlation";
