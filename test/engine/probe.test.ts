import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/analysis/prepare';
import { PROBE_POINTS, probeEvery, probeRows } from '../../src/engine/probe';
import { train } from '../../src/engine/train';

const noFiles = { readText: () => ({ error: 'no files' }) };

function run(batchSize: number, lr = 0.01, steps = 20) {
  const prepared = prepare(
    JSON.stringify({
      input: 2,
      layers: [
        { type: 'dense', units: 32, activation: 'relu', init: 'he_normal' },
        { type: 'dense', units: 32, activation: 'tanh', init: { name: 'normal', scale: 2 } },
        { type: 'dense', units: 1, activation: 'sigmoid' },
      ],
      loss: 'bce',
      optimizer: { type: 'sgd', lr },
      training: { steps, batchSize, seed: 4, recordEvery: 1 },
      data: { source: 'moons', samples: 300 },
    }),
    { files: noFiles },
  );
  if (!prepared.ok) throw new Error(prepared.diagnostics[0]?.message);
  return train(prepared.config, prepared.dataset);
}

describe('the fixed probe set', () => {
  it('is evenly spaced over the data set, all of it when smaller than 256', () => {
    expect([...probeRows(4)]).toEqual([0, 1, 2, 3]);
    const rows = probeRows(1000);
    expect(rows.length).toBe(256);
    expect(rows[0]).toBe(0);
    expect(rows[255]).toBe(Math.floor((255 * 1000) / 256));
  });

  it('measures dead units over 256 samples: a batch of one does not make every inactive unit dead', () => {
    const one = run(1);
    const many = run(64);
    // On the batch, one sample leaves about half of a He-initialised ReLU layer "dead for the whole batch".
    expect(one.series[0]!.deadFraction[0]).toBeLessThan(0.2);
    expect(many.series[0]!.deadFraction[0]).toBeLessThan(0.2);
  });

  it('measures the same samples whatever the batch size', () => {
    // The same initialisation (the seed's stream does not depend on the batch size) and all but no updates.
    const a = run(1, 1e-12);
    const b = run(64, 1e-12);
    expect(a.series[1]!.saturatedFraction[0]).toBeGreaterThan(0.05);
    expect(a.series[1]!.saturatedFraction[0]).toBe(b.series[1]!.saturatedFraction[0]);
    expect(a.series[0]!.deadFraction[0]).toBe(b.series[0]!.deadFraction[0]);
  });

  it('runs at about PROBE_POINTS recordings, always the first and the last; the ones between have no fractions', () => {
    expect(probeEvery(20, 1)).toBe(1);
    expect(probeEvery(100, 1)).toBe(5);
    expect(probeEvery(1000, 5)).toBe(9);
    const r = run(8, 0.01, 103);
    const every = probeEvery(103, 1);
    const dead = r.series[0]!.deadFraction;
    const saturated = r.series[1]!.saturatedFraction;
    expect(dead.length).toBe(103);
    const probed = dead.map((v, k) => (Number.isNaN(v) ? -1 : k)).filter((k) => k >= 0);
    expect(probed).toEqual([...Array.from({ length: 21 }, (_, i) => i * every), 102]);
    expect(probed.length).toBeLessThanOrEqual(PROBE_POINTS + 1);
    expect(saturated.map((v) => !Number.isNaN(v))).toEqual(dead.map((v) => !Number.isNaN(v)));
    // The gradient statistics are still recorded at every step.
    expect(r.series[0]!.gradNorm.every(Number.isFinite)).toBe(true);
  });
});
