/** The `optimizer` and `training` sections: validated, PyTorch defaults filled in. (`data` is in data-section.ts.) */
import type { Node } from 'jsonc-parser';
import type { OptimizerConfig, TrainingConfig } from '../engine/config';
import { shown } from './diagnostic-text';
import {
  ALL_OPTIMIZER_KEYS,
  DEFAULT_OPTIMIZER,
  defaultRecordEvery,
  LIMITS,
  OPTIMIZER_DEFAULTS,
  OPTIMIZER_KEYS,
  OPTIMIZER_TYPES,
  TRAINING_DEFAULTS,
  TRAINING_KEYS,
  type OptimizerType,
} from './names';
import { describeValue, ObjectReader, readName, type NumberRule } from './reader';
import type { DiagnosticSink } from './sink';

const POSITIVE: NumberRule = { min: 0, minExclusive: true };
/** Momentum and decay rates: PyTorch accepts [0, 1); 1 would never forget. */
const UNIT_INTERVAL: NumberRule = { min: 0, max: 1, maxExclusive: true };
const NON_NEGATIVE: NumberRule = { min: 0 };

/**
 * `optimizer`: absent means SGD with lr 0.01; a string names the type with its defaults; an object may give
 * `type` (default "sgd") and that type's hyper-parameters.
 */
export function resolveOptimizer(node: Node | undefined, path: string, sink: DiagnosticSink): OptimizerConfig {
  if (node === undefined) return { ...OPTIMIZER_DEFAULTS[DEFAULT_OPTIMIZER] };
  if (node.type === 'string') {
    const type = readName(node, path, 'optimizer', OPTIMIZER_TYPES, sink) ?? DEFAULT_OPTIMIZER;
    return { ...OPTIMIZER_DEFAULTS[type] };
  }
  if (node.type !== 'object') {
    sink.error(
      node,
      path,
      'type',
      `"optimizer" must be a name such as "adam" or an object such as {"type": "sgd", "lr": 0.1}; not ${describeValue(node)}`,
    );
    return { ...OPTIMIZER_DEFAULTS[DEFAULT_OPTIMIZER] };
  }
  const object = new ObjectReader(node, path, 'optimizer', sink);
  const typeNode = object.value('type');
  const named =
    typeNode === undefined
      ? undefined
      : readName(typeNode, object.pointerOf('type'), 'optimizer', OPTIMIZER_TYPES, sink);
  const type = named ?? DEFAULT_OPTIMIZER;
  object.context = `${type} optimizer`;
  object.checkKeys(OPTIMIZER_KEYS[type], (key) => otherOptimizersKey(key, type));
  return readHyperParameters(object, type, sink);
}

function otherOptimizersKey(key: string, type: OptimizerType): string | null {
  if (!(ALL_OPTIMIZER_KEYS as readonly string[]).includes(key)) return null;
  const users = OPTIMIZER_TYPES.filter((t) => OPTIMIZER_KEYS[t].includes(key));
  return `${type} does not use it (${users.join(' and ')} only)`;
}

function readHyperParameters(object: ObjectReader, type: OptimizerType, sink: DiagnosticSink): OptimizerConfig {
  const defaults = OPTIMIZER_DEFAULTS[type];
  const uses = (key: string): boolean => OPTIMIZER_KEYS[type].includes(key);
  const read = (key: keyof OptimizerConfig & string, rule: NumberRule): number =>
    uses(key) ? object.number(key, rule, defaults[key] as number) : (defaults[key] as number);
  const config: OptimizerConfig = {
    type,
    lr: read('lr', POSITIVE),
    momentum: read('momentum', UNIT_INTERVAL),
    nesterov: uses('nesterov') ? object.boolean('nesterov', false) : false,
    beta1: read('beta1', UNIT_INTERVAL),
    beta2: read('beta2', UNIT_INTERVAL),
    eps: read('eps', POSITIVE),
    rho: read('rho', UNIT_INTERVAL),
  };
  if (type === 'adagrad') config.initialAccumulator = read('initialAccumulator', NON_NEGATIVE);
  if (type === 'adamw') config.weightDecay = read('weightDecay', NON_NEGATIVE);
  const nesterovNode = object.value('nesterov');
  if (config.nesterov && config.momentum === 0 && nesterovNode !== undefined) {
    sink.error(
      nesterovNode,
      object.pointerOf('nesterov'),
      'range',
      'Nesterov momentum needs "momentum" > 0 (as in PyTorch); set e.g. "momentum": 0.9',
    );
  }
  return config;
}

/** `training`: every key optional; recordEvery defaults to max(1, ⌈steps/200⌉). */
export function resolveTraining(node: Node | undefined, path: string, sink: DiagnosticSink): TrainingConfig {
  const defaults: TrainingConfig = { ...TRAINING_DEFAULTS, recordEvery: defaultRecordEvery(TRAINING_DEFAULTS.steps) };
  if (node === undefined) return defaults;
  if (node.type !== 'object') {
    sink.error(node, path, 'type', `"training" must be an object such as {"steps": 200}, not ${describeValue(node)}`);
    return defaults;
  }
  const object = new ObjectReader(node, path, 'training section', sink);
  object.checkKeys(TRAINING_KEYS);
  const steps = object.number('steps', { integer: true, min: 1, limit: LIMITS.steps }, defaults.steps);
  return {
    steps,
    batchSize: object.number('batchSize', { integer: true, min: 1, limit: LIMITS.batchSize }, defaults.batchSize),
    seed: object.number('seed', { integer: true, min: 0, max: LIMITS.seed }, defaults.seed),
    weightDecay: object.number('weightDecay', { min: 0 }, defaults.weightDecay),
    clipNorm: object.nullableNumber('clipNorm', POSITIVE, defaults.clipNorm),
    clipValue: object.nullableNumber('clipValue', POSITIVE, defaults.clipValue),
    recordEvery: object.number('recordEvery', { integer: true, min: 1 }, defaultRecordEvery(steps)),
  };
}

/** The value of `version`: absent means the current one; anything else than 1 is an error. */
export function checkVersion(node: Node | undefined, path: string, sink: DiagnosticSink, supported: number): void {
  if (node === undefined) return;
  if (node.type !== 'number') {
    sink.error(node, path, 'type', `"version" must be the number ${supported}, not ${describeValue(node)}`);
  } else if (node.value !== supported) {
    sink.error(
      node,
      path,
      'version',
      `unsupported format version ${shown(node.value)}: this VGNet reads version ${supported}`,
    );
  }
}
