import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WordPieceTokenizer, TokenizerError } from '../../src/models/tokenizer.js';
import { DEMO_VOCAB } from '../../src/models/vocab-demo.js';
import { RUNS } from '../util/numerics.js';

// The vocab from BERT's tokenization_test.py plus what the cases below need; ids = line numbers.
const VOCAB = [
  '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'want', '##want', '##ed', 'wa', 'un', 'runn', '##ing', ',',
  '##aff', '##able', 'hello', 'world', '!', '?', "'", '.', 'don', 't', 'u', 's', 'a', '##a', '你', '好', '世', '界',
  'i', 'love', '🍕', 'how', 'are', 'you', 'héllo',
].join('\n') + '\n';
const id = (tok: string) => VOCAB.split('\n').indexOf(tok);

function tokenizer(opts = {}) { return WordPieceTokenizer.fromVocab(VOCAB, opts); }

describe('WordPieceTokenizer.tokenize', () => {
  const tk = tokenizer();
  it('greedy longest-match-first with ## continuations (tokenization_test.py)', () => {
    expect(tk.tokenize('unwanted running')).toEqual(['un', '##want', '##ed', 'runn', '##ing']);
    expect(tk.tokenize('unaffable')).toEqual(['un', '##aff', '##able']);
  });
  it('a word with an unmatchable remainder is one [UNK]', () => {
    expect(tk.tokenize('unwantedX running')).toEqual(['[UNK]', 'runn', '##ing']);
    expect(tk.tokenize('zebra hello')).toEqual(['[UNK]', 'hello']);
  });
  it('words longer than maxInputCharsPerWord are [UNK]; exactly the limit still splits', () => {
    expect(tk.tokenize('a'.repeat(101))).toEqual(['[UNK]']);
    expect(tk.tokenize('a'.repeat(100))).toEqual(['a', ...Array(99).fill('##a')]);
    expect(tokenizer({ maxInputCharsPerWord: 3 }).tokenize('aaa aaaa')).toEqual(['a', '##a', '##a', '[UNK]']);
    // The limit counts code points, not UTF-16 units: 3 emoji are 3 characters.
    expect(tokenizer({ maxInputCharsPerWord: 3 }).tokenize('🍕🍕🍕')).toEqual(['[UNK]']);
  });
  it('normalises accents, case and punctuation before WordPiece', () => {
    expect(tk.tokenize('Héllo Wörld!')).toEqual(['hello', 'world', '!']);
    expect(tk.tokenize("Don't")).toEqual(['don', "'", 't']);
    expect(tk.tokenize('U.S.A.')).toEqual(['u', '.', 's', '.', 'a', '.']);
    expect(tk.tokenize('hello!!!')).toEqual(['hello', '!', '!', '!']);
  });
  it('cased tokenizer keeps the accent and capitals', () => {
    expect(tokenizer({ lowercase: false }).tokenize('héllo Héllo')).toEqual(['héllo', '[UNK]']);
  });
  it('splits CJK per character', () => {
    expect(tk.tokenize('你好世界')).toEqual(['你', '好', '世', '界']);
  });
  it('drops control characters and collapses whitespace', () => {
    expect(tk.tokenize('\thel\u0000lo\u0007\n\n  wor\ufffdld\r\n')).toEqual(['hello', 'world']);
  });
  it('emoji: known as a word, unknown when glued to letters without a ## piece', () => {
    expect(tk.tokenize('I love 🍕!')).toEqual(['i', 'love', '🍕', '!']);
    expect(tk.tokenize('love🍕')).toEqual(['[UNK]']);
    expect(tk.tokenize('😀')).toEqual(['[UNK]']);
  });
  it('special tokens written in the text stay whole', () => {
    expect(tk.tokenize('hello [MASK] world[SEP]')).toEqual(['hello', '[MASK]', 'world', '[SEP]']);
    // Matching is exact (case-sensitive): "[mask]" is ordinary text: "[", "mask", "]", none in this vocab.
    expect(tk.tokenize('[mask]')).toEqual(['[UNK]', '[UNK]', '[UNK]']);
  });
  it('empty text has no tokens', () => {
    expect(tk.tokenize('')).toEqual([]);
  });
  it('rejects a vocabulary without the unknown token and non-string text', () => {
    expect(() => WordPieceTokenizer.fromVocab(['a', 'b'])).toThrow(/unknown token "\[UNK\]" is not in the vocabulary/);
    expect(() => tk.tokenize(5 as unknown as string)).toThrow(TokenizerError);
  });
});

