/**
 * Per-sample shapes through the model: each layer's input and output shape (rank rules, windows that do not fit),
 * residual shape agreement, parameter count, the widest activation and the floats a sample holds in every layer.
 * Unknown shapes (null, from a layer or an input that did not resolve) silence what depends on them.
 */
import type { Node } from 'jsonc-parser';
import type { LayerKind, PoolConfig, Shape } from '../engine/config';
import { grouped, unitCount } from './diagnostic-text';
import type { ResolvedLayer } from './layers';
import { LIMITS } from './names';
import { propertyNode } from './pointer';
import {
  describeShape,
  hasUnknownSize,
  outputShape,
  parameterCount,
  sameShape,
  sampleFloats,
  sizeOf,
} from './shape-rules';
import type { DiagnosticSink } from './sink';

export interface ShapeSummary {
  /** The model's output shape; null when unknown. */
  outputShape: Shape | null;
  /** Its size (NaN when unknown). */
  outputWidth: number;
  /** The layer that set the output shape (the last layer on the way that changes it); null when it is the input's. */
  outputLayer: ResolvedLayer | null;
  /** Every layer in pre-order (a residual block before its branch). */
  flattened: ResolvedLayer[];
  /** Floats one sample holds in each layer of `flattened` (its output; recurrent layers also every step's state). */
  sampleFloats: number[];
  /** Floats of one input sample (NaN when unknown). */
  inputFloats: number;
  parameterCount: number;
  /** The first layer at which the running parameter count passed LIMITS.parameters, if any. */
  parameterCapLayer: ResolvedLayer | null;
  widestWidth: number;
  /** The layer with the widest output; null when the input is the widest. */
  widestLayer: ResolvedLayer | null;
}

/** Layers that transform their input in place (rescale, gate, drop): the output layer is the one before them. */
const KEEPS_OUTPUT: readonly LayerKind[] = ['batchnorm', 'layernorm', 'activation', 'dropout'];

/** Walks the layers from the input shape, reporting what a layer cannot take at the key where the fix goes. */
export function traceShapes(layers: ResolvedLayer[], input: Shape | null, sink: DiagnosticSink): ShapeSummary {
  const inputFloats = input === null ? NaN : sizeOf(input);
  const summary: ShapeSummary = {
    outputShape: input,
    outputWidth: inputFloats,
    outputLayer: null,
    flattened: [],
    sampleFloats: [],
    inputFloats,
    parameterCount: 0,
    parameterCapLayer: null,
    widestWidth: Number.isNaN(inputFloats) ? 0 : inputFloats,
    widestLayer: null,
  };
  summary.outputShape = traceList(layers, input, true, summary, sink);
  summary.outputWidth = summary.outputShape === null ? NaN : sizeOf(summary.outputShape);
  return summary;
}

function traceList(
  layers: ResolvedLayer[],
  input: Shape | null,
  atInput: boolean,
  summary: ShapeSummary,
  sink: DiagnosticSink,
): Shape | null {
  let current = input;
  layers.forEach((layer, i) => {
    const index = summary.flattened.push(layer) - 1;
    summary.sampleFloats.push(NaN);
    const layerInput = current;
    current = traceLayer(layer, layerInput, atInput && i === 0, summary, sink);
    if (current === null || layerInput === null) return;
    const config = layer.config!;
    summary.sampleFloats[index] =
      config.kind === 'residual' ? sizeOf(current) : sampleFloats(config, layerInput, current);
    const width = sizeOf(current);
    if (width > summary.widestWidth) {
      summary.widestWidth = width;
      summary.widestLayer = layer;
    }
  });
  return current;
}

function traceLayer(
  layer: ResolvedLayer,
  input: Shape | null,
  atInput: boolean,
  summary: ShapeSummary,
  sink: DiagnosticSink,
): Shape | null {
  const config = layer.config;
  if (config === null) return null;
  if (config.kind === 'residual') return traceResidual(layer, input, atInput, summary, sink);
  if (input === null || hasUnknownSize(config)) return null;
  if (config.kind === 'maxpool' || config.kind === 'avgpool') fitPoolAxes(layer, config, input);
  const outcome = outputShape(config, input, atInput);
  if ('problem' in outcome) {
    const { key, message } = outcome.problem;
    const node = valueNode(layer, key) ?? valueNode(layer, 'type') ?? layer.node;
    sink.error(node, valueNode(layer, key) ? `${layer.path}/${key}` : `${layer.path}/type`, 'shape', message);
    return null;
  }
  addParameters(layer, parameterCount(config, input), summary);
  if (!KEEPS_OUTPUT.includes(config.kind)) summary.outputLayer = layer;
  return outcome.shape;
}

