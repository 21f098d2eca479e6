/**
 * The `layers` list: each element resolved to a LayerConfig with defaults filled in. Shape rules that need the
 * whole model (per-sample shapes in shapes.ts; softmax position, loss fit, caps in checks.ts) work on the
 * ResolvedLayer tree.
 */
import type { Node } from 'jsonc-parser';
import type { LayerConfig, LayerKind } from '../engine/config';
import { activationOf } from './choices';
import { shown } from './diagnostic-text';
import { optionalActivation, optionalInit, readBiasInit } from './layer-values';
import { BATCHNORM_DEFAULTS, DEFAULT_DROPOUT_RATE, LAYER_KEYS, LAYER_TYPES, LAYERNORM_DEFAULTS, LIMITS } from './names';
import { childPointer } from './pointer';
import { describeValue, expectObject, ObjectReader, readName } from './reader';
import { resolveRecurrent } from './recurrent-layers';
import type { DiagnosticSink } from './sink';
import { resolveConv, resolvePool } from './spatial-layers';

export interface ResolvedLayer {
  path: string;
  node: Node;
  /** Null when the element is not an object or its type is missing or unknown (its width is then unknown). */
  config: LayerConfig | null;
  /** Dense, activation, conv and simple_rnn layers: the node of the activation value, where softmax diagnostics go. */
  activationNode: Node | undefined;
  /** A residual block's branch. */
  children: ResolvedLayer[];
}

/** Resolves a `layers` array (top level when `inResidual` is false, a residual branch otherwise). */
export function resolveLayerList(node: Node, path: string, inResidual: boolean, sink: DiagnosticSink): ResolvedLayer[] {
  if (node.type !== 'array') {
    sink.error(node, path, 'type', `"layers" must be an array of layer objects, not ${describeValue(node)}`);
    return [];
  }
  const elements = node.children ?? [];
  if (elements.length === 0) {
    const message = inResidual
      ? 'a residual block needs at least one layer in its branch "layers"'
      : '"layers" is empty: add at least one layer, e.g. {"type": "dense", "units": 1}';
    sink.error(node, path, 'empty', message);
  }
  return elements.map((element, i) => resolveLayer(element, childPointer(path, i), sink));
}

function resolveLayer(node: Node, path: string, sink: DiagnosticSink): ResolvedLayer {
  const layer: ResolvedLayer = { path, node, config: null, activationNode: undefined, children: [] };
  if (!expectObject(node, path, 'a layer', sink)) return layer;
  const object = new ObjectReader(node, path, 'layer', sink);
  const typeNode = object.value('type');
  if (!object.require('type', `(one of ${LAYER_TYPES.join(', ')})`) || typeNode === undefined) return layer;
  const kind = readName(typeNode, object.pointerOf('type'), 'layer type', LAYER_TYPES, sink);
  if (kind === undefined) return layer;
  object.context = `${kind} layer`;
  object.checkKeys(LAYER_KEYS[kind], (key) => belongsElsewhere(key, kind));
  switch (kind) {
    case 'dense':
      return resolveDense(object, layer, sink);
    case 'batchnorm':
      return resolveBatchNorm(object, layer);
    case 'activation':
      return resolveActivationLayer(object, layer, sink);
    case 'dropout':
      return resolveDropout(object, layer);
    case 'residual':
      return resolveResidual(object, layer, sink);
    default:
      layer.config = resolveOther(object, kind, layer.path, sink);
      if (kind === 'conv1d' || kind === 'conv2d' || kind === 'simple_rnn')
        layer.activationNode = object.value('activation');
      return layer;
  }
}

