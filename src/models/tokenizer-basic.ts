/**
 * BERT's BasicTokenizer: text cleanup, CJK spacing, lowercasing, accent stripping and
 * punctuation splitting, producing the words WordPiece then splits. Written to match the
 * reference (google-research/bert tokenization.py, and HF's BertNormalizer +
 * BertPreTokenizer), character classes included.
 */

export interface BasicTokenizerOptions {
  /** Drop control characters, U+0000 and U+FFFD; map every whitespace to a space. */
  cleanText: boolean;
  /** Put spaces around CJK ideographs so each becomes its own word. */
  tokenizeChineseChars: boolean;
  lowercase: boolean;
  /** Lowercase code point by code point, without Unicode's final-sigma context rule (HF tokenizers). */
  charwiseLowercase?: boolean;
  /** NFD-decompose and drop combining marks (category Mn). */
  stripAccents: boolean;
}

const MN = /\p{Mn}/u;
const ZS = /\p{Zs}/u;
const OTHER = /\p{C}/u;
const PUNCT = /\p{P}/u;
const SPLIT = /\s+/u;

/** BERT's _is_whitespace: space, \t, \n, \r and category Zs. */
export function isBertWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ZS.test(ch);
}

/** BERT's _is_control: category C* except \t, \n, \r (which count as whitespace). */
export function isBertControl(ch: string): boolean {
  if (ch === '\t' || ch === '\n' || ch === '\r') return false;
  return OTHER.test(ch);
}

/**
 * BERT's _is_punctuation: all non-alphanumeric ASCII (so "$", "^", "`" split even though
 * Unicode calls them symbols) plus every Unicode P* category.
 */
export function isBertPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  return PUNCT.test(ch);
}

/**
 * BERT's _is_chinese_char: the CJK Unified Ideographs blocks (and extensions A–E,
 * compatibility ideographs). Not Hiragana, Katakana or Hangul: those are written with
 * spaces and tokenized as ordinary words.
 */
export function isCjkIdeograph(cp: number): boolean {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) || (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

/** Removes combining marks after NFD. The result stays decomposed, as in the reference. */
export function stripAccents(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFD')) if (!MN.test(ch)) out += ch;
  return out;
}

function clean(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0 || cp === 0xfffd || isBertControl(ch)) continue;
    out += isBertWhitespace(ch) ? ' ' : ch;
  }
  return out;
}

function spaceCjk(text: string): string {
  let out = '';
  for (const ch of text) out += isCjkIdeograph(ch.codePointAt(0)!) ? ` ${ch} ` : ch;
  return out;
}

function splitPunctuation(word: string, out: string[]): void {
  let cur = '';
  for (const ch of word) {
    if (isBertPunctuation(ch)) {
      if (cur) out.push(cur);
      out.push(ch);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
}

function lowerEachChar(word: string): string {
  let out = '';
  for (const ch of word) out += ch.toLowerCase();
  return out;
}

/** Text -> words (before WordPiece). */
export function basicTokenize(text: string, opts: BasicTokenizerOptions): string[] {
  let t = opts.cleanText ? clean(text) : text;
  if (opts.tokenizeChineseChars) t = spaceCjk(t);
  const out: string[] = [];
  for (let word of t.split(SPLIT)) {
    if (!word) continue;
    if (opts.lowercase) word = opts.charwiseLowercase ? lowerEachChar(word) : word.toLowerCase();
    if (opts.stripAccents) word = stripAccents(word);
    splitPunctuation(word, out);
  }
  return out;
}
