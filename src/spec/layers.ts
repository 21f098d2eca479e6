/**
 * The `layers` list: each element resolved to a LayerConfig with defaults filled in. Shape rules that need the
 * whole model (widths, softmax position, loss fit, caps) are in checks.ts and work on the ResolvedLayer tree.
 */
import type { Node } from 'jsonc-parser';
import type { ActivationConfig, InitConfig, LayerConfig, LayerKind } from '../engine/config';
import { activationOf, initOf, readActivation, readInit } from './choices';
import { shown } from './diagnostic-text';
import {
  BATCHNORM_DEFAULTS,
  DEFAULT_DENSE_ACTIVATION,
  DEFAULT_DROPOUT_RATE,
  DEFAULT_INIT,
  LAYER_KEYS,
  LAYER_TYPES,
  LIMITS,
} from './names';
import { childPointer } from './pointer';
import { describeValue, expectObject, ObjectReader, readName } from './reader';
import type { DiagnosticSink } from './sink';

export interface ResolvedLayer {
  path: string;
  node: Node;
  /** Null when the element is not an object or its type is missing or unknown (its width is then unknown). */
  config: LayerConfig | null;
  /** Dense and activation layers: the node of the activation value, where softmax diagnostics go. */
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
      sink.error(typeNode, object.pointerOf('type'), 'type', `TODO(wave2): ${kind} layers`);
      return layer;
  }
}

/** "units" on a batchnorm layer: a known key of another layer type, so say where it belongs. */
function belongsElsewhere(key: string, kind: LayerKind): string | null {
  const owners = LAYER_TYPES.filter((type) => type !== kind && LAYER_KEYS[type].includes(key));
  return owners.length === 0 ? null : `it is a key of ${owners.join(' and ')} layers, not of ${kind} layers`;
}

function optionalActivation(object: ObjectReader, sink: DiagnosticSink, fallback: ActivationConfig): ActivationConfig {
  const node = object.value('activation');
  if (node === undefined) return fallback;
  return readActivation(node, object.pointerOf('activation'), sink) ?? fallback;
}

function optionalInit(object: ObjectReader, key: string, sink: DiagnosticSink): InitConfig {
  const node = object.value(key);
  const fallback = initOf(DEFAULT_INIT);
  if (node === undefined) return fallback;
  return readInit(node, object.pointerOf(key), sink) ?? fallback;
}

function resolveDense(object: ObjectReader, layer: ResolvedLayer, sink: DiagnosticSink): ResolvedLayer {
  // NaN marks a width we could not read, so the shape checks skip what depends on it.
  const units = object.number('units', { integer: true, min: 1, limit: LIMITS.units, required: true }, NaN);
  layer.activationNode = object.value('activation');
  layer.config = {
    kind: 'dense',
    path: layer.path,
    units,
    activation: optionalActivation(object, sink, activationOf(DEFAULT_DENSE_ACTIVATION)),
    init: optionalInit(object, 'init', sink),
    ...readBiasInit(object, sink),
  };
  return layer;
}

/** `biasInit`: a number (every bias that constant), or an initialiser: zeros, constant, uniform or normal. */
function readBiasInit(object: ObjectReader, sink: DiagnosticSink): { biasInit: number; biasRandom?: InitConfig } {
  const node = object.value('biasInit');
  if (node === undefined || node.type === 'number') return { biasInit: object.number('biasInit', {}, 0) };
  const init = readInit(node, object.pointerOf('biasInit'), sink);
  if (init === null) return { biasInit: 0 };
  if (init.name === 'zeros') return { biasInit: 0 };
  if (init.name === 'constant') return { biasInit: init.scale };
  if (init.name === 'uniform' || init.name === 'normal') return { biasInit: 0, biasRandom: init };
  sink.error(
    node,
    object.pointerOf('biasInit'),
    'range',
    `a bias initialiser is a number, zeros, constant, uniform or normal; "${init.name}" needs a weight matrix's fans (PyTorch's default bias is {"name": "uniform", "scale": 1/√fan_in})`,
  );
  return { biasInit: 0 };
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
