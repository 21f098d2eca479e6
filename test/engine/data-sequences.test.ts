import { describe, expect, it } from 'vitest';
import { makeAdding, makeCopy, makeSineSequence } from '../../src/engine/data-sequences';
import { Rng } from '../../src/engine/rng';

function counts(labels: Uint32Array, classes: number): number[] {
  const result = new Array<number>(classes).fill(0);
  for (const label of labels) result[label]!++;
  return result;
}

describe('adding problem', () => {
  const length = 12;
  const data = makeAdding(400, length, new Rng(3));

  it('has [length, 2] samples and one target each', () => {
    expect(data.features).toBe(2 * length);
    expect(data.x.length).toBe(400 * 2 * length);
    expect(data.targets.length).toBe(400);
    expect(data.targetWidth).toBe(1);
  });

  it('is deterministic given the seed, and another seed gives other data', () => {
    const again = makeAdding(400, length, new Rng(3));
    expect(Array.from(again.x)).toEqual(Array.from(data.x));
    expect(Array.from(again.targets)).toEqual(Array.from(data.targets));
    expect(Array.from(makeAdding(400, length, new Rng(4)).x)).not.toEqual(Array.from(data.x));
  });

  it('marks exactly two steps, one per half, and the target is the sum of their values', () => {
    for (let i = 0; i < data.samples; i++) {
      const marked: number[] = [];
      for (let t = 0; t < length; t++) {
        const value = data.x[i * 2 * length + 2 * t]!;
        const marker = data.x[i * 2 * length + 2 * t + 1]!;
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThan(1);
        expect([0, 1]).toContain(marker);
        if (marker === 1) marked.push(t);
      }
      expect(marked.length).toBe(2);
      expect(marked[0]).toBeLessThan(length / 2);
      expect(marked[1]).toBeGreaterThanOrEqual(length / 2);
      const sum = marked.reduce((s, t) => s + data.x[i * 2 * length + 2 * t]!, 0);
      expect(data.targets[i]).toBe(Math.fround(sum));
    }
  });

  it('matches a sample checked by hand', () => {
    // Sample 0 of seed 3, length 4: read the markers and add the two values they point at.
    const small = makeAdding(1, 4, new Rng(3));
    const steps = [0, 1, 2, 3].map((t) => [small.x[2 * t]!, small.x[2 * t + 1]!] as const);
    const first = steps.slice(0, 2).findIndex(([, m]) => m === 1);
    const second = 2 + steps.slice(2).findIndex(([, m]) => m === 1);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(second).toBeGreaterThanOrEqual(2);
    expect(small.targets[0]).toBeCloseTo(steps[first]![0] + steps[second]![0], 6);
  });

  it('targets average 1 (two U(0, 1) values)', () => {
    const mean = data.targets.reduce((s, v) => s + v, 0) / data.samples;
    expect(mean).toBeGreaterThan(0.9);
    expect(mean).toBeLessThan(1.1);
  });
});

describe('copy (one-answer memory task)', () => {
  const length = 10;
  const classes = 5;
  const width = classes + 1;
  const data = makeCopy(203, length, classes, new Rng(11));

  it('has [length, K+1] one-hot steps: the answer, distractors, the marker last', () => {
    expect(data.features).toBe(length * width);
    expect(data.classes).toBe(classes);
    for (let i = 0; i < data.samples; i++) {
      for (let t = 0; t < length; t++) {
        const step = Array.from(data.x.subarray(i * data.features + t * width, i * data.features + (t + 1) * width));
        expect(step.reduce((s, v) => s + v, 0)).toBe(1);
        const hot = step.indexOf(1);
        if (t === length - 1) expect(hot).toBe(classes);
        else expect(hot).toBeLessThan(classes);
      }
    }
  });

  it('the label is the symbol shown at step 0', () => {
    for (let i = 0; i < data.samples; i++) {
      const first = Array.from(data.x.subarray(i * data.features, i * data.features + width));
      expect(first.indexOf(1)).toBe(data.labels[i]);
    }
  });

  it('labels are balanced (203 = 5 × 40 + 3) and distractors use every symbol', () => {
    expect(counts(data.labels, classes).sort()).toEqual([40, 40, 41, 41, 41]);
    const seen = new Set<number>();
    for (let t = 1; t < length - 1; t++) {
      const step = Array.from(data.x.subarray(t * width, (t + 1) * width));
      seen.add(step.indexOf(1));
    }
    for (let i = 1; i < data.samples; i++)
      seen.add(Array.from(data.x.subarray(i * data.features + width, i * data.features + 2 * width)).indexOf(1));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('is deterministic given the seed', () => {
    const again = makeCopy(203, length, classes, new Rng(11));
    expect(Array.from(again.x)).toEqual(Array.from(data.x));
    expect(Array.from(again.labels)).toEqual(Array.from(data.labels));
    expect(Array.from(makeCopy(203, length, classes, new Rng(12)).labels)).not.toEqual(Array.from(data.labels));
  });
});

describe('sine_sequence', () => {
  it('without noise the next value follows from the sequence (x_{t+1} = 2 cos ω x_t − x_{t−1})', () => {
    const length = 20;
    const data = makeSineSequence(100, length, 0, new Rng(5));
    expect(data.features).toBe(length);
    for (let i = 0; i < data.samples; i++) {
      const x = Array.from(data.x.subarray(i * length, (i + 1) * length));
      // Least squares for c = 2 cos ω over every triple: x_{t+1} + x_{t−1} = c x_t.
      let num = 0;
      let den = 0;
      for (let t = 1; t < length - 1; t++) {
        num += (x[t + 1]! + x[t - 1]!) * x[t]!;
        den += x[t]! * x[t]!;
      }
      const c = num / den;
      expect(Math.acos(c / 2)).toBeGreaterThanOrEqual(0.1 - 1e-3);
      expect(Math.acos(c / 2)).toBeLessThan(0.5 + 1e-3);
      expect(data.targets[i]).toBeCloseTo(c * x[length - 1]! - x[length - 2]!, 4);
    }
  });

  it('noise jitters x but not the target', () => {
    const clean = makeSineSequence(50, 8, 0, new Rng(9));
    const noisy = makeSineSequence(50, 8, 0.3, new Rng(9));
    expect(Array.from(noisy.x)).not.toEqual(Array.from(clean.x));
    for (const v of noisy.targets) expect(Math.abs(v)).toBeLessThanOrEqual(1);
  });
});
