// @typegrad/nn: layers as data plus pure functions, losses, optimisers, training and checkpoints.
export { type Leaf, type LeafIn, type Tree, type Params, type Vars, mapTree, flatten, unflatten, leaf, subtree } from "./tree.js";
export { type Ctx, type KeyExpr, type Layer, type LayerSpec, type NoParams, type Same, layer, named, bind, constants } from "./layer.js";
export type { Chain, ChainCheck, ChainIn, ChainOut, ChainTree, Checked, FeatureCheck, Fits, TreeCheck, ValuesCheck } from "./shapes.js";
export { type Sequential, sequential, andThen } from "./sequential.js";
export { residual } from "./residual.js";
export { type DenseOptions, type DenseParams, dense } from "./dense.js";
export { elementwise, relu, sigmoid, tanh, leakyRelu, gelu, softplus } from "./activations.js";
export { dropout } from "./dropout.js";
export { type BatchNormOptions, type BatchNormParams, type BatchNormState, batchNorm } from "./batchNorm.js";
export {
  type Fans,
  type Initializer,
  type KaimingOptions,
  type Nonlinearity,
  fansOf,
  calculateGain,
  uniformInit,
  normalInit,
  constantInit,
  zerosInit,
  onesInit,
  xavierUniform,
  xavierNormal,
  kaimingUniform,
  kaimingNormal,
  glorotUniform,
  glorotNormal,
  heUniform,
  heNormal,
  linearWeightBound,
  linearWeightInit,
  linearBiasInit,
} from "./init.js";
export { type Loss, type LossFor, type LossForBatches, type Reduction, mse, crossEntropy, binaryCrossEntropy } from "./losses.js";
export { type Optimizer, type OptState, type LearningRate, zerosLike } from "./optim/optimizer.js";
export { type SgdOptions, type SgdSlots, sgd } from "./optim/sgd.js";
export { type AdamOptions, type AdamSlots, adam, adamw } from "./optim/adam.js";
export { type RmspropOptions, type RmspropSlots, rmsprop } from "./optim/rmsprop.js";
export { clipGradNorm } from "./optim/clip.js";
export { type Schedule, stepDecay, exponentialDecay, cosineDecay, warmup } from "./optim/schedules.js";
export { type TrainState, type StepGraph, type StepOptions, type StateCheck, type Trainer, type TrainSession, type TrainOptions, type AnyLoss, stepGraph, trainStep } from "./train/step.js";
export { NonFiniteError } from "./train/finite.js";
export { type CheckpointError, type CheckpointErrorKind, type StateDictMismatch, CheckpointLoadError } from "./checkpoint/errors.js";
export { type Safetensors, MAX_HEADER_BYTES, encodeSafetensors, decodeSafetensors } from "./checkpoint/safetensors.js";
export { writeFileAtomic, saveSafetensors, loadSafetensors, orThrow } from "./checkpoint/io.js";
export { type ModelValues, type LoadStateDictOptions, stateDict, loadStateDict } from "./checkpoint/stateDict.js";
export { type SaveOptions, type Checkpoint, CONFIG_KEY, saveCheckpoint, loadCheckpoint, saveCheckpointOrThrow, loadCheckpointOrThrow } from "./checkpoint/checkpoint.js";
export { type Metric, accuracy } from "./train/metrics.js";
export { type EvaluateOptions, predict, evaluateModel } from "./train/evaluate.js";
export { type ProgressSink, stdoutProgress, lineProgress } from "./train/progress.js";
export { type EpochLog, type Callback, type FitOptions, fit } from "./train/fit.js";
export {
  type PackedTensor,
  type PackedTree,
  type PackedState,
  type Packed,
  type TrainEvent,
  packTree,
  packState,
  unpackTree,
  unpackState,
  unpackValues,
  postProgress,
} from "./transfer.js";
