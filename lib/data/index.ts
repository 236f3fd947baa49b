/** Data pipeline: byte tokenizer, Brown and user corpora, document splits and token windows. */

export { SPLIT_NAMES, type Corpus, type SplitName, type TextDocument, type TokenizedDocument } from "./types";
export { BYTE_VOCAB_SIZE, decode, encode, loneSurrogateIndex } from "./tokenizer";
export {
  brownCorpusDirectory,
  detokenize,
  loadBrownDocuments,
  readBrownCategories,
  stripBrownTag,
  untagBrownDocument,
} from "./brown";
export { UNKNOWN_GENRE, loadUserDocuments } from "./userCorpus";
export { DEFAULT_SPLIT_FRACTIONS, type SplitFractions, splitDocuments, validateSplitFractions } from "./split";
export {
  type CorpusConfig,
  type ResolvedCorpusConfig,
  loadCorpus,
  loadDocuments,
  selectDocuments,
  validateCorpusConfig,
} from "./corpus";
export { type EvaluationWindows, type WindowSource, evaluationWindows, sampleWindows } from "./windows";
