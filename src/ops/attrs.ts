import type { AttrSpec, AttrValue, OpSchema, RawAttrs } from './types.js';
import { OpError } from './types.js';
import { Tensor } from '../tensor.js';

/** Check attribute names and types against the schema; unknown or mistyped attributes throw. */
export function checkAttrs(schema: OpSchema<unknown>, raw: RawAttrs): void {
  for (const [name, v] of Object.entries(raw)) {
    const spec = schema.attributes[name];
    if (!spec) {
      const known = Object.keys(schema.attributes);
      throw new OpError(`unknown attribute '${name}'; ${schema.name} takes ${known.length ? known.join(', ') : 'no attributes'}`);
    }
    if (!matches(spec, v)) throw new OpError(`attribute '${name}' must be ${spec.type}, got ${show(v)}`);
  }
  for (const [name, spec] of Object.entries(schema.attributes)) {
    if (spec.required && !(name in raw)) throw new OpError(`attribute '${name}' (${spec.type}) is required`);
  }
}

function matches(spec: AttrSpec, v: AttrValue): boolean {
  switch (spec.type) {
    case 'int': return typeof v === 'number' && Number.isInteger(v);
    case 'float': return typeof v === 'number';
    case 'string': return typeof v === 'string';
    case 'ints': return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x));
    case 'floats': return Array.isArray(v) && v.every((x) => typeof x === 'number');
    case 'strings': return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'tensor': return v instanceof Tensor;
  }
}

function show(v: unknown): string {
  if (v instanceof Tensor) return v.toString();
  return JSON.stringify(v) ?? String(v);
}

export function int(raw: RawAttrs, name: string, def: number): number {
  return (raw[name] as number | undefined) ?? def;
}
export function float(raw: RawAttrs, name: string, def: number): number {
  return (raw[name] as number | undefined) ?? def;
}
export function str(raw: RawAttrs, name: string, def: string): string {
  return (raw[name] as string | undefined) ?? def;
}
export function ints(raw: RawAttrs, name: string): number[] | undefined {
  return raw[name] as number[] | undefined;
}
export function floats(raw: RawAttrs, name: string): number[] | undefined {
  return raw[name] as number[] | undefined;
}
export function oneOf<T extends string>(raw: RawAttrs, name: string, allowed: readonly T[], def: T): T {
  const v = str(raw, name, def);
  if (!(allowed as readonly string[]).includes(v)) throw new OpError(`attribute '${name}' must be one of ${allowed.join(', ')}, got '${v}'`);
  return v as T;
}
