/**
 * A built network: layers wired on arena buffers for a fixed batch size, plus the loss on its output.
 * Phases are verbs: forward → computeLoss → backward; every parameter and its gradient is a view in the arena.
 */
import type { ActivationOp } from './activations';
import type { Arena } from './arena';
import { JS_BACKEND, type Backend } from './backend';
import type { LayerKind, ModelConfig, Shape } from './config';
import { buildChain } from './layers/build';
import type { Layer, ParamTensor, SharedTensors } from './layers/layer';
import { computeAccuracy, computeLoss } from './loss';
import type { LossBinding } from './loss';
import type { Rng } from './rng';
import type { LayerInfo } from './stats';

export interface ModelBuildOptions {
  batchSize: number;
  arena: Arena;
  initRng: Rng;
  dropoutRng: Rng;
  /** Kernels for the hot loops; default the pure-TypeScript reference (JS_BACKEND). */
  backend?: Backend;
  /** Whether backward computes ∂loss/∂input into `inputGrad` (default true; training does not need it). */
  inputGradient?: boolean;
  /** Whether to run the weight initialisers (default true; false for a build that only measures the arena). */
  initialize?: boolean;
  /** Evaluate this other build's live parameters and running statistics instead of owning any (the probe model). */
  shareWith?: Model;
}

/** Kinds that skip ∂loss/∂input when told (LayerWiring.skipInputGrad); the other kinds always write it. */
export const SKIPS_INPUT_GRAD: ReadonlySet<LayerKind> = new Set<LayerKind>([
  'dense',
  'residual',
  'conv1d',
  'conv2d',
  'simple_rnn',
  'lstm',
  'gru',
]);

export class Model {
  readonly batchSize: number;
  readonly inputWidth: number;
  readonly outputWidth: number;
  /** Targets per sample: 1 class index for crossentropy, one value per output unit otherwise (mse, bce). */
  readonly targetWidth: number;
  /** The mini-batch input, batch × inputWidth (fill before forward). */
  readonly input: Float32Array;
  /** ∂loss/∂input, batch × inputWidth, after backward (built with inputGradient: false: not computed, maybe empty). */
  readonly inputGrad: Float32Array;
  /** The mini-batch targets, batch × targetWidth. */
  readonly target: Float32Array;
  /** Top-level layers in spec order. */
  readonly layers: Layer[];
  /** Every layer node depth-first (a residual block before its children), as in TrainResult.layers. */
  readonly nodes: Layer[];
  /** For each node, the index of its enclosing residual block in `nodes`, or −1. */
  readonly parents: number[];
  /** For each node, the per-sample shape of its input. */
  private readonly inputShapes: Shape[];
  /** The output activation fused into the loss (softmax+crossentropy, sigmoid+bce), or null. */
  readonly fusedOutput: ActivationOp | null;
  private readonly loss: LossBinding;
  private readonly paramList: ParamTensor[];

  constructor(
    readonly config: ModelConfig,
    options: ModelBuildOptions,
  ) {
    const { arena, batchSize } = options;
    if (config.layers.length === 0) throw new Error('the model has no layers');
    this.batchSize = batchSize;
    this.inputWidth = config.input;
    this.input = arena.alloc(batchSize * config.input);
    const skipInputGrad = options.inputGradient === false;
    const skipped = skipInputGrad && SKIPS_INPUT_GRAD.has(config.layers[0]!.kind);
    this.inputGrad = arena.alloc(skipped ? 0 : batchSize * config.input);
    const backend = options.backend ?? JS_BACKEND;
    const ctx = {
      arena,
      batch: batchSize,
      initRng: options.initRng,
      dropoutRng: options.dropoutRng,
      backend,
      initialize: options.initialize !== false && !options.shareWith,
      ...(options.shareWith ? { shared: options.shareWith.sharedTensors() } : {}),
    };
    this.layers = buildChain(
      config.layers,
      {
        input: this.input,
        inputGrad: this.inputGrad,
        inputWidth: config.input,
        inputShape: config.inputShape ?? [config.input],
        skipInputGrad,
      },
      ctx,
    );
    const last = this.layers[this.layers.length - 1]!;
    this.outputWidth = last.outputWidth;
    this.targetWidth = config.loss === 'crossentropy' ? 1 : this.outputWidth;
    this.target = arena.alloc(batchSize * this.targetWidth);
    this.nodes = [];
    this.parents = [];
    this.inputShapes = [];
    flatten(this.layers, -1, config.inputShape ?? [config.input], {
      nodes: this.nodes,
      parents: this.parents,
      inputShapes: this.inputShapes,
    });
    this.paramList = this.nodes.flatMap((n) => n.params);
    this.fusedOutput = fusableOutput(last, config.loss);
    if (this.fusedOutput) this.fusedOutput.fusedWithLoss = true;
    this.loss = {
      name: config.loss,
      output: last.output,
      logits: this.fusedOutput ? (last.preActivation ?? null) : null,
      grad: last.outputGrad,
      target: this.target,
      batch: batchSize,
      width: this.outputWidth,
    };
  }

