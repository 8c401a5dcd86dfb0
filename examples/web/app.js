// Tessera example page: image classification (MobileNetV2) and sentence embedding (DistilBERT),
// entirely on the device. Build the bundle first (`npm run bundle`), then serve the repository
// root over http (any static server) and open /examples/web/.
//
// URL parameters (also used by the end-to-end test): backend=auto|cpu|webgpu|webgl,
// size=small|full, worker=1 (run in a Web Worker), runs=N, autorun=1 (run on load),
// tasks=classify,embed (which tasks autorun runs; default both).
import {
  InferenceSession, models, preprocessImage, topK, WordPieceTokenizer, DEMO_VOCAB,
  sentenceEmbedding, cosineSimilarity, createWorkerSession,
} from '../../dist/browser/tessera.js';

const CONFIG = {
  small: {
    mobilenet: { width: 0.35, resolution: 96, classes: 1000, seed: 1 },
    bert: { layers: 2, hidden: 128, heads: 2, ffn: 512, vocab: DEMO_VOCAB.length, maxPositions: 64, seed: 1 },
  },
  full: {
    mobilenet: { width: 1.0, resolution: 224, classes: 1000, seed: 1 },
    bert: { layers: 6, hidden: 768, heads: 12, ffn: 3072, vocab: 30522, maxPositions: 512, seed: 1 },
  },
};

const $ = (sel, root = document) => root.querySelector(sel);
const settings = $('#settings');
const params = new URLSearchParams(location.search);
for (const name of ['backend', 'size', 'runs']) if (params.has(name)) settings.elements[name].value = params.get(name);
if (params.get('worker') === '1') settings.elements.worker.checked = true;

const results = {};
const showResults = () => { $('#results').textContent = JSON.stringify(results, null, 2); };

function options() {
  const f = settings.elements;
  return { backend: f.backend.value, size: f.size.value, worker: f.worker.checked, runs: Math.max(1, Number(f.runs.value) || 5) };
}

/**
 * gpu.js is an optional peer dependency: loaded only when the WebGL backend may be used. Its
 * script defines globalThis.GPU, a name WebGPU browsers already use for their GPU interface.
 */
const isGpuJs = (c) => typeof c?.prototype?.createKernel === 'function';
async function gpuJs(backend) {
  if (isGpuJs(globalThis.GPU)) return globalThis.GPU;
  const wanted = backend === 'webgl' || (backend === 'auto' && !navigator.gpu);
  if (!wanted) return undefined;
  await new Promise((resolve) => {
    const s = document.createElement('script');
    s.src = '../../node_modules/gpu.js/dist/gpu-browser.min.js';
    s.onload = resolve;
    s.onerror = resolve; // not installed: the session reports why webgl is unavailable
    document.head.append(s);
  });
  return isGpuJs(globalThis.GPU) ? globalThis.GPU : undefined;
}

/** A session here or in a Web Worker, plus which backend it chose and where nodes ran. */
async function openSession(model, opts) {
  if (opts.worker) {
    const worker = new Worker(new URL('../../dist/browser/worker.js', import.meta.url), { type: 'module' });
    // gpu.js is not loaded inside the worker: 'auto' there means webgpu, else cpu.
    const s = await createWorkerSession(model, { worker, backend: opts.backend });
    return { session: s, backend: s.backend, where: 'Web Worker', placement: {} };
  }
  const placement = {};
  const debug = (line) => {
    const m = / ran as (\w+)/.exec(line) ?? (/runs on the CPU/.test(line) ? [, 'cpu fallback'] : null);
    if (m) placement[m[1]] = (placement[m[1]] ?? 0) + 1;
  };
  const GPU = await gpuJs(opts.backend);
  const s = await InferenceSession.create(model, { backend: opts.backend, debug, webgl: GPU ? { gpu: GPU } : {} });
  return { session: s, backend: s.backend, where: 'main thread', placement };
}

/** Load time (create + first run) and the median of `runs` timed runs. */
async function measure(model, feeds, opts) {
  const t0 = performance.now();
  const h = await openSession(model, opts);
  let out = await h.session.run(feeds);
  const loadMs = performance.now() - t0;
  const times = [];
  for (let i = 0; i < opts.runs; i++) {
    const t = performance.now();
    out = await h.session.run(feeds);
    times.push(performance.now() - t);
  }
  await h.session.dispose();
  times.sort((a, b) => a - b);
  return { out, backend: h.backend, where: h.where, placement: h.placement, loadMs, latencyMs: times[Math.floor(times.length / 2)], names: [h.session.inputNames, h.session.outputNames] };
}

async function pickedFile(input) {
  const f = input.files?.[0];
  return f ? new Uint8Array(await f.arrayBuffer()) : undefined;
}

async function loadOnnxGraph(bytes) {
  const { loadOnnx } = await import('../../dist/browser/onnx.js');
  return loadOnnx(bytes);
}

