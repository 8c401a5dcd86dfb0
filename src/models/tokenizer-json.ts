import { TokenizerError, type PostTemplate, type TemplatePiece, type WordPieceOptions } from './tokenizer-types.js';

/**
 * Reads the parts of a Hugging Face tokenizer.json that a BERT-style WordPiece tokenizer
 * uses: model (WordPiece vocab, unk, prefix, max chars), normalizer (BertNormalizer),
 * pre_tokenizer (BertPreTokenizer), post_processor (TemplateProcessing or BertProcessing),
 * added_tokens and truncation.max_length. Anything else that would change the tokens is
 * refused by name rather than silently ignored.
 */

type Json = Record<string, unknown>;

function fail(msg: string): never {
  throw new TokenizerError(`tokenizer.json: ${msg}`);
}

function obj(x: unknown, what: string): Json {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) fail(`${what} must be an object`);
  return x as Json;
}

export function parseTokenizerJson(input: string | object): { vocab: Map<string, number>; options: WordPieceOptions } {
  let root: Json;
  if (typeof input === 'string') {
    let parsed: unknown;
    try { parsed = JSON.parse(input); } catch (e) { fail(`not valid JSON (${(e as Error).message})`); }
    root = obj(parsed, 'root');
  } else root = obj(input, 'root');
  const model = obj(root.model, 'model');
  if (model.type !== undefined && model.type !== 'WordPiece') fail(`model.type is ${JSON.stringify(model.type)}; only WordPiece is supported`);
  const vocabObj = obj(model.vocab, 'model.vocab');
  const vocab = new Map<string, number>();
  for (const [tok, id] of Object.entries(vocabObj)) {
    if (!Number.isInteger(id) || (id as number) < 0) fail(`model.vocab[${JSON.stringify(tok)}] must be a non-negative integer id, got ${JSON.stringify(id)}`);
    vocab.set(tok, id as number);
  }
  const options: WordPieceOptions = { hfCompat: true };
  if (typeof model.unk_token === 'string') options.unkToken = model.unk_token;
  if (typeof model.continuing_subword_prefix === 'string') options.continuingSubwordPrefix = model.continuing_subword_prefix;
  if (typeof model.max_input_chars_per_word === 'number') options.maxInputCharsPerWord = model.max_input_chars_per_word;

  const specials: string[] = [];
  if (root.added_tokens !== undefined && root.added_tokens !== null) {
    if (!Array.isArray(root.added_tokens)) fail('added_tokens must be an array');
    for (const [i, t] of (root.added_tokens as unknown[]).entries()) {
      const at = obj(t, `added_tokens[${i}]`);
      if (typeof at.content !== 'string' || !Number.isInteger(at.id)) fail(`added_tokens[${i}] needs a string content and an integer id`);
      if (!vocab.has(at.content)) vocab.set(at.content, at.id as number);
      specials.push(at.content);
    }
  }
  options.specialTokens = specials;

  Object.assign(options, readNormalizer(root.normalizer));
  readPreTokenizer(root.pre_tokenizer);
  const template = readPostProcessor(root.post_processor);
  if (template) options.template = template;
  if (root.truncation !== undefined && root.truncation !== null) {
    const tr = obj(root.truncation, 'truncation');
    if (typeof tr.max_length === 'number') options.defaultMaxLength = tr.max_length;
  }
  return { vocab, options };
}

function readNormalizer(n: unknown): WordPieceOptions {
  if (n === undefined || n === null) return { lowercase: false, stripAccents: false, tokenizeChineseChars: false, cleanText: false };
  const norm = obj(n, 'normalizer');
  if (norm.type !== 'BertNormalizer') fail(`normalizer.type ${JSON.stringify(norm.type)} is not supported (only BertNormalizer)`);
  const lowercase = norm.lowercase !== false;
  return {
    lowercase,
    // null means "follow lowercase", as in the Rust BertNormalizer.
    stripAccents: typeof norm.strip_accents === 'boolean' ? norm.strip_accents : lowercase,
    tokenizeChineseChars: norm.handle_chinese_chars !== false,
    cleanText: norm.clean_text !== false,
  };
}

