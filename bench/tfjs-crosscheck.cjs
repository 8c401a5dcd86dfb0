/*
 * One-off oracle for the nsfwjs MobileNetV2 conversion (bench/trained-mobilenet.ts): the same
 * inputs through Tessera, onnxruntime-node (the saved ONNX graph) and tfjs (the package's own
 * reference runtime, loading the same model files with tfjs-layers). tfjs is NOT a dependency
 * of this repo; point the script at a folder whose node_modules has @tensorflow/tfjs-core,
 * -backend-cpu and -layers 4.x (and optionally jpeg-js plus a JPEG to add one photo):
 *
 *   npm run build && node bench/tfjs-crosscheck.cjs /path/with/tfjs [photo.jpg]
 */
const path = require('node:path'), fs = require('node:fs');
const tfDir = process.argv[2], photo = process.argv[3];
if (!tfDir) { console.error('usage: node bench/tfjs-crosscheck.cjs <folder with node_modules/@tensorflow/*> [photo.jpg]'); process.exit(2); }
const from = (m) => require(require.resolve(m, { paths: [tfDir] }));
const tf = from('@tensorflow/tfjs-core'); from('@tensorflow/tfjs-backend-cpu'); const tfl = from('@tensorflow/tfjs-layers');

(async () => {
  const { trainedMobilenetV2, loadNsfwMobilenetV2, naturalishInputs, logitsOf } = await import('../dist/bench/trained-mobilenet.js');
  const { saveOnnx } = await import('../dist/src/onnx/index.js');
  const { preprocessImage } = await import('../dist/src/models/preprocess.js');
  const ort = require('onnxruntime-node');
  await tf.setBackend('cpu');
  const files = loadNsfwMobilenetV2();
  const buf = files.weightData.slice().buffer;
  const model = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: files.model.modelTopology, weightSpecs: files.model.weightsManifest.flatMap((g) => g.weights), weightData: buf }));
  const g = trainedMobilenetV2({ batch: 1 });
  const inputs = naturalishInputs(6, 1), names = inputs.map((_, i) => `naturalish #${i}`);
  if (photo) {
    const img = from('jpeg-js').decode(fs.readFileSync(photo), { useTArray: true });
    inputs.push(preprocessImage(img.data, img.width, img.height, { channels: 4, resize: { width: 224, height: 224 }, mean: [0, 0, 0], std: [1, 1, 1] }));
    names.push(path.basename(photo));
  }
  const ours = await logitsOf(g, inputs);
  const sess = await ort.InferenceSession.create(saveOnnx(g));
  const softmax = (l) => { const m = Math.max(...l), e = l.map((v) => Math.exp(v - m)), s = e.reduce((a, b) => a + b, 0); return e.map((v) => v / s); };
  let worstProb = 0, worstOrt = 0, worstLogit = 0;
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i];
    const theirs = (await sess.run({ input: new ort.Tensor('float32', x.data, x.shape) })).logits.data;
    const nhwc = tf.tidy(() => tf.transpose(tf.tensor4d(x.data, x.shape), [0, 2, 3, 1]));
    const p = Array.from(model.predict(nhwc).dataSync()), q = softmax(Array.from(ours[i]));
    const dp = Math.max(...p.map((v, j) => Math.abs(v - q[j]))), dl = Math.max(...Array.from(theirs, (v, j) => Math.abs(v - ours[i][j])));
    // Logits are known up to a constant from softmax outputs: compare log p and logits, both centred.
    const centre = (v) => { const m = v.reduce((a, b) => a + b, 0) / v.length; return v.map((x) => x - m); };
    const lp = centre(p.map(Math.log)), lo = centre(Array.from(ours[i])), dlt = Math.max(...lp.map((v, j) => Math.abs(v - lo[j])));
    worstProb = Math.max(worstProb, dp); worstOrt = Math.max(worstOrt, dl); worstLogit = Math.max(worstLogit, dlt);
    console.log(`${names[i]}: tfjs argmax ${p.indexOf(Math.max(...p))}, tessera argmax ${q.indexOf(Math.max(...q))}; max |p_tfjs - p_tessera| ${dp.toExponential(2)}; centred logits vs tfjs log p ${dlt.toExponential(2)}; max |logit_ort - logit_tessera| ${dl.toExponential(2)}`);
  }
  console.log(`worst over ${inputs.length} inputs: probabilities vs tfjs ${worstProb.toExponential(2)}, centred logits vs tfjs ${worstLogit.toExponential(2)}, logits vs onnxruntime ${worstOrt.toExponential(2)}`);
})().catch((e) => { console.error(e); process.exit(1); });