  /**
   * Runs every layer on `input` (training: batch statistics, dropout masks). `interrupted`, when given, is asked
   * between top-level layers; true abandons the pass and forward returns false.
   */
  forward(training = true, interrupted?: () => boolean): boolean {
    for (let i = 0; i < this.layers.length; i++) {
      if (i > 0 && interrupted?.()) return false;
      this.layers[i]!.forward(training);
    }
    return true;
  }

  /**
   * Loss of the last forward pass against `target`; writes ∂loss/∂output into the last layer's outputGrad
   * (∂loss/∂logits when the output activation is fused into the loss).
   */
  computeLoss(): number {
    return computeLoss(this.loss);
  }

  /** Classification accuracy of the last forward pass (NaN for mse). */
  accuracy(): number {
    return computeAccuracy(this.loss);
  }

  /**
   * Back-propagates from the gradient computeLoss wrote; overwrites every parameter gradient and inputGrad.
   * `interrupted` as in forward (false: abandoned, the gradients are partial).
   */
  backward(interrupted?: () => boolean): boolean {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      if (i < this.layers.length - 1 && interrupted?.()) return false;
      this.layers[i]!.backward();
    }
    return true;
  }

  /** Every trainable tensor in model order (live views into the arena). */
  parameters(): ParamTensor[] {
    return this.paramList;
  }

  /** Every parameter and persistent buffer by "path#name", for a build that shares them (ModelBuildOptions). */
  sharedTensors(): SharedTensors {
    const params = new Map<string, ParamTensor>();
    const buffers = new Map<string, Float32Array>();
    for (const p of this.paramList) params.set(`${p.path}#${p.name}`, p);
    for (const node of this.nodes)
      for (const [name, buffer] of Object.entries(node.state ?? {})) buffers.set(`${node.path}#${name}`, buffer);
    return { params, buffers };
  }

  /** Static description of every node, as recorded in TrainResult.layers. */
  layerInfo(): LayerInfo[] {
    return this.nodes.map((node, i) => ({
      path: node.path,
      kind: node.kind,
      inputWidth: node.inputWidth,
      outputWidth: node.outputWidth,
      inputShape: [...this.inputShapes[i]!],
      outputShape: [...node.outputShape],
      activation: node.activation ? node.activation.name : null,
      parameterCount: node.params.reduce((sum, p) => sum + p.data.length, 0),
      hasWeights: node.weight != null,
      parent: this.parents[i]!,
    }));
  }
}

/** Appends `layers` and their children depth-first to the model's node lists; `inputShape` feeds the first. */
function flatten(
  layers: Layer[],
  parent: number,
  inputShape: Shape,
  into: { nodes: Layer[]; parents: number[]; inputShapes: Shape[] },
): void {
  let shape = inputShape;
  for (const layer of layers) {
    const index = into.nodes.length;
    into.nodes.push(layer);
    into.parents.push(parent);
    into.inputShapes.push(shape);
    // A residual branch reads the block's input.
    flatten(layer.children, index, shape, into);
    shape = layer.outputShape;
  }
}

/** The output activation the loss can take over from its logits, as PyTorch's *WithLogits losses do. */
function fusableOutput(last: Layer, loss: ModelConfig['loss']): ActivationOp | null {
  const op = last.activation;
  if (!op || !last.preActivation) return null;
  if (loss === 'crossentropy' && op.name === 'softmax') return op;
  if (loss === 'bce' && op.name === 'sigmoid') return op;
  return null;
}