describe('WordPieceTokenizer.encode', () => {
  const tk = tokenizer();
  it('wraps one sequence in [CLS] ... [SEP] with ids, mask and type ids', () => {
    const e = tk.encode('hello world');
    expect(e.tokens).toEqual(['[CLS]', 'hello', 'world', '[SEP]']);
    expect(e.inputIds).toEqual([2, id('hello'), id('world'), 3]);
    expect(e.attentionMask).toEqual([1, 1, 1, 1]);
    expect(e.tokenTypeIds).toEqual([0, 0, 0, 0]);
  });
  it('empty string encodes to [CLS] [SEP]', () => {
    expect(tk.encode('').tokens).toEqual(['[CLS]', '[SEP]']);
    expect(tk.encode('', { addSpecialTokens: false }).inputIds).toEqual([]);
  });
  it('pairs: [CLS] A [SEP] B [SEP], type ids 0 for A and its [SEP], 1 for B and the last [SEP]', () => {
    const e = tk.encode('hello', { pair: 'how are you' });
    expect(e.tokens).toEqual(['[CLS]', 'hello', '[SEP]', 'how', 'are', 'you', '[SEP]']);
    expect(e.tokenTypeIds).toEqual([0, 0, 0, 1, 1, 1, 1]);
    expect(e.attentionMask).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });
  it('pads to max_length with [PAD] id 0, mask 0, type 0', () => {
    const e = tk.encode('hello', { maxLength: 6, padding: 'max_length' });
    expect(e.tokens).toEqual(['[CLS]', 'hello', '[SEP]', '[PAD]', '[PAD]', '[PAD]']);
    expect(e.inputIds).toEqual([2, id('hello'), 3, 0, 0, 0]);
    expect(e.attentionMask).toEqual([1, 1, 1, 0, 0, 0]);
    expect(e.tokenTypeIds).toEqual([0, 0, 0, 0, 0, 0]);
  });
  it('truncates one sequence to maxLength, keeping the final [SEP]', () => {
    const e = tk.encode('hello world hello world', { maxLength: 4 });
    expect(e.tokens).toEqual(['[CLS]', 'hello', 'world', '[SEP]']);
    expect(tk.encode('hello world hello world', { maxLength: 4, truncation: false }).tokens).toHaveLength(6);
  });
  it('truncates pairs longest-first, taking from B on ties (BERT _truncate_seq_pair)', () => {
    // A = 5 tokens, B = 2; budget 7 - 3 = 4: A loses 3 -> 2 + 2.
    expect(tk.encode('hello world hello world hello', { pair: 'how are', maxLength: 7 }).tokens)
      .toEqual(['[CLS]', 'hello', 'world', '[SEP]', 'how', 'are', '[SEP]']);
    // A = 5, B = 5, budget 5: 5/5 -> 5/4 -> 4/4 -> 4/3 -> 3/3 -> 3/2.
    const e = tk.encode('hello world hello world hello', { pair: 'how are you how are', maxLength: 8 });
    expect(e.tokens).toEqual(['[CLS]', 'hello', 'world', 'hello', '[SEP]', 'how', 'are', '[SEP]']);
    expect(e.tokenTypeIds).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
    // The shorter side is untouched while the longer one can absorb the cut.
    expect(tk.encode('hello', { pair: 'how are you how are', maxLength: 6 }).tokens).toEqual(['[CLS]', 'hello', '[SEP]', 'how', 'are', '[SEP]']);
  });
  it('errors clearly on impossible settings', () => {
    expect(() => tk.encode('hello', { maxLength: 2, pair: 'you' })).toThrow(/maxLength 2 is shorter than the 3 special tokens/);
    expect(() => tk.encode('hello', { padding: 'max_length' })).toThrow(/needs maxLength/);
    expect(() => tk.encode('hello', { maxLength: -1 })).toThrow(/non-negative integer/);
    expect(() => WordPieceTokenizer.fromVocab(['[UNK]', 'a']).encode('a')).toThrow(/special token "\[CLS\]" is not in the vocabulary/);
    expect(() => WordPieceTokenizer.fromVocab(['[UNK]', 'a']).encode('a', { addSpecialTokens: false, maxLength: 3, padding: 'max_length' }))
      .toThrow(/padding token "\[PAD\]"/);
  });
});

