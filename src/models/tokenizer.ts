import { Tensor } from '../tensor.js';
import { basicTokenize, type BasicTokenizerOptions } from './tokenizer-basic.js';
import { parseTokenizerJson } from './tokenizer-json.js';
import { TokenizerError, type BatchEncodeOptions, type BatchEncoding, type EncodeOptions, type Encoding, type PostTemplate, type WordPieceOptions } from './tokenizer-types.js';

export { TokenizerError, type BatchEncodeOptions, type BatchEncoding, type EncodeOptions, type Encoding, type PostTemplate, type TemplatePiece, type WordPieceOptions } from './tokenizer-types.js';

/**
 * WordPiece tokenizer for BERT-family models (BERT, DistilBERT, MiniLM, …): BERT's
 * BasicTokenizer followed by greedy longest-match-first WordPiece, then the [CLS]/[SEP]
 * template. Special tokens written literally in the text ("[MASK]") stay whole, as in
 * Hugging Face's tokenizers.
 */

export class WordPieceTokenizer {
  private readonly vocab: Map<string, number>;
  private readonly inverse: Map<number, string>;
  private readonly basic: BasicTokenizerOptions;
  private readonly unk: string;
  private readonly prefix: string;
  private readonly maxChars: number;
  private readonly pad: string;
  /** Longest vocabulary entry in code points: bounds the greedy match window. */
  private readonly longest: number;
  /** Special tokens kept whole when found in text; longest first, so one that prefixes another cannot win over it. */
  private readonly specials: string[];
  private readonly specialStarts: Set<string>;
  private readonly template: PostTemplate;
  private readonly defaultMaxLength: number | undefined;
  private readonly hfCompat: boolean;

  constructor(vocab: Map<string, number>, opts: WordPieceOptions = {}) {
    const lowercase = opts.lowercase ?? true;
    this.basic = {
      lowercase,
      stripAccents: opts.stripAccents ?? lowercase,
      tokenizeChineseChars: opts.tokenizeChineseChars ?? true,
      cleanText: opts.cleanText ?? true,
      charwiseLowercase: opts.hfCompat ?? false,
    };
    this.hfCompat = opts.hfCompat ?? false;
    this.vocab = vocab;
    this.inverse = new Map([...vocab].map(([t, i]) => [i, t]));
    this.unk = opts.unkToken ?? '[UNK]';
    this.prefix = opts.continuingSubwordPrefix ?? '##';
    this.maxChars = opts.maxInputCharsPerWord ?? 100;
    this.pad = opts.padToken ?? '[PAD]';
    if (!vocab.has(this.unk)) throw new TokenizerError(`WordPieceTokenizer: unknown token ${JSON.stringify(this.unk)} is not in the vocabulary`);
    if (!Number.isInteger(this.maxChars) || this.maxChars < 1) throw new TokenizerError(`WordPieceTokenizer: maxInputCharsPerWord must be a positive integer, got ${this.maxChars}`);
    let longest = 0;
    for (const t of vocab.keys()) longest = Math.max(longest, [...t].length);
    this.longest = longest;
    const cls = opts.clsToken ?? '[CLS]', sep = opts.sepToken ?? '[SEP]';
    this.template = opts.template ?? {
      single: [{ kind: 'special', token: cls, typeId: 0 }, { kind: 'sequence', sequence: 'A', typeId: 0 }, { kind: 'special', token: sep, typeId: 0 }],
      pair: [{ kind: 'special', token: cls, typeId: 0 }, { kind: 'sequence', sequence: 'A', typeId: 0 }, { kind: 'special', token: sep, typeId: 0 },
        { kind: 'sequence', sequence: 'B', typeId: 1 }, { kind: 'special', token: sep, typeId: 1 }],
    };
    const named = [this.unk, cls, sep, this.pad, opts.maskToken ?? '[MASK]', ...(opts.specialTokens ?? [])];
    this.specials = [...new Set(named.filter((t) => t && vocab.has(t)))].sort((a, b) => b.length - a.length);
    this.specialStarts = new Set(this.specials.map((t) => t[0]));
    this.defaultMaxLength = opts.defaultMaxLength;
  }

  /** From a vocab.txt (one token per line, id = line number) or the token list itself. */
  static fromVocab(vocab: string | readonly string[], opts?: WordPieceOptions): WordPieceTokenizer {
    let lines: readonly string[];
    if (typeof vocab === 'string') {
      const split = vocab.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
      if (split.length > 0 && split[split.length - 1] === '') split.pop();
      lines = split;
    } else lines = vocab;
    const map = new Map<string, number>();
    lines.forEach((t, i) => map.set(t, i));
    return new WordPieceTokenizer(map, opts);
  }