/** The kinds without children or dense's softmax rules: conv, pooling, flatten, global pooling, LayerNorm, recurrent. */
function resolveOther(
  object: ObjectReader,
  kind: Exclude<LayerKind, 'dense' | 'batchnorm' | 'activation' | 'dropout' | 'residual'>,
  path: string,
  sink: DiagnosticSink,
): LayerConfig {
  switch (kind) {
    case 'conv1d':
    case 'conv2d':
      return resolveConv(object, kind, path, sink);
    case 'maxpool':
    case 'avgpool':
      return resolvePool(object, kind, path, sink);
    case 'flatten':
    case 'global_avgpool':
      return { kind, path };
    case 'layernorm':
      return { kind, path, eps: object.number('eps', { min: 0, minExclusive: true }, LAYERNORM_DEFAULTS.eps) };
    case 'simple_rnn':
    case 'lstm':
    case 'gru':
      return resolveRecurrent(object, kind, path, sink);
  }
}

/** "units" on a batchnorm layer: a known key of another layer type, so say where it belongs. */
function belongsElsewhere(key: string, kind: LayerKind): string | null {
  if (key === 'activation' && (kind === 'lstm' || kind === 'gru')) {
    return `${kind} layers use sigmoid gates and tanh, as PyTorch's; only simple_rnn takes an activation (tanh or relu)`;
  }
  const owners = LAYER_TYPES.filter((type) => type !== kind && LAYER_KEYS[type].includes(key));
  return owners.length === 0 ? null : `it is a key of ${owners.join(' and ')} layers, not of ${kind} layers`;
}

function resolveDense(object: ObjectReader, layer: ResolvedLayer, sink: DiagnosticSink): ResolvedLayer {
  // NaN marks a width we could not read, so the shape checks skip what depends on it.
  const units = object.number('units', { integer: true, min: 1, limit: LIMITS.units, required: true }, NaN);
  layer.activationNode = object.value('activation');
  layer.config = {
    kind: 'dense',
    path: layer.path,
    units,
    activation: optionalActivation(object, sink),
    init: optionalInit(object, 'init', sink),
    ...readBiasInit(object, sink),
  };
  return layer;
}

function resolveBatchNorm(object: ObjectReader, layer: ResolvedLayer): ResolvedLayer {
  layer.config = {
    kind: 'batchnorm',
    path: layer.path,
    eps: object.number('eps', { min: 0, minExclusive: true }, BATCHNORM_DEFAULTS.eps),
    momentum: object.number('momentum', { min: 0, max: 1 }, BATCHNORM_DEFAULTS.momentum),
  };
  return layer;
}

function resolveActivationLayer(object: ObjectReader, layer: ResolvedLayer, sink: DiagnosticSink): ResolvedLayer {
  object.require('activation', '(e.g. "relu")');
  layer.activationNode = object.value('activation');
  layer.config = {
    kind: 'activation',
    path: layer.path,
    activation: optionalActivation(object, sink, activationOf('linear')),
  };
  return layer;
}

function resolveDropout(object: ObjectReader, layer: ResolvedLayer): ResolvedLayer {
  layer.config = {
    kind: 'dropout',
    path: layer.path,
    rate: object.number('rate', { min: 0, max: 1, maxExclusive: true }, DEFAULT_DROPOUT_RATE),
  };
  return layer;
}

function resolveResidual(object: ObjectReader, layer: ResolvedLayer, sink: DiagnosticSink): ResolvedLayer {
  const branchNode = object.value('layers');
  if (object.require('layers', '(the branch f in x + f(x))') && branchNode !== undefined) {
    layer.children = resolveLayerList(branchNode, object.pointerOf('layers'), true, sink);
  }
  const projection = object.boolean('projection', false);
  if (!projection && object.has('projectionInit')) {
    sink.warning(
      object.keyNode('projectionInit')!,
      object.pointerOf('projectionInit'),
      'unused-key',
      `${shown('projectionInit')} has no effect while "projection" is false`,
    );
  }
  const branch = layer.children.map((child) => child.config).filter((c): c is LayerConfig => c !== null);
  layer.config = {
    kind: 'residual',
    path: layer.path,
    layers: branch,
    projection,
    projectionInit: optionalInit(object, 'projectionInit', sink),
  };
  return layer;
}
