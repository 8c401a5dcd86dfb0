/// <reference types="@webgpu/types" />
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { InferenceSession, SessionError } from '../../src/runtime/session.js';
import { acquireDevice } from '../../src/runtime/webgpu/device.js';
import { WebGpuError } from '../../src/runtime/webgpu/errors.js';
import { Tensor } from '../../src/tensor.js';
import { expectClose } from '../util/numerics.js';
import { floats, ints, openGpu, REQUIRED } from './harness.js';

/** InferenceSession with backend 'webgpu': lifecycle, buffers, device loss, CPU fallback, errors. */
const gpu = await openGpu('session.test');
afterAll(() => gpu.handle?.release());
const device = () => gpu.handle!.device;

if (REQUIRED && !gpu.handle) it('has a WebGPU adapter (REQUIRE_WEBGPU=1)', () => { throw new Error(`no WebGPU adapter: ${gpu.reason}`); });

/** x [n, 8] -> MatMul -> Relu -> Mul -> Cast(int32) -> Cast(float) -> Add: float -> int32 has no WGSL kernel. */
function mlpWithCast() {
  const b = new GraphBuilder('mlp-cast');
  const x = b.input('x', 'float32', ['n', 8]);
  const w = b.constant(floats([8, 6], 11), 'w');
  const h = b.relu(b.matmul(x, w));
  const r = b.cast(b.cast(b.mul(h, b.float(10)), 'int32'), 'float32');
  b.output(b.add(r, h), 'y');
  return b.build();
}

async function cpuRun(g: ReturnType<typeof mlpWithCast>, feeds: Record<string, Tensor>) {
  const s = await InferenceSession.create(g);
  return s.run(feeds);
}

