// Writes kernels/cpu/wasm/sgemm-module.ts: the WebAssembly SIMD GEMM tile, depthwise 3x3 and CSR SpMM kernels, assembled
// from the text below with wabt (a dev dependency; the runtime carries only the bytes).
// `node scripts/build-wasm.mjs` regenerates it; `--check` fails when the committed bytes differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import { q8Func } from './wasm-q8.mjs';

/** Rows per register tile; columns are two f32x4 vectors (8). See sgemm-simd.ts. */
export const MR = 4;
export const NR = 8;

const range = (n) => Array.from({ length: n }, (_, i) => i);

/**
 * tiles(kc, strips, panels, a, b, c, ldcBytes, add, bPanel, bStep): for every panel p < panels
 * of B (kc rows of 8 floats from b + p*bPanel, bStep bytes apart: packed panels have
 * bPanel = kc*32 and bStep = 32, B's own rows bPanel = 32 and bStep = its row stride) and strip
 * s < strips of A (kc columns of MR floats at a + s*kc*MR*4), C[MR x 8] at
 * c + s*MR*ldcBytes + p*32 = (add ? C : 0) + A_s B_p, accumulated in f32x4.
 */
function tilesFunc() {
  const acc = range(MR).flatMap((i) => [`$c${i}0`, `$c${i}1`]);
  const body = [];
  body.push('(local.set $p (i32.const 0))');
  body.push('(block $pdone (loop $ploop');
  body.push('  (br_if $pdone (i32.ge_u (local.get $p) (local.get $panels)))');
  body.push('  (local.set $s (i32.const 0))');
  body.push('  (block $sdone (loop $sloop');
  body.push('    (br_if $sdone (i32.ge_u (local.get $s) (local.get $strips)))');
  for (const v of acc) body.push(`    (local.set ${v} (v128.const i32x4 0 0 0 0))`);
  body.push(`    (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $s) (i32.mul (local.get $kc) (i32.const ${MR * 4})))))`);
  body.push('    (local.set $bp (i32.add (local.get $b) (i32.mul (local.get $p) (local.get $bpanel))))');
  body.push('    (local.set $k (local.get $kc))');
  body.push('    (block $kdone (loop $kloop');
  body.push('      (br_if $kdone (i32.eqz (local.get $k)))');
  body.push('      (local.set $b0 (v128.load (local.get $bp)))');
  body.push('      (local.set $b1 (v128.load offset=16 (local.get $bp)))');
  for (const i of range(MR)) {
    body.push(`      (local.set $x (v128.load32_splat offset=${i * 4} (local.get $ap)))`);
    body.push(`      (local.set $c${i}0 (f32x4.add (local.get $c${i}0) (f32x4.mul (local.get $x) (local.get $b0))))`);
    body.push(`      (local.set $c${i}1 (f32x4.add (local.get $c${i}1) (f32x4.mul (local.get $x) (local.get $b1))))`);
  }
  body.push(`      (local.set $ap (i32.add (local.get $ap) (i32.const ${MR * 4})))`);
  body.push('      (local.set $bp (i32.add (local.get $bp) (local.get $bstep)))');
  body.push('      (local.set $k (i32.sub (local.get $k) (i32.const 1)))');
  body.push('      (br $kloop)))');
  body.push(`    (local.set $cp (i32.add (local.get $c) (i32.add (i32.mul (local.get $s) (i32.mul (local.get $ldc) (i32.const ${MR}))) (i32.shl (local.get $p) (i32.const 5)))))`);
  body.push('    (if (local.get $add) (then');
  for (const i of range(MR)) {
    const at = i === 0 ? '(local.get $cp)' : `(i32.add (local.get $cp) (i32.mul (local.get $ldc) (i32.const ${i})))`;
    body.push(`      (local.set $c${i}0 (f32x4.add (local.get $c${i}0) (v128.load ${at})))`);
    body.push(`      (local.set $c${i}1 (f32x4.add (local.get $c${i}1) (v128.load offset=16 ${at})))`);
  }
  body.push('    ))');
  for (const i of range(MR)) {
    const at = i === 0 ? '(local.get $cp)' : `(i32.add (local.get $cp) (i32.mul (local.get $ldc) (i32.const ${i})))`;
    body.push(`    (v128.store ${at} (local.get $c${i}0))`);
    body.push(`    (v128.store offset=16 ${at} (local.get $c${i}1))`);
  }
  body.push('    (local.set $s (i32.add (local.get $s) (i32.const 1)))');
  body.push('    (br $sloop)))');
  body.push('  (local.set $p (i32.add (local.get $p) (i32.const 1)))');
  body.push('  (br $ploop)))');
  return `(func (export "tiles") (param $kc i32) (param $strips i32) (param $panels i32) (param $a i32) (param $b i32) (param $c i32) (param $ldc i32) (param $add i32) (param $bpanel i32) (param $bstep i32)
  (local $p i32) (local $s i32) (local $k i32) (local $ap i32) (local $bp i32) (local $cp i32)
  ${acc.map((v) => `(local ${v} v128)`).join(' ')} (local $b0 v128) (local $b1 v128) (local $x v128)
  ${body.join('\n  ')})`;
}

