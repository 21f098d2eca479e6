/**
 * Widths through the model: each layer's input and output width, residual width agreement, parameter count and the
 * widest activation. Unknown widths (NaN, from a layer that did not resolve) silence what depends on them.
 */
import type { Node } from 'jsonc-parser';
import { grouped, unitCount } from './diagnostic-text';
import type { ResolvedLayer } from './layers';
import { LIMITS } from './names';
import { propertyNode } from './pointer';
import type { DiagnosticSink } from './sink';

export interface ShapeSummary {
  outputWidth: number;
  /** The layer that set the output width (the last dense layer on the way); null when it is the input's. */
  outputLayer: ResolvedLayer | null;
  /** Every layer in pre-order (a residual block before its branch). */
  flattened: ResolvedLayer[];
  parameterCount: number;
  /** The first layer at which the running parameter count passed LIMITS.parameters, if any. */
  parameterCapLayer: ResolvedLayer | null;
  widestWidth: number;
  /** The layer with the widest output; null when the input is the widest. */
  widestLayer: ResolvedLayer | null;
  denseCount: number;
}

/** Walks the layers from the input width, reporting residual width mismatches on the way. */
export function traceShapes(layers: ResolvedLayer[], inputWidth: number, sink: DiagnosticSink): ShapeSummary {
  const summary: ShapeSummary = {
    outputWidth: inputWidth,
    outputLayer: null,
    flattened: [],
    parameterCount: 0,
    parameterCapLayer: null,
    widestWidth: Number.isNaN(inputWidth) ? 0 : inputWidth,
    widestLayer: null,
    denseCount: 0,
  };
  summary.outputWidth = traceList(layers, inputWidth, summary, sink);
  return summary;
}

function traceList(layers: ResolvedLayer[], width: number, summary: ShapeSummary, sink: DiagnosticSink): number {
  let current = width;
  for (const layer of layers) {
    summary.flattened.push(layer);
    current = traceLayer(layer, current, summary, sink);
    if (current > summary.widestWidth) {
      summary.widestWidth = current;
      summary.widestLayer = layer;
    }
  }
  return current;
}

function traceLayer(layer: ResolvedLayer, width: number, summary: ShapeSummary, sink: DiagnosticSink): number {
  const config = layer.config;
  if (config === null) return NaN;
  switch (config.kind) {
    case 'dense':
      summary.denseCount++;
      summary.outputLayer = layer;
      addParameters(layer, width * config.units + config.units, summary);
      return config.units;
    case 'batchnorm':
      addParameters(layer, 2 * width, summary); // γ and β per unit
      return width;
    case 'activation':
    case 'dropout':
      return width;
    case 'residual':
      return traceResidual(layer, width, summary, sink);
    default:
      return NaN; // TODO(wave2)
  }
}

function traceResidual(layer: ResolvedLayer, width: number, summary: ShapeSummary, sink: DiagnosticSink): number {
  const config = layer.config;
  if (config?.kind !== 'residual') return NaN;
  const branchWidth = traceList(layer.children, width, summary, sink);
  if (Number.isNaN(width) || Number.isNaN(branchWidth)) return branchWidth;
  if (config.projection) {
    addParameters(layer, width * branchWidth, summary); // the skip path's matrix, no bias
    if (branchWidth === width) {
      const projection = propertyNode(layer.node, 'projection')?.children?.[1] ?? layer.node;
      sink.info(
        projection,
        `${layer.path}/projection`,
        'redundant-projection',
        `the branch keeps the width (${width}), so the skip path needs no projection; "projection": false saves ${grouped(width * width)} parameters`,
      );
    }
  } else if (branchWidth !== width) {
    sink.error(
      layer.node,
      layer.path,
      'width-mismatch',
      `residual block ${layer.path}: its input has ${unitCount(width)} but its branch outputs ${unitCount(branchWidth)}; x + f(x) needs equal widths — end the branch with ${unitCount(width)}, or set "projection": true`,
    );
  }
  return branchWidth;
}

function addParameters(layer: ResolvedLayer, count: number, summary: ShapeSummary): void {
  if (Number.isNaN(count)) return;
  summary.parameterCount += count;
  if (summary.parameterCapLayer === null && summary.parameterCount > LIMITS.parameters) {
    summary.parameterCapLayer = layer;
  }
}

/** Where a size diagnostic about a layer goes: its "units" value when it has one, else the layer. */
export function sizeNode(layer: ResolvedLayer): Node {
  return propertyNode(layer.node, 'units')?.children?.[1] ?? layer.node;
}
