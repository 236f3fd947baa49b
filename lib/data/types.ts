/** The three splits every corpus is divided into, by document. */
export type SplitName = "train" | "validation" | "test";

export const SPLIT_NAMES: readonly SplitName[] = ["train", "validation", "test"];

/** One document of a corpus, as readable text. */
export interface TextDocument {
  /** Stable identifier, unique within the corpus (Brown file id such as `ca01`, or a file name). */
  id: string;
  /** Genre or category label (Brown category such as `news`); `unknown` when the source has none. */
  genre: string;
  text: string;
}

/** A document with its byte-level token ids. */
export interface TokenizedDocument extends TextDocument {
  /** Token ids, one per UTF-8 byte (values 0..255). */
  tokens: Int32Array;
}

/** A corpus split into train/validation/test by document, with the seed and fractions that made the split. */
export interface Corpus {
  /** `brown`, or the path of a user corpus. */
  name: string;
  /** Seed of the document split. */
  seed: number;
  splits: Record<SplitName, TokenizedDocument[]>;
}
