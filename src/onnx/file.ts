import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { Graph } from '../graph/graph.js';
import { loadOnnx } from './load.js';

/**
 * Node only (kept out of index.ts so browser bundles never see node:fs): loads an .onnx file,
 * its external data files resolved next to it. The file's bytes belong to the graph alone, so
 * unaligned weights are aligned in place: loading takes about the file's size in memory.
 * External data locations must stay inside the model's directory, as onnxruntime requires.
 */
export function loadOnnxFile(path: string): Graph {
  const bytes = readFileSync(path);
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
