/// <reference types="@webgpu/types" />

/** GPUBufferUsage bits, spelled out so nothing depends on the WebGPU globals being installed. */
export const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80, QUERY_RESOLVE: 0x200 } as const;
export const MAP_READ_MODE = 0x1;

/**
 * GPU buffers of one session, reused across plans: a plan takes buffers when it is first run
 * and gives them back when it is evicted, so a new input shape reuses the old plan's memory.
 * A request is served by the smallest free buffer of the same usage that is at least as large
 * and at most twice as large; otherwise a new one is made (sizes rounded up to 256 bytes).
 */
export class BufferPool {
  private readonly free: GPUBuffer[] = [];
  private readonly all = new Set<GPUBuffer>();
  private bytes = 0;

  constructor(private readonly device: GPUDevice) {}

  acquire(size: number, usage: number, label?: string): GPUBuffer {
    const want = Math.max(256, Math.ceil(size / 256) * 256);
    let best = -1;
    this.free.forEach((b, i) => {
      if (b.usage === usage && b.size >= want && b.size <= 2 * want && (best < 0 || b.size < this.free[best].size)) best = i;
    });
    if (best >= 0) return this.free.splice(best, 1)[0];
    const buf = this.device.createBuffer({ size: want, usage, ...(label ? { label } : {}) });
    this.all.add(buf);
    this.bytes += want;
    return buf;
  }

  release(buf: GPUBuffer): void {
    if (this.all.has(buf) && !this.free.includes(buf)) this.free.push(buf);
  }

  /** Bytes of every buffer the pool has made and not destroyed. */
  get allocatedBytes(): number { return this.bytes; }
  get bufferCount(): number { return this.all.size; }

  /** Destroy every buffer (in use or free). */
  destroy(): void {
    for (const b of this.all) b.destroy();
    this.all.clear();
    this.free.length = 0;
    this.bytes = 0;
  }
}