describe('WordPieceTokenizer.encodeBatch', () => {
  const tk = tokenizer();
  it('pads to the longest and returns int64 [batch, seq] tensors', () => {
    const b = tk.encodeBatch(['hello world', 'hello', '']);
    expect(b.inputIds.dtype).toBe('int64');
    expect(b.inputIds.shape).toEqual([3, 4]);
    expect(b.inputIds.toArray()).toEqual([2, id('hello'), id('world'), 3, 2, id('hello'), 3, 0, 2, 3, 0, 0]);
    expect(b.attentionMask.toArray()).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0]);
    expect(b.tokenTypeIds.toArray()).toEqual(new Array(12).fill(0));
    expect(b.encodings[1].tokens).toEqual(['[CLS]', 'hello', '[SEP]', '[PAD]']);
  });
  it('max_length padding with truncation, pairs, and int32 output', () => {
    const b = tk.encodeBatch(['hello world hello', 'hello'], { maxLength: 5, padding: 'max_length', pairs: ['you', 'how are'], dtype: 'int32' });
    expect(b.inputIds.dtype).toBe('int32');
    expect(b.inputIds.shape).toEqual([2, 5]);
    expect(b.encodings[0].tokens).toEqual(['[CLS]', 'hello', '[SEP]', 'you', '[SEP]']);
    expect(b.encodings[1].tokens).toEqual(['[CLS]', 'hello', '[SEP]', 'how', '[SEP]']);
    expect(b.tokenTypeIds.toArray()).toEqual([0, 0, 0, 1, 1, 0, 0, 0, 1, 1]);
  });
  it('rejects mismatched pairs and unpadded ragged batches', () => {
    expect(() => tk.encodeBatch(['a', 'b'], { pairs: ['a'] })).toThrow(/2 texts but 1 pairs/);
    expect(() => tk.encodeBatch(['hello world', 'hello'], { padding: false })).toThrow(/text 1 has 3 tokens but others have 4/);
  });
  it('empty batch is a [0, 0] tensor', () => {
    expect(tk.encodeBatch([]).inputIds.shape).toEqual([0, 0]);
  });
});

describe('decode and the demo vocabulary', () => {
  const demo = WordPieceTokenizer.fromVocab(DEMO_VOCAB);
  it('the demo vocab has BERT special tokens at the expected ids and no duplicates', () => {
    expect(DEMO_VOCAB.slice(0, 5)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    expect(new Set(DEMO_VOCAB).size).toBe(DEMO_VOCAB.length);
    expect(DEMO_VOCAB.length).toBeGreaterThan(300);
  });
  it('decode joins ## pieces and drops special tokens', () => {
    const e = demo.encode('The unaffable cats played!');
    expect(e.tokens).toEqual(['[CLS]', 'the', 'un', '##aff', '##able', 'cat', '##s', 'play', '##ed', '!', '[SEP]']);
    expect(demo.decode(e.inputIds)).toBe('the unaffable cats played !');
    expect(demo.decode(e.inputIds, { skipSpecialTokens: false })).toBe('[CLS] the unaffable cats played ! [SEP]');
  });
  it('property: any lowercase ASCII words round-trip through encode/decode with the demo vocab (no [UNK])', () => {
    const word = fc.stringMatching(/^[a-z0-9]{1,12}$/);
    fc.assert(fc.property(fc.array(word, { minLength: 0, maxLength: 8 }), (words) => {
      const text = words.join(' ');
      const enc = demo.encode(text);
      expect(enc.tokens).not.toContain('[UNK]');
      expect(demo.decode(enc.inputIds)).toBe(text);
    }), { numRuns: RUNS });
  });
  it('property: tokens are always vocabulary entries and ids agree with them', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
      const enc = demo.encode(text);
      enc.tokens.forEach((t, i) => expect(demo.tokenToId(t)).toBe(enc.inputIds[i]));
    }), { numRuns: RUNS });
  });
});
