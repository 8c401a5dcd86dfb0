import { describe, expect, it } from 'vitest';
import { basicTokenize, isBertControl, isBertPunctuation, isBertWhitespace, isCjkIdeograph, type BasicTokenizerOptions } from '../../src/models/tokenizer-basic.js';

// Expected tokens below are worked out by hand from BERT's BasicTokenizer (tokenization.py):
// clean text -> space CJK -> whitespace split -> lowercase + strip accents -> punctuation split.
const uncased: BasicTokenizerOptions = { cleanText: true, tokenizeChineseChars: true, lowercase: true, stripAccents: true };
const cased: BasicTokenizerOptions = { ...uncased, lowercase: false, stripAccents: false };

describe('BERT character classes', () => {
  it('whitespace: space, \\t, \\n, \\r and Zs; not letters or line separators', () => {
    for (const c of [' ', '\t', '\n', '\r', '\u00a0', '\u3000', '\u2009']) expect(isBertWhitespace(c), JSON.stringify(c)).toBe(true);
    for (const c of ['A', '-', '\u2028', '\u0005']) expect(isBertWhitespace(c), JSON.stringify(c)).toBe(false);
  });
  it('control: C* categories except \\t \\n \\r', () => {
    for (const c of ['\u0005', '\u0000', '\u200b', '\u200d', '\u00ad', '\ue000']) expect(isBertControl(c), JSON.stringify(c)).toBe(true);
    for (const c of ['A', ' ', '\t', '\n', '\r', '\u00a0']) expect(isBertControl(c), JSON.stringify(c)).toBe(false);
  });
  it('punctuation: all non-alphanumeric ASCII plus Unicode P*', () => {
    for (const c of ['-', '$', '`', '.', '^', '~', '+', '<', '|', '¿', '«', '»', '、', '。', '—', '…']) expect(isBertPunctuation(c), c).toBe(true);
    for (const c of ['A', ' ', '5', '©', '€', '😀', '\u00b0']) expect(isBertPunctuation(c), c).toBe(false);
  });
  it('CJK ideographs are the Unified Ideograph blocks, not kana or hangul', () => {
    for (const c of ['你', '世', '\u3400', '\u{20000}', '\uf900']) expect(isCjkIdeograph(c.codePointAt(0)!), c).toBe(true);
    for (const c of ['あ', 'カ', '한', 'a', '。']) expect(isCjkIdeograph(c.codePointAt(0)!), c).toBe(false);
  });
});

describe('basicTokenize (BERT reference behaviour)', () => {
  it('lowercases and splits punctuation (tokenization_test.py test_basic_tokenizer_lower)', () => {
    expect(basicTokenize(' \tHeLLo!how  \n Are yoU?  ', uncased)).toEqual(['hello', '!', 'how', 'are', 'you', '?']);
  });
  it('keeps case when not lowercasing (test_basic_tokenizer_no_lower)', () => {
    expect(basicTokenize(' \tHeLLo!how  \n Are yoU?  ', cased)).toEqual(['HeLLo', '!', 'how', 'Are', 'yoU', '?']);
  });
  it('strips accents by NFD + dropping Mn', () => {
    expect(basicTokenize('Héllo Wörld', uncased)).toEqual(['hello', 'world']);
    expect(basicTokenize('Héllo Wörld', cased)).toEqual(['Héllo', 'Wörld']);
    expect(basicTokenize('Héllo Wörld', { ...cased, stripAccents: true })).toEqual(['Hello', 'World']);
    // Precomposed and decomposed input give the same token.
    expect(basicTokenize('cafe\u0301 café', uncased)).toEqual(['cafe', 'cafe']);
  });
  it('leaves accent-stripped text decomposed (hangul syllables become jamo), as the reference does', () => {
    expect(basicTokenize('한국', uncased)).toEqual(['\u1112\u1161\u11ab\u1100\u116e\u11a8']);
    expect(basicTokenize('한국', cased)).toEqual(['한국']);
  });
  it('pads CJK ideographs with spaces so each is a word', () => {
    expect(basicTokenize('你好世界', uncased)).toEqual(['你', '好', '世', '界']);
    expect(basicTokenize('ah\u535A\u63A8zz', uncased)).toEqual(['ah', '\u535A', '\u63A8', 'zz']);
    expect(basicTokenize('你好世界', { ...uncased, tokenizeChineseChars: false })).toEqual(['你好世界']);
    // Kana is not in BERT's CJK ranges: one word; 。 is punctuation.
    expect(basicTokenize('こんにちは。', uncased)).toEqual(['こんにちは', '。']);
  });
  it('splits every punctuation character on its own', () => {
    expect(basicTokenize("don't", uncased)).toEqual(['don', "'", 't']);
    expect(basicTokenize('U.S.A.', uncased)).toEqual(['u', '.', 's', '.', 'a', '.']);
    expect(basicTokenize('hello!!!', uncased)).toEqual(['hello', '!', '!', '!']);
    expect(basicTokenize('$5.00 e-mail «quoted»', uncased)).toEqual(['$', '5', '.', '00', 'e', '-', 'mail', '«', 'quoted', '»']);
    // Symbols (So/Sc) are not punctuation: they stay inside the word.
    expect(basicTokenize('©2024 5€', uncased)).toEqual(['©2024', '5€']);
  });
  it('removes control characters, NUL and U+FFFD; keeps what is around them joined', () => {
    expect(basicTokenize('hel\u0000lo\u0007 wor\ufffdld\u200b', uncased)).toEqual(['hello', 'world']);
    // ZWJ emoji sequence: the U+200D joiners (Cf) are dropped.
    expect(basicTokenize('\u{1F468}\u200d\u{1F469}\u200d\u{1F467}', uncased)).toEqual(['\u{1F468}\u{1F469}\u{1F467}']);
  });
  it('normalises runs of spaces, tabs, newlines and Unicode spaces', () => {
    expect(basicTokenize('  a\t\tb\n\nc\r\nd\u00a0e\u3000f  ', uncased)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(basicTokenize('line\u2028break', uncased)).toEqual(['line', 'break']);
  });
  it('empty and all-whitespace text give no words', () => {
    expect(basicTokenize('', uncased)).toEqual([]);
    expect(basicTokenize(' \t\n\u0000 ', uncased)).toEqual([]);
  });
  it('emoji are neither punctuation nor whitespace', () => {
    expect(basicTokenize('I love 🍕!', uncased)).toEqual(['i', 'love', '🍕', '!']);
    expect(basicTokenize('hi😀there', uncased)).toEqual(['hi😀there']);
  });
});
