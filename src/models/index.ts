import { mobilenetV2 } from './mobilenet-v2.js';
import { mobilenetV1 } from './mobilenet-v1.js';
import { squeezenet } from './squeezenet.js';
import { efficientnetB0 } from './efficientnet-b0.js';
import { distilbert } from './distilbert.js';
import { distilbertFromCheckpoint, distilbertConfigFromHf } from './hf-distilbert.js';
import { learnableParameterCount } from './parameters.js';

/**
 * Graph builders with seeded deterministic weights (same seed, same weights), and the
 * Hugging Face DistilBERT checkpoint mapping. Each returns a validated Graph in the form
 * PyTorch exports (explicit BatchNormalization, Clip for ReLU6, x * Sigmoid(x) for SiLU, erf
 * GELU), with torchvision / Hugging Face weight names. Convnet BatchNorm running statistics are
 * measured on a seeded probe batch at build time, so untrained models keep activations O(1)
 * for unit-variance (normalized) inputs. `learnableParameterCount` leaves BN running
 * statistics out, as torchvision's published counts do; `graph.parameterCount` includes them.
 */
export const models = {
  mobilenetV2, mobilenetV1, squeezenet, efficientnetB0, distilbert,
  distilbertFromCheckpoint, distilbertConfigFromHf, learnableParameterCount,
} as const;

export { mobilenetV2, type MobileNetV2Options } from './mobilenet-v2.js';
export { mobilenetV1, type MobileNetV1Options } from './mobilenet-v1.js';
export { squeezenet, type SqueezeNetOptions } from './squeezenet.js';
export { efficientnetB0, type EfficientNetB0Options } from './efficientnet-b0.js';
export {
  distilbert, buildDistilbert, distilbertWeightSpecs, seededDistilbertWeights, resolveDistilbertConfig,
  type DistilbertConfig, type DistilbertOptions, type DistilbertWeights, type DistilbertWeightSpec, type DistilbertWeightKind,
} from './distilbert.js';
export { distilbertFromCheckpoint, distilbertConfigFromHf, hfDistilbertName, CheckpointError, type HfDistilbertConfigJson } from './hf-distilbert.js';
export { learnableParameterCount } from './parameters.js';