  /** From a Hugging Face tokenizer.json (string or parsed) whose model is WordPiece. */
  static fromTokenizerJson(json: string | object, overrides?: WordPieceOptions): WordPieceTokenizer {
    const { vocab, options } = parseTokenizerJson(json);
    return new WordPieceTokenizer(vocab, { ...options, ...overrides });
  }

  get vocabSize(): number { return this.vocab.size; }
  tokenToId(token: string): number | undefined { return this.vocab.get(token); }
  idToToken(id: number): string | undefined { return this.inverse.get(id); }

  /** Text -> WordPiece tokens, no special tokens added. */
  tokenize(text: string): string[] {
    if (typeof text !== 'string') throw new TokenizerError(`WordPieceTokenizer: text must be a string, got ${text === null ? 'null' : typeof text}`);
    const out: string[] = [];
    for (const part of this.splitOnSpecials(text)) {
      if (part.special) { out.push(part.text); continue; }
      for (const word of basicTokenize(part.text, this.basic)) this.wordPiece(word, out);
    }
    return out;
  }

  /** Greedy longest-match-first; a word with any unmatchable remainder is one unknown token. */
  private wordPiece(word: string, out: string[]): void {
    const chars = [...word];
    if (chars.length > this.maxChars) { out.push(this.unk); return; }
    const pieces: string[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = Math.min(chars.length, start + this.longest);
      let found: string | undefined;
      while (start < end) {
        const sub = (start > 0 ? this.prefix : '') + chars.slice(start, end).join('');
        if (this.vocab.has(sub)) { found = sub; break; }
        end--;
      }
      if (found === undefined) { out.push(this.unk); return; }
      pieces.push(found);
      start = end;
    }
    out.push(...pieces);
  }

  private splitOnSpecials(text: string): { text: string; special: boolean }[] {
    const parts: { text: string; special: boolean }[] = [];
    let from = 0, i = 0;
    while (i < text.length) {
      const hit = this.specialStarts.has(text[i]) ? this.specials.find((s) => text.startsWith(s, i)) : undefined;
      if (hit === undefined) { i++; continue; }
      if (i > from) parts.push({ text: text.slice(from, i), special: false });
      parts.push({ text: hit, special: true });
      i += hit.length;
      from = i;
    }
    if (from < text.length) parts.push({ text: text.slice(from), special: false });
    return parts;
  }

  private idOf(token: string, role: string): number {
    const id = this.vocab.get(token);
    if (id === undefined) throw new TokenizerError(`WordPieceTokenizer: ${role} token ${JSON.stringify(token)} is not in the vocabulary`);
    return id;
  }

  /** Number of special tokens the template adds around one sequence or a pair. */
  numSpecialTokens(pair: boolean): number {
    return (pair ? this.template.pair : this.template.single).filter((p) => p.kind === 'special').length;
  }

