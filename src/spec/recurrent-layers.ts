/** simple_rnn / lstm / gru resolved to a RecurrentConfig, Keras' defaults filled in (RECURRENT_DEFAULTS). */
import type { ActivationName, RecurrentConfig } from '../engine/config';
import { activationOf } from './choices';
import { shown } from './diagnostic-text';
import { optionalActivation, optionalInit } from './layer-values';
import { LIMITS, RECURRENT_DEFAULTS, SIMPLE_RNN_ACTIVATIONS } from './names';
import type { ObjectReader } from './reader';
import type { DiagnosticSink } from './sink';

export function resolveRecurrent(
  object: ObjectReader,
  kind: RecurrentConfig['kind'],
  path: string,
  sink: DiagnosticSink,
): RecurrentConfig {
  const defaults = RECURRENT_DEFAULTS;
  return {
    kind,
    path,
    // NaN marks a width we could not read, so the shape checks skip what depends on it.
    units: object.number('units', { integer: true, min: 1, limit: LIMITS.units, required: true }, NaN),
    activation: kind === 'simple_rnn' ? readNonlinearity(object, sink) : activationOf(defaults.activation),
    init: optionalInit(object, 'init', sink, defaults.init),
    recurrentInit: optionalInit(object, 'recurrentInit', sink, defaults.recurrentInit, true),
    biasInit: object.number('biasInit', {}, defaults.biasInit),
    forgetBias: kind === 'lstm' ? object.number('forgetBias', {}, defaults.forgetBias) : 0,
    returnSequences: object.boolean('returnSequences', defaults.returnSequences),
  };
}

/** simple_rnn's activation is PyTorch's `nonlinearity`: tanh or relu, nothing else. */
function readNonlinearity(object: ObjectReader, sink: DiagnosticSink): RecurrentConfig['activation'] {
  const fallback = activationOf(RECURRENT_DEFAULTS.activation);
  const activation = optionalActivation(object, sink, fallback);
  const allowed: readonly ActivationName[] = SIMPLE_RNN_ACTIVATIONS;
  if (allowed.includes(activation.name)) return activation;
  sink.error(
    object.value('activation')!,
    object.pointerOf('activation'),
    'range',
    `a simple_rnn's "activation" is ${allowed.map(shown).join(' or ')} (PyTorch's nn.RNN nonlinearity), not ${shown(activation.name)}; for gated units use "lstm" or "gru"`,
  );
  return fallback;
}
