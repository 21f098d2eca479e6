/**
 * Rules about the model as a whole: size caps (parameters, one activation buffer, all activations together), softmax
 * only at the output, the loss fitting the output layer's shape, and at least one layer with weights. Each diagnostic
 * sits where the fix goes (the loss value, the activation, the size).
 */
import type { Node } from 'jsonc-parser';
import type { ActivationName, LayerConfig, LayerKind, LossName } from '../engine/config';
import { grouped, shown, unitCount } from './diagnostic-text';
import type { ResolvedLayer } from './layers';
import { LIMITS } from './names';
import { describeShape } from './shape-rules';
import { sizeNode, type ShapeSummary } from './shapes';
import type { DiagnosticSink } from './sink';

export interface ModelChecks {
  layers: ResolvedLayer[];
  layersNode: Node;
  shapes: ShapeSummary;
  /** Present when "loss" resolved. */
  loss: { name: LossName; node: Node; path: string } | null;
  /** The batchSize value node when written (the batch-activation cap is reported there). */
  batchSize: { value: number; node: Node | undefined; path: string };
}

/** Layers with weights to train (batchnorm, layernorm and projections only rescale or mix what these compute). */
const WEIGHTED_KINDS: readonly LayerKind[] = ['dense', 'conv1d', 'conv2d', 'simple_rnn', 'lstm', 'gru'];

export function checkModel(model: ModelChecks, sink: DiagnosticSink): void {
  checkSizes(model, sink);
  checkSoftmax(model.layers, model.shapes, sink);
  const { flattened } = model.shapes;
  const weighted = (config: LayerConfig | null): boolean => config !== null && WEIGHTED_KINDS.includes(config.kind);
  if (
    model.layers.length > 0 &&
    flattened.every((l) => l.config !== null) &&
    !flattened.some((l) => weighted(l.config))
  ) {
    sink.error(
      model.layersNode,
      '/layers',
      'no-weights',
      'the model has no dense, conv or recurrent layer, so nothing to train: add e.g. {"type": "dense", "units": 1}',
    );
  }
  if (model.loss !== null) checkLoss(model.loss, model.layers, model.shapes, sink);
}

function checkSizes(model: ModelChecks, sink: DiagnosticSink): void {
  const { shapes } = model;
  if (shapes.flattened.length > LIMITS.flattenedLayers) {
    const first = shapes.flattened[LIMITS.flattenedLayers]!;
    sink.error(
      first.node,
      first.path,
      'limit',
      `the model has ${grouped(shapes.flattened.length)} layers (residual branches included); the limit is ${grouped(LIMITS.flattenedLayers)} — this is layer ${grouped(LIMITS.flattenedLayers + 1)}`,
    );
  }
  const capLayer = shapes.parameterCapLayer;
  if (capLayer !== null) {
    sink.error(
      sizeNode(capLayer),
      capLayer.path,
      'limit',
      `the model has ${grouped(shapes.parameterCount)} parameters; the limit is ${grouped(LIMITS.parameters)} (the count passes it at this layer)`,
    );
  }
  checkActivations(model, sink);
}

/** batchSize × the widest layer (one buffer), then batchSize × every layer's floats (all of them at once). */
function checkActivations(model: ModelChecks, sink: DiagnosticSink): void {
  const { shapes } = model;
  const { value: batch, node: batchNode, path: batchPath } = model.batchSize;
  const floats = batch * shapes.widestWidth;
  if (floats > LIMITS.batchActivations) {
    const widest = shapes.widestLayer === null ? 'the input' : `layer ${shapes.widestLayer.path}`;
    const where = batchNode ?? (shapes.widestLayer ? sizeNode(shapes.widestLayer) : model.layersNode);
    sink.error(
      where,
      batchNode ? batchPath : (shapes.widestLayer?.path ?? '/layers'),
      'limit',
      `batchSize ${grouped(batch)} × ${grouped(shapes.widestWidth)} units (${widest}) is ${grouped(floats)} activations per layer; the limit is ${grouped(LIMITS.batchActivations)}`,
    );
    return;
  }
  // Unknown shapes (NaN) count as nothing: what is known can already pass the cap.
  let perSample = Number.isNaN(shapes.inputFloats) ? 0 : shapes.inputFloats;
  const passing = shapes.flattened.find((_, i) => {
    perSample += Number.isNaN(shapes.sampleFloats[i]!) ? 0 : shapes.sampleFloats[i]!;
    return batch * perSample > LIMITS.totalActivations;
  });
  if (passing === undefined) return;
  const total = shapes.sampleFloats.reduce((sum, n) => (Number.isNaN(n) ? sum : sum + n), shapes.inputFloats || 0);
  sink.error(
    batchNode ?? sizeNode(passing),
    batchNode ? batchPath : passing.path,
    'limit',
    `batchSize ${grouped(batch)} × ${grouped(total)} floats per sample over all layers is ${grouped(batch * total)} activations (the sum passes ${grouped(LIMITS.totalActivations)}, the limit, at ${passing.path}); use a smaller batch, fewer filters or smaller inputs`,
  );
}