  encode(text: string, opts: EncodeOptions = {}): Encoding {
    const addSpecial = opts.addSpecialTokens ?? true;
    const maxLength = opts.maxLength ?? this.defaultMaxLength;
    const truncation = opts.truncation ?? maxLength !== undefined;
    const padding = opts.padding ?? false;
    if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 0)) throw new TokenizerError(`encode: maxLength must be a non-negative integer, got ${maxLength}`);
    if (padding === 'max_length' && maxLength === undefined) throw new TokenizerError("encode: padding 'max_length' needs maxLength");
    if (padding !== false && padding !== 'longest' && padding !== 'max_length') throw new TokenizerError(`encode: padding must be 'max_length', 'longest' or false, got ${JSON.stringify(padding)}`);
    const isPair = opts.pair !== undefined;
    let a = this.tokenize(text);
    let b = isPair ? this.tokenize(opts.pair!) : [];
    if (truncation && maxLength !== undefined) {
      const budget = maxLength - (addSpecial ? this.numSpecialTokens(isPair) : 0);
      if (budget < 0) throw new TokenizerError(`encode: maxLength ${maxLength} is shorter than the ${maxLength - budget} special tokens the template adds`);
      [a, b] = (this.hfCompat ? truncatePairBalanced : truncatePair)(a, b, budget);
    }
    const enc: Encoding = { inputIds: [], attentionMask: [], tokenTypeIds: [], tokens: [] };
    const push = (tok: string, typeId: number, id: number) => {
      enc.tokens.push(tok); enc.inputIds.push(id); enc.tokenTypeIds.push(typeId); enc.attentionMask.push(1);
    };
    const pushSeq = (seq: string[], typeId: number) => { for (const t of seq) push(t, typeId, this.vocab.get(t)!); };
    if (!addSpecial) {
      pushSeq(a, 0);
      pushSeq(b, 1);
    } else {
      for (const piece of isPair ? this.template.pair : this.template.single) {
        if (piece.kind === 'special') push(piece.token, piece.typeId, piece.id ?? this.idOf(piece.token, 'special'));
        else pushSeq(piece.sequence === 'A' ? a : b, piece.typeId);
      }
    }
    if (padding === 'max_length') this.padTo(enc, maxLength!);
    return enc;
  }

  /** Pads in place (right side) with the padding token, mask 0, type 0. */
  padTo(enc: Encoding, length: number): void {
    if (enc.inputIds.length >= length) return;
    const padId = this.idOf(this.pad, 'padding');
    while (enc.inputIds.length < length) {
      enc.tokens.push(this.pad); enc.inputIds.push(padId); enc.tokenTypeIds.push(0); enc.attentionMask.push(0);
    }
  }

  /** Encodes and pads several texts into [batch, seq] tensors ready for a session's feeds. */
  encodeBatch(texts: readonly string[], opts: BatchEncodeOptions = {}): BatchEncoding {
    if (!Array.isArray(texts)) throw new TokenizerError('encodeBatch: texts must be an array of strings');
    const { pairs, dtype = 'int64', padding = 'longest', ...rest } = opts;
    if (pairs !== undefined && pairs.length !== texts.length) throw new TokenizerError(`encodeBatch: ${texts.length} texts but ${pairs.length} pairs`);
    if (dtype !== 'int64' && dtype !== 'int32') throw new TokenizerError(`encodeBatch: dtype must be 'int64' or 'int32', got ${JSON.stringify(dtype)}`);
    const encodings = texts.map((t, i) => this.encode(t, { ...rest, padding: padding === 'max_length' ? 'max_length' : false, pair: pairs?.[i] }));
    const seq = encodings.reduce((m, e) => Math.max(m, e.inputIds.length), 0);
    if (padding === 'longest') for (const e of encodings) this.padTo(e, seq);
    const bad = encodings.findIndex((e) => e.inputIds.length !== seq);
    if (bad >= 0) throw new TokenizerError(`encodeBatch: text ${bad} has ${encodings[bad].inputIds.length} tokens but others have ${seq}; use padding 'longest' or 'max_length' (with truncation)`);
    const tensor = (pick: (e: Encoding) => number[]) => {
      const flat = encodings.flatMap(pick);
      return dtype === 'int64'
        ? new Tensor('int64', [encodings.length, seq], BigInt64Array.from(flat, BigInt))
        : new Tensor('int32', [encodings.length, seq], Int32Array.from(flat));
    };
    return { inputIds: tensor((e) => e.inputIds), attentionMask: tensor((e) => e.attentionMask), tokenTypeIds: tensor((e) => e.tokenTypeIds), encodings };
  }

  /** Ids -> text: joins "##" continuations to the previous piece. */
  decode(ids: ArrayLike<number | bigint>, opts: { skipSpecialTokens?: boolean } = {}): string {
    const skip = opts.skipSpecialTokens ?? true;
    const specialSet = new Set(this.specials);
    let out = '';
    for (let i = 0; i < ids.length; i++) {
      const tok = this.inverse.get(Number(ids[i])) ?? this.unk;
      if (skip && specialSet.has(tok) && tok !== this.unk) continue;
      if (tok.startsWith(this.prefix) && out) out += tok.slice(this.prefix.length);
      else out += (out ? ' ' : '') + tok;
    }
    return out;
  }
}

/** BERT's _truncate_seq_pair: drop the last token of the longer sequence (B on ties) until both fit. */
function truncatePair(a: string[], b: string[], budget: number): [string[], string[]] {
  let na = a.length, nb = b.length;
  while (na + nb > budget) {
    if (na > nb) na--;
    else nb--;
  }
  return [a.slice(0, na), b.slice(0, nb)];
}

/**
 * HF tokenizers' LongestFirst: keep the shorter side whole when the longer can absorb the
 * cut, else split the budget evenly with the odd token going to the longer side.
 */
function truncatePairBalanced(a: string[], b: string[], budget: number): [string[], string[]] {
  if (a.length + b.length <= budget) return [a, b];
  const swap = a.length > b.length;
  let short = swap ? b.length : a.length, long: number;
  if (short > Math.floor(budget / 2)) {
    short = Math.floor(budget / 2);
    long = short + (budget % 2);
  } else long = budget - short;
  return swap ? [a.slice(0, long), b.slice(0, short)] : [a.slice(0, short), b.slice(0, long)];
}
