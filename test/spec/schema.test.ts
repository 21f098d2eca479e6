/**
 * The JSON Schema (media/vgnet.schema.json, for editors) and the validator must agree: same names, same keys, same
 * defaults and limits. Both are compared with src/spec/names.ts, and the validator is also asked directly.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SYNTHETIC_SOURCES } from '../../src/engine/data';
import { parseSpec } from '../../src/spec';
import {
  ACTIVATION_ALIASES,
  ACTIVATION_NAMES,
  ALL_OPTIMIZER_KEYS,
  BATCHNORM_DEFAULTS,
  CONV_DEFAULTS,
  DATA_DEFAULTS,
  DATA_EXTRA_KEYS,
  DATA_KEYS,
  DATA_SOURCE_EXTRAS,
  DATA_SOURCES,
  DEFAULT_DROPOUT_RATE,
  DEFAULT_INIT,
  INIT_NAMES,
  LAYER_KEYS,
  LAYER_TYPES,
  LAYERNORM_DEFAULTS,
  LIMITS,
  LOSS_NAMES,
  OPTIMIZER_TYPES,
  PADDING_NAMES,
  POOL_DEFAULTS,
  RECURRENT_DEFAULTS,
  SIMPLE_RNN_ACTIVATIONS,
  SQUARE_ONLY_INITS,
  TOP_LEVEL_KEYS,
  TRAINING_DEFAULTS,
  TRAINING_KEYS,
} from '../../src/spec/names';
import { findExcessNesting } from '../../src/spec/nesting';
import { spec } from './helpers';

type Json = any;
const schema: Json = JSON.parse(readFileSync(new URL('../../media/vgnet.schema.json', import.meta.url), 'utf8'));
const defs = schema.definitions;
const sorted = (values: Iterable<string>): string[] => [...values].sort();
const keysOf = (object: Json): string[] => sorted(Object.keys(object.properties));

describe('schema and validator agree on names', () => {
  it('activation names (aliases included)', () => {
    expect(sorted(defs.activationName.enum)).toEqual(sorted([...ACTIVATION_NAMES, ...Object.keys(ACTIVATION_ALIASES)]));
  });

  it('initialiser names, layer types, losses, optimizers and data sources', () => {
    expect(sorted(defs.initName.enum)).toEqual(sorted(INIT_NAMES));
    expect(sorted(defs.layer.properties.type.enum)).toEqual(sorted(LAYER_TYPES));
    expect(sorted(schema.properties.loss.enum)).toEqual(sorted(LOSS_NAMES));
    expect(sorted(defs.optimizerType.enum)).toEqual(sorted(OPTIMIZER_TYPES));
    expect(sorted(defs.optimizerObject.properties.type.enum)).toEqual(sorted(OPTIMIZER_TYPES));
    expect(sorted(schema.properties.data.properties.source.enum)).toEqual(sorted(DATA_SOURCES));
  });

  it('every name is accepted by the validator, and a made-up one is not', () => {
    const layersWith = (activation: string): string =>
      `[{ "type": "activation", "activation": "${activation}" }, { "type": "dense", "units": 2, "activation": "softmax" }]`;
    for (const name of defs.activationName.enum.filter((n: string) => n !== 'softmax')) {
      expect(parseSpec(spec({ layers: layersWith(name), loss: '"crossentropy"' })).config, name).not.toBeNull();
    }
    for (const name of defs.initName.enum) {
      // Square-only initialisers (identity) are for the units × units recurrent kernel.
      const layers = SQUARE_ONLY_INITS.includes(name)
        ? `[{ "type": "simple_rnn", "units": 1, "recurrentInit": "${name}" }, { "type": "dense", "units": 1, "activation": "sigmoid" }]`
        : `[{ "type": "dense", "units": 1, "activation": "sigmoid", "init": "${name}" }]`;
      const input = SQUARE_ONLY_INITS.includes(name) ? '[3, 2]' : '2';
      expect(parseSpec(spec({ input, layers })).config, name).not.toBeNull();
    }
    for (const name of schema.properties.data.properties.source.enum) {
      const data = name === 'csv' ? '{ "source": "csv", "path": "x.csv" }' : `{ "source": "${name}" }`;
      expect(parseSpec(spec({ data })).data?.source, name).toBe(name);
    }
    expect(parseSpec(spec({ layers: layersWith('mishh'), loss: '"crossentropy"' })).config).toBeNull();
  });
});

describe('schema and validator agree on keys', () => {
  it('top level, with the same required keys', () => {
    expect(keysOf(schema)).toEqual(sorted(TOP_LEVEL_KEYS));
    const missing = parseSpec('{}')
      .diagnostics.filter((d) => d.code === 'missing-key')
      .map((d) => d.message.match(/needs "(\w+)"/)![1]!);
    expect(sorted(missing)).toEqual(sorted(schema.required));
  });

  it('each layer type, dispatched on "type"', () => {
    for (const type of LAYER_TYPES) {
      const rule = defs.layer.allOf.find((r: Json) => r.if.properties.type.const === type);
      expect(rule.then.$ref).toBe(`#/definitions/${type}Layer`);
      expect(keysOf(defs[`${type}Layer`])).toEqual(sorted(LAYER_KEYS[type]));
    }
  });

  it('optimizer, training and data', () => {
    expect(keysOf(defs.optimizerObject)).toEqual(sorted(ALL_OPTIMIZER_KEYS));
    expect(keysOf(schema.properties.training)).toEqual(sorted(TRAINING_KEYS));
    expect(keysOf(schema.properties.data)).toEqual(sorted([...DATA_KEYS, ...DATA_EXTRA_KEYS]));
  });

  it('the source parameters are the ones the engine generators read', () => {
    for (const [source, info] of Object.entries(SYNTHETIC_SOURCES)) {
      expect(sorted(DATA_SOURCE_EXTRAS[source as keyof typeof DATA_SOURCE_EXTRAS]), source).toEqual(
        sorted(Object.keys(info.extras)),
      );
    }
  });
});

describe('schema documents defaults and limits', () => {
  it('has the validator defaults', () => {
    const training = schema.properties.training.properties;
    for (const [key, value] of Object.entries(TRAINING_DEFAULTS)) expect(training[key].default, key).toBe(value);
    expect(defs.batchnormLayer.properties.eps.default).toBe(BATCHNORM_DEFAULTS.eps);
    expect(defs.batchnormLayer.properties.momentum.default).toBe(BATCHNORM_DEFAULTS.momentum);
    expect(defs.layernormLayer.properties.eps.default).toBe(LAYERNORM_DEFAULTS.eps);
    for (const kind of ['conv1d', 'conv2d'] as const) {
      const conv = defs[`${kind}Layer`].properties;
      expect([conv.stride.default, conv.dilation.default, conv.padding.default, conv.biasInit.default]).toEqual([
        CONV_DEFAULTS.stride,
        CONV_DEFAULTS.dilation,
        CONV_DEFAULTS.padding,
        CONV_DEFAULTS.biasInit,
      ]);
      expect(sorted(conv.padding.enum)).toEqual(sorted(PADDING_NAMES));
    }
    for (const kind of ['maxpool', 'avgpool'] as const) {
      const pool = defs[`${kind}Layer`].properties;
      expect([pool.pool.default, pool.padding.default]).toEqual([POOL_DEFAULTS.pool, POOL_DEFAULTS.padding]);
    }
    for (const kind of ['simple_rnn', 'lstm', 'gru'] as const) {
      const rnn = defs[`${kind}Layer`].properties;
      expect([rnn.recurrentInit.default, rnn.biasInit.default, rnn.returnSequences.default]).toEqual([
        RECURRENT_DEFAULTS.recurrentInit,
        RECURRENT_DEFAULTS.biasInit,
        RECURRENT_DEFAULTS.returnSequences,
      ]);
    }
    expect(defs.simple_rnnLayer.properties.activation.default).toBe(RECURRENT_DEFAULTS.activation);
    expect(sorted(defs.simple_rnnLayer.properties.activation.enum)).toEqual(sorted(SIMPLE_RNN_ACTIVATIONS));
    expect(defs.lstmLayer.properties.forgetBias.default).toBe(RECURRENT_DEFAULTS.forgetBias);
    expect(defs.dropoutLayer.properties.rate.default).toBe(DEFAULT_DROPOUT_RATE);
    expect(defs.init.default).toBe(DEFAULT_INIT);
    expect(schema.properties.data.properties.samples.default).toBe(DATA_DEFAULTS.samples);
    expect(schema.properties.data.properties.noise.default).toBe(DATA_DEFAULTS.noise);
    expect(schema.properties.optimizer.default).toEqual({ type: 'sgd', lr: 0.01 });
  });

  it('has the validator limits', () => {
    expect(defs.denseLayer.properties.units.maximum).toBe(LIMITS.units);
    for (const kind of ['simple_rnn', 'lstm', 'gru'] as const) {
      expect(defs[`${kind}Layer`].properties.units.maximum, kind).toBe(LIMITS.units);
    }
    expect(defs.conv2dLayer.properties.filters.maximum).toBe(LIMITS.units);
    expect(schema.properties.input.anyOf[1].maxItems).toBe(LIMITS.inputAxes);
    expect(schema.properties.input.maximum).toBe(LIMITS.input);
    expect(schema.properties.training.properties.steps.maximum).toBe(LIMITS.steps);
    expect(schema.properties.training.properties.batchSize.maximum).toBe(LIMITS.batchSize);
    expect(schema.properties.training.properties.seed.maximum).toBe(LIMITS.seed);
    expect(schema.properties.data.properties.samples.maximum).toBe(LIMITS.samples);
  });

  it('describes every property and every enum member (hover and completion text)', () => {
    const undocumented: string[] = [];
    const visit = (node: Json, where: string): void => {
      if (node === null || typeof node !== 'object') return;
      if (node.enum && (!node.markdownEnumDescriptions || node.markdownEnumDescriptions.length !== node.enum.length)) {
        if (where !== '/properties/version') undocumented.push(`${where} (enum)`);
      }
      for (const [key, child] of Object.entries<Json>(node.properties ?? {})) {
        if (!child.$ref && !(child.description && child.markdownDescription)) undocumented.push(`${where}/${key}`);
        visit(child, `${where}/properties/${key}`);
      }
      for (const [key, child] of Object.entries<Json>(node.definitions ?? {})) visit(child, `#/definitions/${key}`);
      for (const child of [...(node.anyOf ?? []), ...(node.allOf ?? [])]) visit(child, where);
    };
    visit(schema, '');
    expect(undocumented).toEqual([]);
  });
});

describe('nesting pre-scan', () => {
  it('counts brackets but not those inside strings or comments', () => {
    expect(findExcessNesting('[[[]]]', 3)).toBe(-1);
    expect(findExcessNesting('[[[]]]', 2)).toBe(2);
    expect(findExcessNesting('{"a": "[[[[", "b": {}} // [[[[', 1)).toBe(19);
    expect(findExcessNesting('/* {{{{ */ [', 0)).toBe(11);
  });
});
