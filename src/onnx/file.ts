import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { Graph } from '../graph/graph.js';
import { loadOnnx } from './load.js';

/**
 * Node only (kept out of index.ts so browser bundles never see node:fs): loads an .onnx file,
 * its external data files resolved next to it. The file's bytes belong to the graph alone, so
 * unaligned weights are aligned in place: loading takes about the file's size in memory.
 * External data locations must stay inside the model's directory, as onnxruntime requires.
 * `shared`: read the model (not its external data) into a SharedArrayBuffer, so worker
 * threads can use the weights without a copy.
 */
export function loadOnnxFile(path: string, options: { shared?: boolean } = {}): Graph {
  const bytes = options.shared && typeof SharedArrayBuffer !== 'undefined' ? readShared(path) : readFileSync(path);
  const dir = dirname(resolve(path));
  return loadOnnx(bytes, {
    inPlace: true,
    externalData: (location) => {
      const full = resolve(dir, location);
      const rel = relative(dir, full);
      if (isAbsolute(location) || rel.startsWith('..') || isAbsolute(rel)) {
        throw new Error(`the location must be a path inside the model's directory ${dir}`);
      }
      return readFileSync(full);
    },
  });
}

/** A whole file in a SharedArrayBuffer. */
function readShared(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const bytes = new Uint8Array(new SharedArrayBuffer(fstatSync(fd).size));
    for (let off = 0; off < bytes.length;) {
      const n = readSync(fd, bytes, off, bytes.length - off, off);
      if (n === 0) throw new Error(`${path} ended after ${off} of ${bytes.length} bytes while reading it`);
      off += n;
    }
    return bytes;
  } finally {
    closeSync(fd);
  }
}