/** The default image: a synthetic test card (gradients and a disc). */
function drawTestCard(ctx, w, h) {
  const img = ctx.createImageData(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (y * w + x) * 4, dx = x - w / 2, dy = y - h / 2;
    const inDisc = dx * dx + dy * dy < (Math.min(w, h) / 3) ** 2;
    img.data[i] = (255 * x) / w; img.data[i + 1] = (255 * y) / h; img.data[i + 2] = inDisc ? 220 : 40; img.data[i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function renderStats(section, rows) {
  $('.stats', section).innerHTML = rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('');
}

function renderTop(section, items) {
  $('.topk', section).innerHTML = items.map((t) => `<li>${t.label} <span class="score">${t.score.toFixed(4)}</span><span class="bar" style="width:${Math.max(2, Math.round(Math.abs(t.score) * 120))}px"></span></li>`).join('');
}

const placementText = (p) => Object.entries(p).map(([k, n]) => `${n} ${k}`).join(', ') || '—';

async function classify() {
  const opts = options();
  const section = $('#classify');
  const picked = await pickedFile($('input[name=model]', section));
  const graph = picked ? await loadOnnxGraph(picked) : models.mobilenetV2(CONFIG[opts.size].mobilenet);
  const res = Number(graph.inputs[0].shape[2]) || 224;
  const canvas = $('#image');
  canvas.width = canvas.height = 256;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const file = $('input[name=image]', section).files?.[0];
  if (file) ctx.drawImage(await createImageBitmap(file), 0, 0, 256, 256);
  else drawTestCard(ctx, 256, 256);
  const pixels = ctx.getImageData(0, 0, 256, 256).data;
  const input = preprocessImage(pixels, 256, 256, { channels: 4, resize: Math.round((res * 256) / 224), crop: res });
  const m = await measure(graph, { [graph.inputs[0].name]: input }, opts);
  const logits = m.out[graph.outputs[0].name];
  const top = topK(logits, 5).map((t) => ({ index: t.index, label: t.label ?? `class #${t.index}`, score: t.score }));
  renderStats(section, [['backend', `${m.backend} (${m.where})`], ['model', picked ? 'your ONNX file' : `MobileNetV2 ${CONFIG[opts.size].mobilenet.width}/${res}, seeded`],
    ['load', `${m.loadMs.toFixed(0)} ms`], ['latency', `${m.latencyMs.toFixed(1)} ms (median of ${opts.runs})`], ['nodes', placementText(m.placement)]]);
  renderTop(section, top);
  results.classification = { backend: m.backend, where: m.where, placement: m.placement, loadMs: m.loadMs, latencyMs: m.latencyMs, top, logitsHead: Array.from(logits.data.slice(0, 16)) };
  showResults();
}

async function embed() {
  const opts = options();
  const section = $('#embed');
  const picked = await pickedFile($('input[name=model]', section));
  const vocabFile = $('input[name=vocab]', section).files?.[0];
  let tok;
  if (vocabFile) {
    const text = await vocabFile.text();
    tok = vocabFile.name.endsWith('.json') ? WordPieceTokenizer.fromTokenizerJson(text) : WordPieceTokenizer.fromVocab(text);
  } else tok = WordPieceTokenizer.fromVocab(DEMO_VOCAB);
  const graph = picked ? await loadOnnxGraph(picked) : models.distilbert(CONFIG[opts.size].bert);
  const query = $('input[name=query]', section).value.trim();
  const candidates = $('textarea[name=candidates]', section).value.split('\n').map((s) => s.trim()).filter(Boolean);
  const dtype = graph.inputs[0].dtype === 'int32' ? 'int32' : 'int64';
  const enc = tok.encodeBatch([query, ...candidates], { dtype, maxLength: 128 });
  const byName = { input_ids: enc.inputIds, attention_mask: enc.attentionMask, token_type_ids: enc.tokenTypeIds };
  const feeds = Object.fromEntries(graph.inputs.map((v) => [v.name, byName[v.name] ?? enc.inputIds]));
  const m = await measure(graph, feeds, opts);
  const emb = sentenceEmbedding(m.out[graph.outputs[0].name], enc.attentionMask);
  const dim = emb.shape[1];
  const row = (i) => emb.data.subarray(i * dim, (i + 1) * dim);
  const ranking = candidates.map((text, i) => ({ label: text, score: cosineSimilarity(row(0), row(i + 1)) })).sort((a, b) => b.score - a.score);
  renderStats(section, [['backend', `${m.backend} (${m.where})`], ['model', picked ? 'your ONNX file' : `DistilBERT ${CONFIG[opts.size].bert.layers}×${CONFIG[opts.size].bert.hidden}, seeded`],
    ['load', `${m.loadMs.toFixed(0)} ms`], ['latency', `${m.latencyMs.toFixed(1)} ms for ${candidates.length + 1} sentences`], ['embedding', `${dim} dims, ${enc.inputIds.shape[1]} tokens`], ['nodes', placementText(m.placement)]]);
  renderTop(section, ranking.slice(0, 5));
  results.embedding = { backend: m.backend, where: m.where, placement: m.placement, loadMs: m.loadMs, latencyMs: m.latencyMs, dim, tokens: enc.inputIds.shape[1], ranking, queryHead: Array.from(row(0).slice(0, 16)) };
  showResults();
}

async function guarded(task) {
  document.body.dataset.state = 'running';
  try {
    await task();
    document.body.dataset.state = 'done';
  } catch (e) {
    results.error = `${e.name}: ${e.message}`;
    showResults();
    document.body.dataset.state = 'error';
  }
}

$('#run-classify').addEventListener('click', () => guarded(classify));
$('#run-embed').addEventListener('click', () => guarded(embed));
if (params.get('autorun') === '1') {
  const tasks = (params.get('tasks') ?? 'classify,embed').split(',');
  guarded(async () => {
    if (tasks.includes('classify')) await classify();
    if (tasks.includes('embed')) await embed();
  });
}