/** Softmax normalises over the units of one sample, so it only makes sense as the model's output. */
function checkSoftmax(layers: ResolvedLayer[], shapes: ShapeSummary, sink: DiagnosticSink): void {
  const last = layers[layers.length - 1];
  for (const layer of shapes.flattened) {
    if (activationName(layer) !== 'softmax' || layer.activationNode === undefined) continue;
    if (layer !== last) {
      sink.error(
        layer.activationNode,
        `${layer.path}/activation`,
        'softmax-position',
        `softmax is only allowed on the last layer (${last?.path ?? '/layers'}); here it would couple the units of a hidden layer — use e.g. "relu"`,
      );
    } else if (shapes.outputWidth === 1) {
      sink.warning(
        layer.activationNode,
        `${layer.path}/activation`,
        'softmax-width',
        'softmax over a single unit always outputs 1 and passes no gradient; use "sigmoid" for one probability',
      );
    }
  }
}

function activationName(layer: ResolvedLayer): ActivationName | null {
  const config = layer.config;
  if (config?.kind === 'dense' || config?.kind === 'activation') return config.activation.name;
  if (config?.kind === 'conv1d' || config?.kind === 'conv2d') return config.activation.name;
  return null;
}

/** The activation the model ends in: that of the last top-level layer, looking past trailing dropout. */
function outputActivation(layers: ResolvedLayer[]): { name: ActivationName; layer: ResolvedLayer } | null {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    if (layer.config?.kind === 'dropout') continue;
    const name = activationName(layer);
    return name === null ? null : { name, layer };
  }
  return null;
}

function checkLoss(
  loss: NonNullable<ModelChecks['loss']>,
  layers: ResolvedLayer[],
  shapes: ShapeSummary,
  sink: DiagnosticSink,
): void {
  const width = shapes.outputWidth;
  if (Number.isNaN(width) || shapes.outputShape === null) return;
  const source =
    shapes.outputLayer === null ? 'the input (no dense layer)' : `the output layer ${shapes.outputLayer.path}`;
  if (loss.name !== 'mse' && shapes.outputShape.length > 1) {
    sink.error(
      loss.node,
      loss.path,
      'loss-output',
      `loss ${shown(loss.name)} reads one score per class from a flat output, but ${source} outputs ${describeShape(shapes.outputShape)}; end the model with {"type": "flatten"} (or "returnSequences": false) and a dense layer`,
    );
    return;
  }
  const units = unitCount(width);
  const output = outputActivation(layers);
  const say = (message: string): void => sink.error(loss.node, loss.path, 'loss-output', message);
  if (loss.name === 'bce' && width !== 1) {
    say(
      `loss "bce" needs exactly 1 output unit (the probability of class 1), but ${source} has ${units}; use "crossentropy" for 2 or more classes`,
    );
  } else if (loss.name === 'bce' && output?.name === 'softmax') {
    say(
      `loss "bce" needs a sigmoid (or linear) output, but ${output.layer.path} ends in softmax, which is always 1 over one unit`,
    );
  } else if (loss.name === 'bce' && output !== null && output.name !== 'sigmoid') {
    sink.warning(
      loss.node,
      loss.path,
      'loss-output',
      `loss "bce" reads the output as a probability, but ${output.layer.path} ends in ${shown(output.name)}: outputs outside (0, 1) make the loss NaN — use "sigmoid" (then computed stably from the logit)`,
    );
  } else if (loss.name === 'crossentropy' && width < 2) {
    say(
      `loss "crossentropy" needs at least 2 output units (one per class), but ${source} has ${units}; use "bce" for a single probability`,
    );
  } else if (loss.name === 'crossentropy' && output !== null && output.name !== 'softmax' && output.name !== 'linear') {
    say(
      `loss "crossentropy" needs the output to be logits ("linear") or "softmax", but ${output.layer.path} ends in ${shown(output.name)}`,
    );
  }
}
