/** The engine's public surface: pure math on Float32Array (no vscode, node or DOM imports). */
export type * from './config';
export type * from './stats';
export { Arena, MeasuringArena } from './arena';
export { JS_BACKEND } from './backend';
export type { Backend, BackendName } from './backend';
export { WasmBackend } from './wasm/wasm-backend';
export { Rng } from './rng';
export { createTrainer, train } from './train';
export type { Trainer, TrainOptions } from './train';
export { Model } from './model';
export type { ModelBuildOptions } from './model';
export type { ParamTensor } from './layers/layer';
export { ACTIVATION_KERNELS, ActivationOp, erf, isReluFamily, isSaturating } from './activations';
export { initializeWeights } from './init';
export { Optimizer } from './optimizer';
export { computeAccuracy, computeLoss } from './loss';
