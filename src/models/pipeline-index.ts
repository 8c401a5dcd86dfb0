/** Pre- and post-processing around a model: tokenizer, image preprocessing, output decoding, safetensors weights. */
export {
  WordPieceTokenizer, TokenizerError,
  type WordPieceOptions, type EncodeOptions, type Encoding, type BatchEncodeOptions, type BatchEncoding,
  type PostTemplate, type TemplatePiece,
} from './tokenizer.js';
export { basicTokenize, isBertPunctuation, isBertWhitespace, isBertControl, isCjkIdeograph, stripAccents, type BasicTokenizerOptions } from './tokenizer-basic.js';
export { DEMO_VOCAB } from './vocab-demo.js';
export { preprocessImage, preprocessImages, PreprocessError, IMAGENET_MEAN, IMAGENET_STD, type PreprocessOptions, type ImageInput } from './preprocess.js';
export { softmax, topK, topKBatch, meanPool, l2Normalize, sentenceEmbedding, cosineSimilarity, PostprocessError, type TopKEntry } from './postprocess.js';
export { loadSafetensors, parseSafetensors, saveSafetensors, SafetensorsError, type SafetensorsFile } from './safetensors.js';