/**
 * epilogue(c, rows, vecs, ldcBytes, rowBias, colBias, lo, hi): over rows x (4 * vecs) floats of
 * C, C = min(max(C + rowBias[i] + colBias[j], lo), hi); a bias pointer of -1 means none.
 */
function epilogueFunc() {
  return `(func (export "epilogue") (param $c i32) (param $rows i32) (param $vecs i32) (param $ldc i32) (param $rb i32) (param $cb i32) (param $lo f32) (param $hi f32)
  (local $i i32) (local $j i32) (local $p i32) (local $r v128) (local $vlo v128) (local $vhi v128) (local $v v128)
  (local.set $vlo (f32x4.splat (local.get $lo)))
  (local.set $vhi (f32x4.splat (local.get $hi)))
  (block $idone (loop $iloop
    (br_if $idone (i32.ge_u (local.get $i) (local.get $rows)))
    (local.set $r (if (result v128) (i32.ge_s (local.get $rb) (i32.const 0))
      (then (v128.load32_splat (i32.add (local.get $rb) (i32.shl (local.get $i) (i32.const 2)))))
      (else (v128.const i32x4 0 0 0 0))))
    (local.set $p (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))))
    (local.set $j (i32.const 0))
    (block $jdone (loop $jloop
      (br_if $jdone (i32.ge_u (local.get $j) (local.get $vecs)))
      (local.set $v (f32x4.add (v128.load (local.get $p)) (local.get $r)))
      (if (i32.ge_s (local.get $cb) (i32.const 0)) (then
        (local.set $v (f32x4.add (local.get $v) (v128.load (i32.add (local.get $cb) (i32.shl (local.get $j) (i32.const 4))))))))
      (v128.store (local.get $p) (f32x4.min (f32x4.max (local.get $v) (local.get $vlo)) (local.get $vhi)))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $jloop)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $iloop))))`;
}

/**
 * dw3x3s<stride>(src, dst, w, rows, vecs, ldBytes, rowStepBytes, lddBytes, bias, lo, hi): a 3x3
 * depthwise plane over a zero-padded copy of its input (depthwise-simd.ts lays it out), 4 outputs
 * per f32x4: output row i, vector j = min(max(bias + sum over kh, kw of w[3 kh + kw] *
 * in[i * rowStep + kh * ld + stride * 4 j + stride * lane + kw], lo), hi), stored at
 * dst + i * ldd + 16 j. Stride 2 loads three vectors per kernel row and shuffles them into the
 * even, odd and next-even columns, so every load is a contiguous one. One accumulator per
 * kernel row: a single chain of nine dependent adds would bound the loop by add latency.
 */
