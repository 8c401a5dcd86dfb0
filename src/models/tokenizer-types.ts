import type { Tensor } from '../tensor.js';

/** Types shared by the WordPiece tokenizer and its tokenizer.json reader. */

export class TokenizerError extends Error {
  override name = 'TokenizerError';
}

export interface WordPieceOptions {
  /** Lowercase the text (uncased models). Default true. */
  lowercase?: boolean;
  /** Remove accents after NFD. Default: same as `lowercase`. */
  stripAccents?: boolean;
  /** Split CJK ideographs into one word each. Default true. */
  tokenizeChineseChars?: boolean;
  /** Remove control characters and normalise whitespace. Default true. */
  cleanText?: boolean;
  unkToken?: string;
  clsToken?: string;
  sepToken?: string;
  padToken?: string;
  maskToken?: string;
  continuingSubwordPrefix?: string;
  /** Words longer than this (in code points) become the unknown token. Default 100. */
  maxInputCharsPerWord?: number;
  /** Extra tokens kept whole when they appear in the text (added special tokens). */
  specialTokens?: readonly string[];
  /** How special tokens wrap one sequence or a pair. Default BERT's [CLS] A [SEP] (B [SEP]). */
  template?: PostTemplate;
  /**
   * Match Hugging Face's Rust tokenizers where they differ from the Python BERT reference:
   * lowercasing one code point at a time (a word-final "Σ" becomes "σ", not "ς"), and when
   * both halves of a pair must be cut, the longer half keeps the odd leftover token (the
   * reference cuts B on ties). Default false; `fromTokenizerJson` turns it on.
   */
  hfCompat?: boolean;
  /** Applied when `encode` gets no `maxLength` (a tokenizer.json's truncation setting). */
  defaultMaxLength?: number;
}

/** One piece of a post-processing template: a special token or the A/B sequence. */
export type TemplatePiece =
  | { kind: 'special'; token: string; typeId: number; /** Overrides the vocabulary id (tokenizer.json templates carry their own). */ id?: number }
  | { kind: 'sequence'; sequence: 'A' | 'B'; typeId: number };

export interface PostTemplate {
  single: TemplatePiece[];
  pair: TemplatePiece[];
}

export interface EncodeOptions {
  /** Longest output (special tokens included). */
  maxLength?: number;
  /** 'max_length' pads to `maxLength`; 'longest' is a no-op for one text. Default false. */
  padding?: 'max_length' | 'longest' | false;
  /** Cut to `maxLength`; pairs lose tokens from the longer side first. Default true when `maxLength` is set. */
  truncation?: boolean;
  addSpecialTokens?: boolean;
  /** Second sequence (token type 1). */
  pair?: string;
}

export interface Encoding {
  inputIds: number[];
  attentionMask: number[];
  tokenTypeIds: number[];
  tokens: string[];
}

export interface BatchEncodeOptions extends Omit<EncodeOptions, 'pair' | 'padding'> {
  /** Default 'longest'. false only works when every text has the same length. */
  padding?: 'max_length' | 'longest' | false;
  /** Second sequences, one per text. */
  pairs?: readonly string[];
  /** Element type of the output tensors. Default 'int64' (what ONNX BERT exports take). */
  dtype?: 'int64' | 'int32';
}

export interface BatchEncoding {
  inputIds: Tensor<'int64' | 'int32'>;
  attentionMask: Tensor<'int64' | 'int32'>;
  tokenTypeIds: Tensor<'int64' | 'int32'>;
  encodings: Encoding[];
}
