/**
 * The slice of gpu.js (an optional peer dependency) the WebGL backend uses, typed here so the
 * library's declarations never mention the package.
 */
export interface GpuJsKernel {
  (...args: unknown[]): unknown;
  /** The backend kernel that actually ran (set once built; may be replaced on fallback). */
  kernel?: object;
  destroy?(removeCanvasReferences?: boolean): void;
  setOutput?(output: number[]): void;
}

export interface GpuJsTexture { delete?(): void }

export interface GpuJs {
  createKernel(source: string, settings: Record<string, unknown>): GpuJsKernel;
  destroy(): unknown;
}

export interface GpuJsClass {
  new (settings?: Record<string, unknown>): GpuJs;
  isWebGL2Supported?: boolean;
  [kernelClass: string]: unknown;
}

/** Backend kernel classes gpu.js exports, most wanted first. */
const KERNEL_CLASSES = ['WebGL2Kernel', 'WebGLKernel', 'HeadlessGLKernel', 'WebGPUKernel', 'WebAssemblyKernel', 'CPUKernel'];

export class WebGlError extends Error {
  override name = 'WebGlError';
}

/**
 * gpu.js's GPU class: the one given (the class, or its module namespace), else one a <script>
 * tag put on globalThis, else `import('gpu.js')` (bundlers and Node resolve it; a page without
 * an import map cannot). Reading globalThis.GPU is the only global access, and it writes nothing.
 */
export async function loadGpuJs(given?: unknown): Promise<GpuJsClass> {
  const pick = (m: unknown): GpuJsClass | undefined => {
    for (const c of [m, (m as { GPU?: unknown })?.GPU, (m as { default?: { GPU?: unknown } })?.default?.GPU, (m as { default?: unknown })?.default]) {
      if (typeof c === 'function' && typeof (c as { prototype?: { createKernel?: unknown } }).prototype?.createKernel === 'function') return c as GpuJsClass;
    }
    return undefined;
  };
  if (given !== undefined) {
    const c = pick(given);
    if (!c) throw new WebGlError('options.webgl.gpu must be gpu.js\'s GPU class (or the gpu.js module)');
    return c;
  }
  const global = pick((globalThis as { GPU?: unknown }).GPU);
  if (global) return global;
  try {
    const c = pick(await import('gpu.js'));
    if (c) return c;
  } catch (e) {
    throw new WebGlError(`the 'webgl' backend needs gpu.js: install it (npm i gpu.js), load gpu-browser.min.js with a <script> tag, or pass its GPU class as options.webgl.gpu (${(e as Error).message})`);
  }
  throw new WebGlError('gpu.js loaded but exports no GPU class');
}

/** Name of the backend kernel class a gpu.js kernel ran as ('WebGL2Kernel', 'CPUKernel', ...). */
export function kernelClass(GPU: GpuJsClass, k: GpuJsKernel): string {
  const inner = k.kernel;
  if (!inner) return 'unbuilt';
  for (const name of KERNEL_CLASSES) {
    const C = GPU[name];
    if (typeof C === 'function' && inner instanceof (C as new () => object)) return name;
  }
  return inner.constructor?.name || 'unknown';
}
