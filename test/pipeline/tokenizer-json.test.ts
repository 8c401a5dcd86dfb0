import { describe, expect, it } from 'vitest';
import { WordPieceTokenizer } from '../../src/models/tokenizer.js';

const TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'hello', 'world', 'Hello', '!', 'un', '##aff', '##able', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'σ', 'ς', '##σ', '##ς', 'ο', '##δ', '##ο'];
// Ids deliberately not equal to positions, as in real files (bert-base: [CLS] = 101).
const vocab = Object.fromEntries(TOKENS.map((t, i) => [t, i + 100]));

/** A tokenizer.json shaped like the ones Hugging Face writes for bert-base-uncased. */
function tokenizerJson(over: Record<string, unknown> = {}) {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((c) => ({ id: vocab[c], content: c, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
    ...over,
  };
}

describe('WordPieceTokenizer.fromTokenizerJson', () => {
  it('reads vocab ids, normalizer, template and special tokens (JSON string or object)', () => {
    for (const src of [tokenizerJson(), JSON.stringify(tokenizerJson())]) {
      const tk = WordPieceTokenizer.fromTokenizerJson(src);
      const e = tk.encode('Héllo, unaffable WORLD!', { pair: 'hello [MASK]' });
      expect(e.tokens).toEqual(['[CLS]', 'hello', '[UNK]', 'un', '##aff', '##able', 'world', '!', '[SEP]', 'hello', '[MASK]', '[SEP]']);
      expect(e.inputIds).toEqual(e.tokens.map((t) => (t === '[UNK]' ? 101 : vocab[t])));
      expect(e.tokenTypeIds).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    }
  });
  it('agrees with fromVocab on the same vocabulary and settings for single sequences', () => {
    const a = WordPieceTokenizer.fromTokenizerJson(tokenizerJson());
    const ordered = Object.entries(vocab).sort((x, y) => x[1] - y[1]).map(([t]) => t);
    const b = WordPieceTokenizer.fromVocab(ordered);
    for (const text of ['hello world!', 'unaffable', ' \t HELLO\u0000 ', 'abc defgh', '']) {
      expect(a.encode(text).tokens, text).toEqual(b.encode(text).tokens);
    }
  });
  it('cased normalizer keeps case; strip_accents null follows lowercase', () => {
    const cased = WordPieceTokenizer.fromTokenizerJson(tokenizerJson({ normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: false } }));
    expect(cased.tokenize('Hello hello HELLO')).toEqual(['Hello', 'hello', '[UNK]']);
    const stripped = WordPieceTokenizer.fromTokenizerJson(tokenizerJson({ normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: true, lowercase: false } }));
    expect(stripped.tokenize('Héllo')).toEqual(['Hello']);
  });
  it('BertProcessing post-processor with its own ids', () => {
    const tk = WordPieceTokenizer.fromTokenizerJson(tokenizerJson({ post_processor: { type: 'BertProcessing', sep: ['[SEP]', 7], cls: ['[CLS]', 9] } }));
    const e = tk.encode('hello', { pair: 'world' });
    expect(e.inputIds).toEqual([9, vocab.hello, 7, vocab.world, 7]);
    expect(e.tokenTypeIds).toEqual([0, 0, 0, 1, 1]);
  });
  it('truncation.max_length becomes the default maxLength', () => {
    const tk = WordPieceTokenizer.fromTokenizerJson(tokenizerJson({ truncation: { direction: 'Right', max_length: 4, strategy: 'LongestFirst', stride: 0 } }));
    expect(tk.encode('a b c d e f').tokens).toEqual(['[CLS]', 'a', 'b', '[SEP]']);
    expect(tk.encode('a b c d e f', { maxLength: 5 }).tokens).toEqual(['[CLS]', 'a', 'b', 'c', '[SEP]']);
  });
  it('matches HF tokenizers where it differs from the Python reference (hfCompat)', () => {
    const hf = WordPieceTokenizer.fromTokenizerJson(tokenizerJson());
    const ordered = Object.entries(vocab).sort((x, y) => x[1] - y[1]).map(([t]) => t);
    const ref = WordPieceTokenizer.fromVocab(ordered);
    // Word-final capital sigma: Python's str.lower gives ς, Rust's per-char lowercase gives σ.
    expect(ref.tokenize('ΟΔΟΣ')).toEqual(['ο', '##δ', '##ο', '##ς']);
    expect(hf.tokenize('ΟΔΟΣ')).toEqual(['ο', '##δ', '##ο', '##σ']);
    // Pair of 5 + 5 into a budget of 5: the reference cuts B first on ties (A 3, B 2);
    // HF splits evenly with the odd token to the longer (here, equal: B) side (A 2, B 3).
    expect(ref.encode('a b c d e', { pair: 'd e f g h', maxLength: 8 }).tokens).toEqual(['[CLS]', 'a', 'b', 'c', '[SEP]', 'd', 'e', '[SEP]']);
    expect(hf.encode('a b c d e', { pair: 'd e f g h', maxLength: 8 }).tokens).toEqual(['[CLS]', 'a', 'b', '[SEP]', 'd', 'e', 'f', '[SEP]']);
    // 3 + 5 into 5: the reference keeps A whole, HF gives A 2 and B 3.
    expect(ref.encode('a b c', { pair: 'd e f g h', maxLength: 8 }).tokens).toEqual(['[CLS]', 'a', 'b', 'c', '[SEP]', 'd', 'e', '[SEP]']);
    expect(hf.encode('a b c', { pair: 'd e f g h', maxLength: 8 }).tokens).toEqual(['[CLS]', 'a', 'b', '[SEP]', 'd', 'e', 'f', '[SEP]']);
  });
  it('refuses what it cannot honour, by name', () => {
    expect(() => WordPieceTokenizer.fromTokenizerJson('{nope')).toThrow(/tokenizer.json: not valid JSON/);
    expect(() => WordPieceTokenizer.fromTokenizerJson(tokenizerJson({ model: { type: 'BPE', vocab: {}, merges: [] } }))).toThrow(/model.type is "BPE"; only WordPiece/);
    expect(() => WordPieceTokenizer.fromTokenizerJson(tokenizerJson({ normalizer: { type: 'NFKC' } }))).toThrow(/normalizer.type "NFKC" is not supported/);
    expect(() => WordPieceTokenizer.fromTokenizerJson(tokenizerJson({ pre_tokenizer: { type: 'Whitespace' } }))).toThrow(/pre_tokenizer.type "Whitespace"/);
    expect(() => WordPieceTokenizer.fromTokenizerJson(tokenizerJson({ post_processor: { type: 'RobertaProcessing' } }))).toThrow(/post_processor.type "RobertaProcessing"/);
    expect(() => WordPieceTokenizer.fromTokenizerJson(tokenizerJson({ model: { type: 'WordPiece', vocab: { a: -1 } } }))).toThrow(/model.vocab\["a"\] must be a non-negative integer/);
    expect(() => WordPieceTokenizer.fromTokenizerJson({})).toThrow(/model must be an object/);
  });
});
