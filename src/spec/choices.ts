/**
 * Activations and initialisers: each is written either as a bare name ("relu", "he_normal") or, when it takes a
 * parameter, as an object with the name and the parameter ({ "name": "leaky_relu", "alpha": 0.2 },
 * { "name": "uniform", "scale": 0.01 }). The string form is shorthand for the object with the default parameter.
 */
import type { Node } from 'jsonc-parser';
import type { ActivationConfig, ActivationName, InitConfig, InitName } from '../engine/config';
import { shown } from './diagnostic-text';
import {
  ACTIVATION_ALIASES,
  ACTIVATION_NAMES,
  ACTIVATION_OBJECT_KEYS,
  ALPHA_DEFAULTS,
  INIT_NAMES,
  INIT_OBJECT_KEYS,
  SCALE_DEFAULTS,
  UNUSED_SCALE,
} from './names';
import { describeValue, ObjectReader, readName } from './reader';
import type { DiagnosticSink } from './sink';

/** `alpha` stored for activations without a parameter. */
const UNUSED_ALPHA = 0;

export function activationOf(name: ActivationName, alpha?: number): ActivationConfig {
  return { name, alpha: alpha ?? ALPHA_DEFAULTS[name] ?? UNUSED_ALPHA };
}

export function initOf(name: InitName, scale?: number): InitConfig {
  return { name, scale: scale ?? SCALE_DEFAULTS[name] ?? UNUSED_SCALE };
}

/** Reads an activation; null when it is invalid (reported). */
export function readActivation(node: Node, path: string, sink: DiagnosticSink): ActivationConfig | null {
  if (node.type === 'string') {
    const name = readName(node, path, 'activation', ACTIVATION_NAMES, sink, ACTIVATION_ALIASES);
    return name === undefined ? null : activationOf(name);
  }
  if (node.type !== 'object') {
    sink.error(
      node,
      path,
      'type',
      `an activation is a name such as "relu" or an object such as {"name": "leaky_relu", "alpha": 0.2}; not ${describeValue(node)}`,
    );
    return null;
  }
  const object = new ObjectReader(node, path, 'activation', sink);
  object.checkKeys(ACTIVATION_OBJECT_KEYS);
  const nameNode = object.value('name');
  if (!object.require('name') || nameNode === undefined) return null;
  const name = readName(nameNode, object.pointerOf('name'), 'activation', ACTIVATION_NAMES, sink, ACTIVATION_ALIASES);
  if (name === undefined) return null;
  const takesAlpha = ALPHA_DEFAULTS[name] !== undefined;
  if (!takesAlpha && object.has('alpha')) {
    sink.warning(
      object.keyNode('alpha')!,
      object.pointerOf('alpha'),
      'unused-key',
      `${shown(name)} has no parameter; "alpha" is ignored (only leaky_relu, prelu and elu take one)`,
    );
    return activationOf(name);
  }
  const alpha = object.number('alpha', {}, NaN);
  return activationOf(name, Number.isNaN(alpha) ? undefined : alpha);
}

/** Reads an initialiser; null when it is invalid (reported). */
export function readInit(node: Node, path: string, sink: DiagnosticSink): InitConfig | null {
  if (node.type === 'string') {
    const name = readName(node, path, 'initialiser', INIT_NAMES, sink);
    return name === undefined ? null : initOf(name);
  }
  if (node.type !== 'object') {
    sink.error(
      node,
      path,
      'type',
      `an initialiser is a name such as "he_normal" or an object such as {"name": "uniform", "scale": 0.01}; not ${describeValue(node)}`,
    );
    return null;
  }
  const object = new ObjectReader(node, path, 'initialiser', sink);
  object.checkKeys(INIT_OBJECT_KEYS);
  const nameNode = object.value('name');
  if (!object.require('name') || nameNode === undefined) return null;
  const name = readName(nameNode, object.pointerOf('name'), 'initialiser', INIT_NAMES, sink);
  if (name === undefined) return null;
  if (SCALE_DEFAULTS[name] === undefined) {
    if (object.has('scale')) {
      sink.warning(
        object.keyNode('scale')!,
        object.pointerOf('scale'),
        'unused-key',
        `${shown(name)} has no parameter; "scale" is ignored (only constant, uniform, normal, orthogonal and identity take one)`,
      );
    }
    return initOf(name);
  }
  // A constant may be any number; a half-width, a standard deviation or a gain may not be negative.
  const scale = object.number('scale', name === 'constant' ? {} : { min: 0 }, NaN);
  return initOf(name, Number.isNaN(scale) ? undefined : scale);
}
