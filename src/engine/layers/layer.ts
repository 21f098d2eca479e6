/**
 * What every layer node of the engine looks like. Buffers are wired once at build time:
 * a layer reads its input from the previous layer's `output` and writes ∂loss/∂input into the previous
 * layer's `outputGrad` (the model's input-gradient buffer for the first layer).
 */
import type { Arena } from '../arena';
import type { LayerKind, Shape } from '../config';
import type { Rng } from '../rng';
import type { ActivationOp } from '../activations';
import type { Backend } from '../backend';

/** A trainable tensor: a view into the arena and its gradient (overwritten by every backward pass). */
export interface ParamTensor {
  /** JSON Pointer of the owning layer. */
  path: string;
  /** recurrentWeight / recurrentBias: W_hh and b_hh of recurrent layers (weight and bias are W_ih, b_ih). */
  name: 'weight' | 'bias' | 'gamma' | 'beta' | 'slope' | 'projection' | 'recurrentWeight' | 'recurrentBias';
  shape: number[];
  data: Float32Array;
  grad: Float32Array;
}

/** Shared by every layer constructor. */
export interface BuildContext {
  arena: Arena;
  /** Fixed mini-batch size: every activation buffer is batch × width. */
  batch: number;
  /** Stream for weight initialisation. */
  initRng: Rng;
  /** Stream for dropout masks. */
  dropoutRng: Rng;
  /** Kernels for the hot loops (matrix products, bias, activations). */
  backend: Backend;
  /**
   * False for a build that only sizes the arena, or one that shares another build's parameters: initialisers and
   * initial fills are skipped (their values are never read, or belong to the other build).
   */
  initialize: boolean;
  /**
   * Tensors of another build of the same config to use instead of allocating (key "path#name", running statistics
   * included): the probe model evaluates the training model's live parameters (see ../probe.ts).
   */
  shared?: SharedTensors;
}

/** A build's parameters ("path#weight" …) and other persistent state ("path#runningMean" …), by key. */
export interface SharedTensors {
  params: ReadonlyMap<string, ParamTensor>;
  buffers: ReadonlyMap<string, Float32Array>;
}

/** Where a layer reads from and writes its input gradient to. */
export interface LayerWiring {
  input: Float32Array;
  /** Receives ∂loss/∂input (batch × inputWidth). */
  inputGrad: Float32Array;
  inputWidth: number;
  /** Per-sample shape of the input (product = inputWidth); absent means [inputWidth]. */
  inputShape?: Shape;
  /** True when nothing reads ∂loss/∂input (the model's input in training): layers may skip computing it. */
  skipInputGrad?: boolean;
}

export interface Layer {
  readonly kind: LayerKind;
  readonly path: string;
  readonly inputWidth: number;
  readonly outputWidth: number;
  /** Per-sample shape of the output (product = outputWidth). */
  readonly outputShape: Shape;
  /** y, batch × outputWidth. */
  readonly output: Float32Array;
  /** ∂loss/∂y, batch × outputWidth; written by the next layer's backward (or the loss) before backward(). */
  readonly outputGrad: Float32Array;
  /*
   * The optional members are capabilities: a layer that has none of them leaves them out (no null fields).
   */
  /** z fed to the activation (dense, activation layers), for saturation/dead-unit statistics. */
  readonly preActivation?: Float32Array | null;
  readonly activation?: ActivationOp | null;
  /** The weight matrix whose statistics are recorded (dense W, residual projection). */
  readonly weight?: ParamTensor | null;
  /** The bias-like vector whose gradient norm is recorded (dense bias, BatchNorm beta). */
  readonly bias?: ParamTensor | null;
  /** Trainable tensors owned directly by this layer (not by its children). */
  readonly params: ParamTensor[];
  /** Persistent state that is not trained (BatchNorm's running statistics), by name. */
  readonly state?: Readonly<Record<string, Float32Array>>;
  /**
   * Recurrent layers: ‖∂loss/∂h_t‖₂ over the batch for every step t = 0 … steps−1 of the last backward pass
   * (the total gradient reaching h_t, through the output and through h_{t+1}).
   */
  timeGradNorms?(): Float64Array;
  /**
   * LSTM/GRU: per gate ("input", "forget", "cell", "output" / "reset", "update", "new"), the fraction of its
   * pre-activations over batch × steps × units of the last forward pass that are saturated (|z| > threshold).
   */
  gateSaturation?(threshold: number): Record<string, number>;
  /** Conv layers with a ReLU-family activation: per filter, whether z ≤ 0 at every position of every sample of the last forward pass. */
  deadChannels?(): Uint8Array;
  /** Child layers (residual branch), in order. */
  readonly children: Layer[];
  forward(training: boolean): void;
  backward(): void;
}

export function paramTensor(ctx: BuildContext, path: string, name: ParamTensor['name'], shape: number[]): ParamTensor {
  const shared = ctx.shared?.params.get(`${path}#${name}`);
  if (shared) return shared;
  const arena = ctx.arena;
  let size = 1;
  for (const d of shape) size *= d;
  return { path, name, shape, data: arena.alloc(size), grad: arena.alloc(size) };
}
