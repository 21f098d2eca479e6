/** conv1d / conv2d and maxpool / avgpool resolved to their configs, defaults filled in (names.ts). */
import type { ConvConfig, PoolConfig } from '../engine/config';
import { CONV_DEFAULTS, LIMITS, PADDING_NAMES, POOL_DEFAULTS, type Padding } from './names';
import { optionalActivation, optionalInit, readAxes } from './layer-values';
import { readName, type ObjectReader } from './reader';
import type { DiagnosticSink } from './sink';

export function resolveConv(
  object: ObjectReader,
  kind: ConvConfig['kind'],
  path: string,
  sink: DiagnosticSink,
): ConvConfig {
  const axes = kind === 'conv1d' ? 1 : 2;
  // NaN marks a size we could not read, so the shape checks skip what depends on it.
  const filters = object.number('filters', { integer: true, min: 1, limit: LIMITS.units, required: true }, NaN);
  const example = axes === 1 ? '(e.g. 3)' : '(e.g. 3, or [3, 3])';
  const kernel = object.require('kernel', example) ? readAxes(object, 'kernel', [axes], sink, NaN) : [NaN, NaN];
  return {
    kind,
    path,
    filters,
    kernel: kernel.slice(0, axes),
    stride: readAxes(object, 'stride', [axes], sink, CONV_DEFAULTS.stride),
    dilation: readAxes(object, 'dilation', [axes], sink, CONV_DEFAULTS.dilation),
    padding: readPadding(object, sink, CONV_DEFAULTS.padding),
    activation: optionalActivation(object, sink),
    init: optionalInit(object, 'init', sink),
    biasInit: object.number('biasInit', {}, CONV_DEFAULTS.biasInit),
  };
}

/**
 * Pooling follows its input's rank, known only when the shapes are traced: a number here gives one entry, which the
 * shape trace (shapes.ts) repeats on every spatial axis; an array keeps its length and must match the input.
 */
export function resolvePool(
  object: ObjectReader,
  kind: PoolConfig['kind'],
  path: string,
  sink: DiagnosticSink,
): PoolConfig {
  const pool = readAxes(object, 'pool', [1, 2], sink, POOL_DEFAULTS.pool);
  const stride = object.has('stride') ? readAxes(object, 'stride', [1, 2], sink, pool[0]!) : [...pool];
  return { kind, path, pool, stride, padding: readPadding(object, sink, POOL_DEFAULTS.padding) };
}

function readPadding(object: ObjectReader, sink: DiagnosticSink, fallback: Padding): Padding {
  const node = object.value('padding');
  if (node === undefined) return fallback;
  return readName(node, object.pointerOf('padding'), 'padding', PADDING_NAMES, sink) ?? fallback;
}