function depthwiseFunc(stride) {
  const w = range(9).map((k) => `$w${k}`);
  const lanes = (...floats) => floats.flatMap((f) => range(4).map((b) => f * 4 + b)).join(' ');
  const taps = (r) => stride === 1
    ? [`(v128.load (local.get ${r}))`, `(v128.load offset=4 (local.get ${r}))`, `(v128.load offset=8 (local.get ${r}))`]
    : [
      `(local.tee $e (i8x16.shuffle ${lanes(0, 2, 4, 6)} (local.tee $a (v128.load (local.get ${r}))) (local.tee $b (v128.load offset=16 (local.get ${r})))))`,
      `(i8x16.shuffle ${lanes(1, 3, 5, 7)} (local.get $a) (local.get $b))`,
      `(i8x16.shuffle ${lanes(1, 2, 3, 4)} (local.get $e) (v128.load offset=32 (local.get ${r})))`,
    ];
  const rowSum = (kh) => {
    const t = taps(`$r${kh}`).map((x, kw) => `(f32x4.mul (local.get ${w[kh * 3 + kw]}) ${x})`);
    return `(f32x4.add (f32x4.add ${kh === 0 ? `(f32x4.add (local.get $vb) ${t[0]})` : t[0]} ${t[1]}) ${t[2]})`;
  };
  return `(func (export "dw3x3s${stride}") (param $src i32) (param $dst i32) (param $w i32) (param $rows i32) (param $vecs i32) (param $ld i32) (param $rs i32) (param $ldd i32) (param $bias f32) (param $lo f32) (param $hi f32)
  (local $i i32) (local $j i32) (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $q i32)
  ${w.map((v) => `(local ${v} v128)`).join(' ')} (local $vb v128) (local $vlo v128) (local $vhi v128) (local $s0 v128) (local $s1 v128) (local $a v128) (local $b v128) (local $e v128)
  ${w.map((v, k) => `(local.set ${v} (v128.load32_splat offset=${k * 4} (local.get $w)))`).join('\n  ')}
  (local.set $vb (f32x4.splat (local.get $bias)))
  (local.set $vlo (f32x4.splat (local.get $lo)))
  (local.set $vhi (f32x4.splat (local.get $hi)))
  (block $idone (loop $iloop
    (br_if $idone (i32.ge_u (local.get $i) (local.get $rows)))
    (local.set $r0 (i32.add (local.get $src) (i32.mul (local.get $i) (local.get $rs))))
    (local.set $r1 (i32.add (local.get $r0) (local.get $ld)))
    (local.set $r2 (i32.add (local.get $r1) (local.get $ld)))
    (local.set $q (i32.add (local.get $dst) (i32.mul (local.get $i) (local.get $ldd))))
    (local.set $j (i32.const 0))
    (block $jdone (loop $jloop
      (br_if $jdone (i32.ge_u (local.get $j) (local.get $vecs)))
      (local.set $s0 ${rowSum(0)})
      (local.set $s1 ${rowSum(1)})
      (v128.store (local.get $q) (f32x4.min (f32x4.max
        (f32x4.add (f32x4.add (local.get $s0) (local.get $s1)) ${rowSum(2)})
        (local.get $vlo)) (local.get $vhi)))
      (local.set $r0 (i32.add (local.get $r0) (i32.const ${16 * stride})))
      (local.set $r1 (i32.add (local.get $r1) (i32.const ${16 * stride})))
      (local.set $r2 (i32.add (local.get $r2) (i32.const ${16 * stride})))
      (local.set $q (i32.add (local.get $q) (i32.const 16)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $jloop)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $iloop))))`;
}

/**
 * copyRows(from, to, rows, bytes, fromPitchBytes, toPitchBytes): `rows` runs of `bytes` bytes,
 * each a memory.copy; how depthwise-simd.ts pads a plane into its layout and packs the output
 * back, one call per plane rather than a JavaScript set() (and a subarray view) per row.
 */
function copyRowsFunc() {
  return `(func (export "copyRows") (param $from i32) (param $to i32) (param $rows i32) (param $bytes i32) (param $fp i32) (param $tp i32)
  (block $done (loop $next
    (br_if $done (i32.eqz (local.get $rows)))
    (memory.copy (local.get $to) (local.get $from) (local.get $bytes))
    (local.set $from (i32.add (local.get $from) (local.get $fp)))
    (local.set $to (i32.add (local.get $to) (local.get $tp)))
    (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
    (br $next))))`;
}

/**
 * spmmCsr(rowPtr, col, val, rows, x, ldxBytes, blocks, y, ldyBytes, bias, lo, hi): the CSR SpMM
 * of spmm-simd.ts, pixels as lanes. For each block of 16 lanes (four f32x4) and each output row
 * o < rows: Y[o, 16 b ..] = min(max(bias[o] + sum over j in rowPtr[o]..rowPtr[o+1] of
 * val[j] * X[col[j], 16 b ..], lo), hi), with X rows ldx bytes apart at x and Y rows ldy bytes
 * apart at y; rowPtr and col are i32, a bias pointer of -1 means none. Blocks outer: a block's
 * column of X (C x 64 bytes) stays in L1 while every output row reads it.
 */
