/**
 * Reading records from outside (src/analysis/record.ts): VGNet's own `--json` record reads back to the run it
 * describes; every malformed field is an error at its place in the file, never an exception.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readRecord } from '../../src/analysis/record';
import { train } from '../../src/engine/train';
import type { ModelConfig } from '../../src/engine/config';

const config: ModelConfig = {
  input: 2,
  layers: [
    {
      kind: 'dense',
      path: '/layers/0',
      units: 4,
      activation: { name: 'relu', alpha: 0 },
      init: { name: 'he_normal', scale: 1 },
      biasInit: 0,
    },
    {
      kind: 'dense',
      path: '/layers/1',
      units: 1,
      activation: { name: 'sigmoid', alpha: 0 },
      init: { name: 'glorot_uniform', scale: 1 },
      biasInit: 0,
    },
  ],
  loss: 'bce',
  optimizer: { type: 'sgd', lr: 0.1, momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8, rho: 0.99 },
  training: { steps: 6, batchSize: 4, seed: 1, weightDecay: 0, clipNorm: null, clipValue: null, recordEvery: 2 },
};
const data = {
  x: Float32Array.from({ length: 16 }, (_, i) => Math.sin(i)),
  y: Float32Array.from({ length: 8 }, (_, i) => i % 2),
  samples: 8,
  features: 2,
  targetWidth: 1,
  classes: 2,
};
const result = train(config, data);
const recordText = JSON.stringify({ format: 'vgnet-record/1', lossFunction: 'bce', ...result });

describe('readRecord', () => {
  it('reads a record back to the run it was written from (NaN as null)', () => {
    const read = readRecord(recordText);
    if (!read.ok) throw new Error(read.message);
    expect(read.run.lossFunction).toBe('bce');
    expect(read.run.result.recordedSteps).toEqual(result.recordedSteps);
    expect(read.run.result.series[1]!.gradNorm).toEqual(result.series[1]!.gradNorm);
    // dense layers have no dead fraction for sigmoid: NaN → null → NaN
    expect(Number.isNaN(read.run.result.series[1]!.deadFraction[0])).toBe(true);
    expect(read.run.result.layers).toEqual(result.layers);
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['another format', JSON.stringify({ format: 'x' }), /\/format: expected "format": "vgnet-record\/1"/],
    ['a bad kind', recordText.replace('"kind":"dense"', '"kind":"conv9d"'), /\/layers\/0\/kind: expected one of/],
    [
      'a short series',
      recordText.replace(/"gradNorm":\[[^\]]*\]/, '"gradNorm":[1]'),
      /\/series\/0\/gradNorm: 1 values for 4/,
    ],
    [
      'a string in a series',
      recordText.replace(/"gradNorm":\[/, '"gradNorm":["x",'),
      /\/series\/0\/gradNorm\/0: expected a number/,
    ],
    [
      'steps out of order',
      recordText.replace(/"recordedSteps":\[0,2/, '"recordedSteps":[2,0'),
      /recordedSteps\/1: steps must increase/,
    ],
    ['a parent after its child', recordText.replace('"parent":-1', '"parent":5'), /\/layers\/0\/parent/],
    ['a wrong loss count', recordText.replace('"stepsRun":6', '"stepsRun":7'), /losses for 7 steps/],
  ])('refuses %s with the place of the problem', (_what, text, message) => {
    const read = readRecord(text);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.message).toMatch(message);
    expect(read.offset).toBeGreaterThanOrEqual(0);
    expect(read.offset).toBeLessThanOrEqual(text.length);
  });

  it('points at the offending value', () => {
    const text = recordText.replace('"kind":"dense"', '"kind":"conv9d"');
    const read = readRecord(text);
    if (read.ok) throw new Error('accepted');
    expect(text.slice(read.offset, read.offset + 6)).toBe('"kind"');
  });

  it('never throws on arbitrary JSON values or mutated records', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        readRecord(JSON.stringify(v));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.nat(recordText.length - 1), fc.string({ maxLength: 4 }), (at, insert) => {
        const read = readRecord(recordText.slice(0, at) + insert + recordText.slice(at + 1));
        if (!read.ok) expect(read.offset).toBeLessThanOrEqual(recordText.length + 4);
      }),
      { numRuns: 300 },
    );
  });
});