/**
 * A pooling size written as one number applies to every spatial axis, which only the input tells: [C, L] has one,
 * [C, H, W] two. Arrays stay as written (outputShape checks their length against the input).
 */
function fitPoolAxes(layer: ResolvedLayer, config: PoolConfig, input: Shape): void {
  const axes = input.length - 1;
  if (axes < 1) return;
  const repeat = (values: number[], key: string): number[] =>
    valueNode(layer, key)?.type === 'array' ? values : new Array<number>(axes).fill(values[0]!);
  const stride = config.stride;
  config.pool = repeat(config.pool, 'pool');
  config.stride = valueNode(layer, 'stride') === undefined ? [...config.pool] : repeat(stride, 'stride');
}

function traceResidual(
  layer: ResolvedLayer,
  input: Shape | null,
  atInput: boolean,
  summary: ShapeSummary,
  sink: DiagnosticSink,
): Shape | null {
  const config = layer.config;
  if (config?.kind !== 'residual') return null;
  const branch = traceList(layer.children, input, atInput, summary, sink);
  if (input === null || branch === null) return branch;
  if (config.projection) {
    checkProjection(layer, input, branch, summary, sink);
  } else if (!sameShape(branch, input)) {
    const flat = input.length === 1 && branch.length === 1;
    const has = flat ? `has ${unitCount(input[0]!)}` : `is ${describeShape(input)}`;
    const outputs = flat ? unitCount(branch[0]!) : describeShape(branch);
    const fix = flat
      ? `end the branch with ${unitCount(input[0]!)}, or set "projection": true`
      : `keep the shape ${describeShape(input)} through the branch ("padding": "same", as many filters as channels)`;
    sink.error(
      layer.node,
      layer.path,
      'width-mismatch',
      `residual block ${layer.path}: its input ${has} but its branch outputs ${outputs}; x + f(x) needs equal ${flat ? 'widths' : 'shapes'} — ${fix}`,
    );
  }
  return branch;
}

/** The projection is a bias-free matrix on [features]: on images or sequences it would be a dense map of the whole sample. */
function checkProjection(
  layer: ResolvedLayer,
  input: Shape,
  branch: Shape,
  summary: ShapeSummary,
  sink: DiagnosticSink,
): void {
  const projection = valueNode(layer, 'projection') ?? layer.node;
  if (input.length !== 1 || branch.length !== 1) {
    sink.error(
      projection,
      `${layer.path}/projection`,
      'shape',
      `residual block ${layer.path}: "projection" is a matrix on flat [features], but the block's input is ${describeShape(input)} and its branch outputs ${describeShape(branch)}; keep the shape through the branch and set "projection": false`,
    );
    return;
  }
  const width = input[0]!;
  addParameters(layer, width * branch[0]!, summary); // the skip path's matrix, no bias
  if (branch[0] === width) {
    sink.info(
      projection,
      `${layer.path}/projection`,
      'redundant-projection',
      `the branch keeps the width (${width}), so the skip path needs no projection; "projection": false saves ${grouped(width * width)} parameters`,
    );
  }
}

function addParameters(layer: ResolvedLayer, count: number, summary: ShapeSummary): void {
  if (Number.isNaN(count)) return;
  summary.parameterCount += count;
  if (summary.parameterCapLayer === null && summary.parameterCount > LIMITS.parameters) {
    summary.parameterCapLayer = layer;
  }
}

function valueNode(layer: ResolvedLayer, key: string): Node | undefined {
  return propertyNode(layer.node, key)?.children?.[1];
}

/** Where a size diagnostic about a layer goes: its "units" or "filters" value when it has one, else the layer. */
export function sizeNode(layer: ResolvedLayer): Node {
  return valueNode(layer, 'units') ?? valueNode(layer, 'filters') ?? layer.node;
}
