/**
 * Values that several layer types read: the activation, the initialisers, the bias, and per-axis sizes (kernel,
 * stride, dilation, pool) written as one number or one entry per spatial axis.
 */
import type { ActivationConfig, InitConfig, InitName } from '../engine/config';
import { activationOf, initOf, readActivation, readInit } from './choices';
import { shown } from './diagnostic-text';
import { DEFAULT_DENSE_ACTIVATION, DEFAULT_INIT, LIMITS, SQUARE_ONLY_INITS } from './names';
import { childPointer } from './pointer';
import { describeRule, describeValue, readNumber, type NumberRule, type ObjectReader } from './reader';
import type { DiagnosticSink } from './sink';

/** Kernel, stride, dilation and pool entries: positive integers; anything above the input limit cannot fit. */
export const AXIS_RULE: NumberRule = { integer: true, min: 1, limit: LIMITS.input };

export function optionalActivation(
  object: ObjectReader,
  sink: DiagnosticSink,
  fallback: ActivationConfig = activationOf(DEFAULT_DENSE_ACTIVATION),
): ActivationConfig {
  const node = object.value('activation');
  if (node === undefined) return fallback;
  return readActivation(node, object.pointerOf('activation'), sink) ?? fallback;
}

/**
 * An initialiser key, `fallbackName` when absent or invalid. Square-only initialisers (identity) are an error unless
 * `square` says the matrix is square (a recurrent kernel).
 */
export function optionalInit(
  object: ObjectReader,
  key: string,
  sink: DiagnosticSink,
  fallbackName: InitName = DEFAULT_INIT,
  square = false,
): InitConfig {
  const node = object.value(key);
  const fallback = initOf(fallbackName);
  if (node === undefined) return fallback;
  const init = readInit(node, object.pointerOf(key), sink);
  if (init === null) return fallback;
  if (!square && SQUARE_ONLY_INITS.includes(init.name)) {
    sink.error(
      node,
      object.pointerOf(key),
      'range',
      `${shown(init.name)} needs a square matrix: it is for "recurrentInit" (the units × units recurrent kernel of simple_rnn, lstm and gru, as IRNN), not for ${shown(key)} of a ${object.context}`,
    );
    return fallback;
  }
  return init;
}

/** `biasInit` of dense layers: a number (every bias that constant), or an initialiser: zeros, constant, uniform or normal. */
export function readBiasInit(
  object: ObjectReader,
  sink: DiagnosticSink,
): { biasInit: number; biasRandom?: InitConfig } {
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

/**
 * A size per spatial axis: one number (the same on every axis) or an array with one entry per axis. `lengths` are
 * the array lengths allowed ([1] for conv1d, [2] for conv2d, [1, 2] for pooling, whose rank follows its input and
 * is checked with the shapes). A number gives `lengths[0]` copies; `fallback` copies when absent or invalid.
 */
export function readAxes(
  object: ObjectReader,
  key: string,
  lengths: readonly number[],
  sink: DiagnosticSink,
  fallback: number,
): number[] {
  const node = object.value(key);
  const path = object.pointerOf(key);
  const copies = (value: number): number[] => new Array<number>(lengths[0]!).fill(value);
  if (node === undefined) return copies(fallback);
  if (node.type === 'number') return copies(object.number(key, AXIS_RULE, fallback));
  const axes = lengths.map((n) => (n === 1 ? '[length]' : '[height, width]')).join(' or ');
  if (node.type !== 'array') {
    const entries = lengths.join(' or ');
    sink.error(
      node,
      path,
      'type',
      `${shown(key)} must be ${describeRule(AXIS_RULE)} or an array of ${entries} (one per spatial axis: ${axes}), not ${describeValue(node)}`,
    );
    return copies(fallback);
  }
  const elements = node.children ?? [];
  if (!lengths.includes(elements.length)) {
    const needs = lengths.length === 1 ? `it needs ${lengths[0]}` : `it needs ${lengths.join(' or ')}`;
    sink.error(
      node,
      path,
      'range',
      `${shown(key)} has ${elements.length} entr${elements.length === 1 ? 'y' : 'ies'} but ${needs}, one per spatial axis: ${axes} (of a ${object.context})`,
    );
    return copies(fallback);
  }
  return elements.map(
    (element, i) =>
      readNumber(element, childPointer(path, i), `${shown(key)} entry ${i + 1}`, AXIS_RULE, sink) ?? fallback,
  );
}