function readPreTokenizer(p: unknown): void {
  if (p === undefined || p === null) fail('pre_tokenizer is missing; only BertPreTokenizer is supported');
  const pre = obj(p, 'pre_tokenizer');
  if (pre.type !== 'BertPreTokenizer') fail(`pre_tokenizer.type ${JSON.stringify(pre.type)} is not supported (only BertPreTokenizer)`);
}

function readPostProcessor(p: unknown): PostTemplate | undefined {
  if (p === undefined || p === null) return { single: [{ kind: 'sequence', sequence: 'A', typeId: 0 }], pair: [{ kind: 'sequence', sequence: 'A', typeId: 0 }, { kind: 'sequence', sequence: 'B', typeId: 1 }] };
  const post = obj(p, 'post_processor');
  if (post.type === 'BertProcessing') {
    const pairOf = (x: unknown, what: string): [string, number] => {
      if (!Array.isArray(x) || typeof x[0] !== 'string' || !Number.isInteger(x[1])) fail(`post_processor.${what} must be [token, id]`);
      return x as [string, number];
    };
    const [cls, clsId] = pairOf(post.cls, 'cls'), [sep, sepId] = pairOf(post.sep, 'sep');
    const s = (token: string, id: number, typeId: number): TemplatePiece => ({ kind: 'special', token, id, typeId });
    return {
      single: [s(cls, clsId, 0), { kind: 'sequence', sequence: 'A', typeId: 0 }, s(sep, sepId, 0)],
      pair: [s(cls, clsId, 0), { kind: 'sequence', sequence: 'A', typeId: 0 }, s(sep, sepId, 0), { kind: 'sequence', sequence: 'B', typeId: 1 }, s(sep, sepId, 1)],
    };
  }
  if (post.type === 'TemplateProcessing') {
    const special = post.special_tokens === undefined ? {} : obj(post.special_tokens, 'post_processor.special_tokens');
    return { single: readTemplate(post.single, 'single', special), pair: readTemplate(post.pair, 'pair', special) };
  }
  fail(`post_processor.type ${JSON.stringify(post.type)} is not supported (TemplateProcessing or BertProcessing)`);
}

function readTemplate(t: unknown, what: string, special: Json): TemplatePiece[] {
  if (!Array.isArray(t)) fail(`post_processor.${what} must be an array`);
  const out: TemplatePiece[] = [];
  for (const [i, item] of (t as unknown[]).entries()) {
    const it = obj(item, `post_processor.${what}[${i}]`);
    if (it.Sequence !== undefined) {
      const seq = obj(it.Sequence, `post_processor.${what}[${i}].Sequence`);
      if (seq.id !== 'A' && seq.id !== 'B') fail(`post_processor.${what}[${i}].Sequence.id must be "A" or "B"`);
      out.push({ kind: 'sequence', sequence: seq.id, typeId: Number(seq.type_id ?? 0) });
    } else if (it.SpecialToken !== undefined) {
      const sp = obj(it.SpecialToken, `post_processor.${what}[${i}].SpecialToken`);
      if (typeof sp.id !== 'string') fail(`post_processor.${what}[${i}].SpecialToken.id must be a string`);
      const typeId = Number(sp.type_id ?? 0);
      const def = special[sp.id] as Json | undefined;
      if (def && Array.isArray(def.tokens) && Array.isArray(def.ids) && def.tokens.length === def.ids.length) {
        (def.tokens as string[]).forEach((token, k) => out.push({ kind: 'special', token, id: (def.ids as number[])[k], typeId }));
      } else out.push({ kind: 'special', token: sp.id, typeId });
    } else fail(`post_processor.${what}[${i}] must hold Sequence or SpecialToken`);
  }
  return out;
}