function spmmCsrFunc() {
  const acc = range(4).map((i) => `$a${i}`);
  return `(func (export "spmmCsr") (param $rp i32) (param $col i32) (param $val i32) (param $rows i32) (param $x i32) (param $ldx i32) (param $blocks i32) (param $y i32) (param $ldy i32) (param $bias i32) (param $lo f32) (param $hi f32)
  (local $b i32) (local $o i32) (local $xb i32) (local $yp i32) (local $vp i32) (local $cp i32) (local $ve i32) (local $xp i32)
  ${acc.map((v) => `(local ${v} v128)`).join(' ')} (local $v v128) (local $vb v128) (local $vlo v128) (local $vhi v128)
  (local.set $vlo (f32x4.splat (local.get $lo)))
  (local.set $vhi (f32x4.splat (local.get $hi)))
  (block $bdone (loop $bloop
    (br_if $bdone (i32.ge_u (local.get $b) (local.get $blocks)))
    (local.set $xb (i32.add (local.get $x) (i32.shl (local.get $b) (i32.const 6))))
    (local.set $yp (i32.add (local.get $y) (i32.shl (local.get $b) (i32.const 6))))
    (local.set $vp (i32.add (local.get $val) (i32.shl (i32.load (local.get $rp)) (i32.const 2))))
    (local.set $cp (i32.add (local.get $col) (i32.shl (i32.load (local.get $rp)) (i32.const 2))))
    (local.set $o (i32.const 0))
    (block $odone (loop $oloop
      (br_if $odone (i32.ge_u (local.get $o) (local.get $rows)))
      (local.set $ve (i32.add (local.get $val) (i32.shl (i32.load offset=4 (i32.add (local.get $rp) (i32.shl (local.get $o) (i32.const 2)))) (i32.const 2))))
      (local.set $vb (if (result v128) (i32.ge_s (local.get $bias) (i32.const 0))
        (then (v128.load32_splat (i32.add (local.get $bias) (i32.shl (local.get $o) (i32.const 2)))))
        (else (v128.const i32x4 0 0 0 0))))
      ${acc.map((v) => `(local.set ${v} (local.get $vb))`).join('\n      ')}
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_u (local.get $vp) (local.get $ve)))
        (local.set $v (v128.load32_splat (local.get $vp)))
        (local.set $xp (i32.add (local.get $xb) (i32.mul (i32.load (local.get $cp)) (local.get $ldx))))
        ${acc.map((v, i) => `(local.set ${v} (f32x4.add (local.get ${v}) (f32x4.mul (local.get $v) (v128.load offset=${i * 16} (local.get $xp)))))`).join('\n        ')}
        (local.set $vp (i32.add (local.get $vp) (i32.const 4)))
        (local.set $cp (i32.add (local.get $cp) (i32.const 4)))
        (br $jloop)))
      ${acc.map((v, i) => `(v128.store offset=${i * 16} (local.get $yp) (f32x4.min (f32x4.max (local.get ${v}) (local.get $vlo)) (local.get $vhi)))`).join('\n      ')}
      (local.set $yp (i32.add (local.get $yp) (local.get $ldy)))
      (local.set $o (i32.add (local.get $o) (i32.const 1)))
      (br $oloop)))
    (local.set $b (i32.add (local.get $b) (i32.const 1)))
    (br $bloop))))`;
}

export function wat() {
  return `(module
(memory (export "memory") 1)
${tilesFunc()}
${epilogueFunc()}
${depthwiseFunc(1)}
${depthwiseFunc(2)}
${copyRowsFunc()}
${spmmCsrFunc()}
${q8Func()}
)`;
}

async function main() {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('sgemm.wat', wat(), { simd: true, bulk_memory: true });
  mod.validate();
  const { buffer } = mod.toBinary({});
  const b64 = Buffer.from(buffer).toString('base64');
  const out = fileURLToPath(new URL('../kernels/cpu/wasm/sgemm-module.ts', import.meta.url));
  const text = `// Generated by scripts/build-wasm.mjs (the WebAssembly text is there); do not edit.\n`
    + `/** Rows and columns of the module's register tile. */\nexport const MR = ${MR};\nexport const NR = ${NR};\n`
    + `/** The module's bytes, base64. */\nexport const SGEMM_WASM = '${b64}';\n`;
  if (process.argv.includes('--check')) {
    if (readFileSync(out, 'utf8') !== text) { console.error(`${out} is stale: run node scripts/build-wasm.mjs`); process.exit(1); }
    return;
  }
  if (process.argv.includes('--wat')) { console.log(wat()); return; }
  writeFileSync(out, text);
  console.log(`wrote ${out} (${buffer.length} bytes of WebAssembly)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
