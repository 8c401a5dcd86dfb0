import { defineOp, OpError, type AttrSpec, type RawAttrs } from './types.js';
import { Conv, type ConvActivation, type ConvAttrs } from './conv.js';
import { Gemm, ACTIVATION_KINDS, type Activation, type GemmAttrs } from './gemm.js';
import { MatMul, type MatMulAttrs } from './matmul.js';
import { input } from './dims.js';

/**
 * Internal fused ops (domain 'tessera'), produced by the fusion passes: a standard op plus an
 * activation its kernel applies in the epilogue, so the activation costs no extra pass over
 * memory. They reuse the standard op's parse/infer and CPU kernel; the only new attributes are
 * `activation` and `activation_params` (Clip: [min, max]; names follow onnxruntime's FusedConv).
 */
export const FUSED_ACTIVATIONS = ['Relu', 'Clip', 'Sigmoid', 'SiLU', 'Gelu', 'GeluTanh', 'LeakyRelu', 'HardSigmoid'] as const;
export type FusedActivationName = (typeof FUSED_ACTIVATIONS)[number];

/** Epilogue kind per activation name; LeakyRelu and HardSigmoid have no epilogue yet. */
const KIND: Partial<Record<FusedActivationName, Activation['kind']>> = {
  Relu: 'relu', Clip: 'clip', Sigmoid: 'sigmoid', SiLU: 'silu', Gelu: 'gelu', GeluTanh: 'gelu_tanh',
};

/** The conv epilogue has no tanh-GELU (conv nets do not use it). */
const CONV_KINDS: readonly ConvActivation['kind'][] = ['relu', 'clip', 'sigmoid', 'silu', 'gelu'];

const ACTIVATION_ATTRS: Record<string, AttrSpec> = { activation: { type: 'string' }, activation_params: { type: 'floats' } };

function parseActivation<K extends string>(raw: RawAttrs, supported: readonly K[]): { kind: K; min?: number; max?: number } | undefined {
  const name = raw.activation as string | undefined, params = (raw.activation_params as number[] | undefined) ?? [];
  if (name === undefined) {
    if (params.length) throw new OpError(`attribute 'activation_params' is given without 'activation'`);
    return undefined;
  }
  if (!(FUSED_ACTIVATIONS as readonly string[]).includes(name)) throw new OpError(`attribute 'activation' must be one of ${FUSED_ACTIVATIONS.join(', ')}, got '${name}'`);
  const kind = KIND[name as FusedActivationName] as K | undefined;
  if (!kind || !supported.includes(kind)) {
    const ok = Object.entries(KIND).filter(([, k]) => supported.includes(k as K)).map(([n]) => n);
    throw new OpError(`activation '${name}' has no fused kernel epilogue here; supported: ${ok.join(', ')}`);
  }
  if (kind === 'clip') {
    if (params.length !== 2) throw new OpError(`activation 'Clip' needs activation_params [min, max], got ${JSON.stringify(params)}`);
    if (!(params[0] <= params[1])) throw new OpError(`activation 'Clip' needs min <= max, got [${params.join(', ')}]`);
    return { kind, min: params[0], max: params[1] };
  }
  if (params.length) throw new OpError(`activation '${name}' takes no activation_params, got ${JSON.stringify(params)}`);
  return { kind };
}

function withoutActivation(raw: RawAttrs): RawAttrs {
  const { activation: _a, activation_params: _p, ...rest } = raw;
  return rest;
}

/** Conv + activation. Inputs and attributes of Conv, plus the activation. */
export const FusedConv = defineOp<ConvAttrs>({
  name: 'FusedConv',
  domain: 'tessera',
  inputs: Conv.inputs,
  outputs: Conv.outputs,
  attributes: { ...Conv.attributes, ...ACTIVATION_ATTRS },
  parse: (raw) => ({ ...Conv.parse(withoutActivation(raw)), activation: parseActivation(raw, CONV_KINDS) }),
  infer: (inputs, attrs) => Conv.infer(inputs, attrs),
});

/** Gemm + activation (applied after alpha * A'B' + beta * C). */
export const FusedGemm = defineOp<GemmAttrs>({
  name: 'FusedGemm',
  domain: 'tessera',
  inputs: Gemm.inputs,
  outputs: Gemm.outputs,
  attributes: { ...Gemm.attributes, ...ACTIVATION_ATTRS },
  parse: (raw) => ({ ...Gemm.parse(withoutActivation(raw)), activation: parseActivation(raw, ACTIVATION_KINDS) }),
  infer: (inputs, attrs) => Gemm.infer(inputs, attrs),
});

/**
 * MatMul + bias [N] + optional activation: act(A @ B + bias). The bias is required because
 * parse() cannot see how many inputs a node has and the MatMul kernel takes its bias flag from
 * the parsed attributes; the fusion pass supplies a zero bias for MatMul + activation alone.
 */
export const FusedMatMul = defineOp<MatMulAttrs>({
  name: 'FusedMatMul',
  domain: 'tessera',
  inputs: [3, 3],
  outputs: [1, 1],
  attributes: ACTIVATION_ATTRS,
  parse: (raw) => ({ bias: true, activation: parseActivation(raw, ACTIVATION_KINDS) }),
  infer(inputs, attrs) {
    input(inputs, 2, 'bias');
    return MatMul.infer(inputs, attrs);
  },
});
