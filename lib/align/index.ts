/** Long-short alignment: divergences, pair strategies, the training loss and the misalignment metric. */

export * from "./divergences";
export * from "./strategies";
export * from "./loss";
export * from "./misalignment";