describe.skipIf(!gpu.handle)('InferenceSession on WebGPU', () => {
  it('acquires its own device, runs, and refuses to run once disposed', async () => {
    const g = mlpWithCast();
    const s = await InferenceSession.create(g, { backend: 'webgpu' });
    const x = floats([3, 8], 1);
    const y = (await s.run({ x })).y;
    expectClose(y.data as Float32Array, (await cpuRun(g, { x })).y.data as Float32Array, 'own device', { k: 8 });
    s.dispose();
    await expect(s.run({ x })).rejects.toThrow(SessionError);
  });

  it('falls back to the CPU per node, logging the transfers, and matches the CPU backend', async () => {
    const lines: string[] = [];
    const g = mlpWithCast();
    const s = await InferenceSession.create(g, { backend: 'webgpu', webgpu: { device: device() }, debug: (l) => lines.push(l) });
    const x = floats([5, 8], 2);
    const y = (await s.run({ x })).y;
    expectClose(y.data as Float32Array, (await cpuRun(g, { x })).y.data as Float32Array, 'fallback', { k: 8 });
    expect(lines.filter((l) => /falls back to CPU/.test(l))).toEqual([expect.stringMatching(/\(Cast\) falls back to CPU: Cast float32 -> int32/)]);
    expect(lines.some((l) => /runs on CPU/.test(l))).toBe(true);
    expect(lines.some((l) => /download '.*' float32\[5x6\]/.test(l))).toBe(true);
    expect(lines.some((l) => /upload '.*' int32\[5x6\]/.test(l))).toBe(true);
    s.dispose();
  });

  it('orders a fallback upload after the GPU work encoded before it (slot reuse)', async () => {
    // Kahn's order interleaves the two chains: relu, tile, neg, tile, relu, tile, add. The Tiles
    // (no WGSL kernel) read only host data (no read-back, so no submit), and the last one uploads
    // into a buffer the GPU nodes before it have finished with: that write must land after them.
    const b = new GraphBuilder('reuse');
    const x = b.input('x', 'float32', [64, 80]);
    const z = b.input('z', 'float32', [64, 80]);
    const ones = () => b.int64([1, 1]);
    const r1 = b.relu(x);
    const t1 = b.op('Tile', [z, ones()]);
    const r2 = b.relu(b.neg(r1));
    const t3 = b.op('Tile', [b.op('Tile', [t1, ones()]), ones()]);
    b.output(b.add(r2, t3), 'y');
    const g = b.build();
    const lines: string[] = [];
    const s = await InferenceSession.create(g, { backend: 'webgpu', optimize: false, webgpu: { device: device() }, debug: (l) => lines.push(l) });
    const feeds = { x: floats([64, 80], 32), z: floats([64, 80], 33) };
    expectClose((await s.run(feeds)).y.data as Float32Array, (await cpuRun(g, feeds)).y.data as Float32Array, 'reuse', {});
    expect(lines.filter((l) => /Tile\) falls back to CPU/.test(l)).length).toBe(3);
    expect(lines.some((l) => /download/.test(l) && !/'y'/.test(l))).toBe(false);
    s.dispose();
  });

  it('dispose() destroys every GPU buffer the session created', async () => {
    const dev = device();
    const created = new Set<GPUBuffer>(), destroyed = new Set<GPUBuffer>();
    const create = dev.createBuffer;
    dev.createBuffer = function (desc: GPUBufferDescriptor) {
      const buf = create.call(this, desc);
      created.add(buf);
      const destroy = buf.destroy;
      buf.destroy = function () { destroyed.add(buf); destroy.call(this); };
      return buf;
    };
    try {
      const s = await InferenceSession.create(mlpWithCast(), { backend: 'webgpu', webgpu: { device: dev }, planCacheSize: 1 });
      await s.run({ x: floats([2, 8]) });
      await s.run({ x: floats([4, 8]) }); // a second plan evicts the first: its buffers return to the pool
      s.dispose();
      expect(created.size).toBeGreaterThan(0);
      expect([...created].filter((b) => !destroyed.has(b)).length).toBe(0);
    } finally {
      dev.createBuffer = create;
    }
  });

  it('reports a lost device and recovers with a new session', async () => {
    const own = await acquireDevice();
    const g = mlpWithCast(), x = floats([2, 8], 3);
    const s = await InferenceSession.create(g, { backend: 'webgpu', webgpu: { device: own.device } });
    await s.run({ x });
    own.release(); // destroys the device
    await own.device.lost;
    await expect(s.run({ x })).rejects.toThrow(/device was lost.*create a new session/);
    s.dispose();
    const fresh = await InferenceSession.create(g, { backend: 'webgpu', webgpu: { device: device() } });
    expectClose((await fresh.run({ x })).y.data as Float32Array, (await cpuRun(g, { x })).y.data as Float32Array, 'recovered', { k: 8 });
    fresh.dispose();
  });

  it('serves concurrent runs and several input shapes correctly', async () => {
    const g = mlpWithCast();
    const s = await InferenceSession.create(g, { backend: 'webgpu', webgpu: { device: device() }, planCacheSize: 2 });
    const xs = [1, 4, 7, 4, 1, 9].map((n, i) => floats([n, 8], 20 + i));
    const outs = await Promise.all(xs.map((x) => s.run({ x })));
    for (let i = 0; i < xs.length; i++) {
      expectClose(outs[i].y.data as Float32Array, (await cpuRun(g, { x: xs[i] })).y.data as Float32Array, { run: i }, { k: 8 });
    }
    s.dispose();
  });

  it('checks Gather indices fed by the caller before anything runs', async () => {
    const b = new GraphBuilder('embed');
    const ids = b.input('ids', 'int64', [1, 'seq']);
    b.output(b.gather(b.constant(floats([10, 4]), 'table'), ids), 'e');
    const s = await InferenceSession.create(b.build(), { backend: 'webgpu', webgpu: { device: device() } });
    await expect(s.run({ ids: new Tensor('int64', [1, 3], [1n, 10n, 2n]) })).rejects.toThrow(/index 10 .*out of range/);
    const ok = await s.run({ ids: ints('int64', [1, 3], -10, 9) });
    expect(ok.e.shape).toEqual([1, 3, 4]);
    s.dispose();
  });

  it('names what is missing when there is no adapter, and rejects unknown backends', async () => {
    await expect(InferenceSession.create(mlpWithCast(), { backend: 'webgpu', webgpu: { dawnFlags: ['backend=null', 'adapter=no-such-adapter'] } })).rejects.toThrow(WebGpuError);
    await expect(InferenceSession.create(mlpWithCast(), { backend: 'webgl' })).rejects.toThrow(/not available/);
  });
});
