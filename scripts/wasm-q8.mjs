// The int8 GEMM of the WebAssembly SIMD module (build-wasm.mjs includes it), as WebAssembly text.

const range = (n) => Array.from({ length: n }, (_, i) => i);

/** Rows per tile: 2 measured 61 GOP/s on one Zen3 core at 128x3072x768, 1 row 51, 3 rows 49 (they spill). */
export const ROWS = 2;

/**
 * q8gemm(a, lda, w, ldw, kpad, rows, chans, c, ldcBytes, rowScale, colScale, bias):
 * C[r, n] = (sum_k A[r, k] W[n, k]) * rowScale[r] * colScale[n] + bias[n] (bias -1: none), for
 * rows (a multiple of ROWS) x chans (a multiple of 4), with A and W int8 rows (lda, ldw bytes
 * apart) zero-padded to kpad (a multiple of 8). Two rows x four channels per tile, channels
 * outer (a 4-channel slice of W stays in L1 while A's rows pass): eight i32x4 accumulators, each step widening 8 int8 of a row and of a channel to i16 and multiplying
 * pairs into i32 lanes (i32x4.dot_i16x8_s, pmaddwd): 64 multiply-adds per 6 loads. Integer sums
 * are exact; the scaling is float32.
 */
export function q8Func() {
  const R = ROWS;
  const acc = range(R).flatMap((i) => range(4).map((j) => `$a${i}${j}`));
  const at = (base, k) => `(i32.add (local.get ${base}) (local.get ${k}))`;
  const body = [];
  body.push('(local.set $n (i32.const 0))');
  body.push('(block $ndone (loop $nloop');
  body.push('  (br_if $ndone (i32.ge_u (local.get $n) (local.get $chans)))');
  body.push('  (local.set $pw0 (i32.add (local.get $w) (i32.mul (local.get $n) (local.get $ldw))))');
  for (const j of [1, 2, 3]) body.push(`  (local.set $pw${j} (i32.add (local.get $pw${j - 1}) (local.get $ldw)))`);
  body.push('  (local.set $r (i32.const 0))');
  body.push('  (block $rdone (loop $rloop');
  body.push('    (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))');
  body.push('    (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $lda))))');
  for (const i of range(R).slice(1)) body.push(`    (local.set $pa${i} (i32.add (local.get $pa${i - 1}) (local.get $lda)))`);
  for (const v of acc) body.push(`    (local.set ${v} (v128.const i32x4 0 0 0 0))`);
  body.push('    (local.set $k (i32.const 0))');
  body.push('    (block $kdone (loop $kloop');
  body.push('      (br_if $kdone (i32.ge_u (local.get $k) (local.get $kpad)))');
  for (const i of range(R)) body.push(`      (local.set $x${i} (i16x8.extend_low_i8x16_s (v128.load64_zero ${at(`$pa${i}`, '$k')})))`);
  for (const j of range(4)) {
    body.push(`      (local.set $y (i16x8.extend_low_i8x16_s (v128.load64_zero ${at(`$pw${j}`, '$k')})))`);
    for (const i of range(R)) body.push(`      (local.set $a${i}${j} (i32x4.add (local.get $a${i}${j}) (i32x4.dot_i16x8_s (local.get $x${i}) (local.get $y))))`);
  }
  body.push('      (local.set $k (i32.add (local.get $k) (i32.const 8)))');
  body.push('      (br $kloop)))');
  for (const i of range(R)) for (const j of range(4)) {
    const v = `$a${i}${j}`, lane = (l) => `(i32x4.extract_lane ${l} (local.get ${v}))`;
    const sum = `(i32.add (i32.add ${lane(0)} ${lane(1)}) (i32.add ${lane(2)} ${lane(3)}))`;
    const rs = `(f32.load (i32.add (local.get $rs) (i32.shl (i32.add (local.get $r) (i32.const ${i})) (i32.const 2))))`;
    const col = `(i32.shl (i32.add (local.get $n) (i32.const ${j})) (i32.const 2))`;
    const cs = `(f32.load (i32.add (local.get $cs) ${col}))`;
    const bias = `(if (result f32) (i32.ge_s (local.get $bias) (i32.const 0)) (then (f32.load (i32.add (local.get $bias) ${col}))) (else (f32.const 0)))`;
    const addr = `(i32.add (i32.add (local.get $c) (i32.mul (i32.add (local.get $r) (i32.const ${i})) (local.get $ldc))) ${col})`;
    body.push(`    (f32.store ${addr} (f32.add (f32.mul (f32.mul (f32.convert_i32_s ${sum}) ${rs}) ${cs}) ${bias}))`);
  }
  body.push(`    (local.set $r (i32.add (local.get $r) (i32.const ${R})))`);
  body.push('    (br $rloop)))');
  body.push('  (local.set $n (i32.add (local.get $n) (i32.const 4)))');
  body.push('  (br $nloop)))');
  return `(func (export "q8gemm") (param $a i32) (param $lda i32) (param $w i32) (param $ldw i32) (param $kpad i32) (param $rows i32) (param $chans i32)
  (param $c i32) (param $ldc i32) (param $rs i32) (param $cs i32) (param $bias i32)
  (local $r i32) (local $n i32) (local $k i32) ${range(R).map((i) => `(local $pa${i} i32)`).join(' ')} (local $pw0 i32) (local $pw1 i32) (local $pw2 i32) (local $pw3 i32)
  ${acc.map((v) => `(local ${v} v128)`).join(' ')} ${range(R).map((i) => `(local $x${i} v128)`).join(' ')} (local $y v128)
  ${body.join('\n  ')})`;
}
