/** Initialiser statistics on large non-square matrices (so swapped fans would show) and orthogonality. */
import { describe, expect, it } from 'vitest';
import type { InitName } from '../../src/engine/config';
import { initializeWeights } from '../../src/engine/init';
import { Rng } from '../../src/engine/rng';

const OUT = 120;
const IN = 400;

function sample(name: InitName, scale = 1, out = OUT, inp = IN, seed = 3): Float32Array {
  const w = new Float32Array(out * inp);
  initializeWeights(w, out, inp, { name, scale }, new Rng(seed));
  return w;
}

function stats(w: Float32Array): { mean: number; std: number; maxAbs: number } {
  let sum = 0;
  let maxAbs = 0;
  for (const v of w) {
    sum += v;
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const mean = sum / w.length;
  let sq = 0;
  for (const v of w) sq += (v - mean) ** 2;
  return { mean, std: Math.sqrt(sq / w.length), maxAbs };
}

describe('random initialisers', () => {
  // [name, scale, expected std, uniform bound or null]
  const cases: [InitName, number, number, number | null][] = [
    ['glorot_uniform', 1, Math.sqrt(6 / (IN + OUT)) / Math.sqrt(3), Math.sqrt(6 / (IN + OUT))],
    ['glorot_normal', 1, Math.sqrt(2 / (IN + OUT)), null],
    ['he_uniform', 1, Math.sqrt(6 / IN) / Math.sqrt(3), Math.sqrt(6 / IN)],
    ['he_normal', 1, Math.sqrt(2 / IN), null],
    ['lecun_uniform', 1, Math.sqrt(3 / IN) / Math.sqrt(3), Math.sqrt(3 / IN)],
    ['lecun_normal', 1, Math.sqrt(1 / IN), null],
    ['uniform', 0.3, 0.3 / Math.sqrt(3), 0.3],
    ['normal', 0.05, 0.05, null],
  ];
  for (const [name, scale, expectedStd, bound] of cases) {
    it(`${name}: std ${expectedStd.toPrecision(3)} within 3%, mean ≈ 0`, () => {
      const s = stats(sample(name, scale));
      expect(Math.abs(s.std / expectedStd - 1)).toBeLessThan(0.03);
      expect(Math.abs(s.mean)).toBeLessThan((4 * expectedStd) / Math.sqrt(OUT * IN));
      if (bound !== null) {
        expect(s.maxAbs).toBeLessThanOrEqual(bound);
        expect(s.maxAbs).toBeGreaterThan(0.99 * bound);
      } else {
        // Plain (not truncated) normals reach beyond 2 std in a sample this large.
        expect(s.maxAbs).toBeGreaterThan(3 * expectedStd);
      }
    });
  }

  it('is reproducible from the seed and differs across seeds', () => {
    expect(sample('he_normal', 1, 10, 10, 5)).toEqual(sample('he_normal', 1, 10, 10, 5));
    expect(sample('he_normal', 1, 10, 10, 5)).not.toEqual(sample('he_normal', 1, 10, 10, 6));
  });
});

describe('deterministic initialisers', () => {
  it('zeros and constant', () => {
    expect(sample('zeros', 7, 3, 4).every((v) => v === 0)).toBe(true);
    expect(sample('constant', 0.25, 3, 4).every((v) => v === 0.25)).toBe(true);
  });
});

describe('orthogonal', () => {
  /** G = W·Wᵀ (rows) when byRows, else Wᵀ·W (columns); returns max |G − gain²·I|. */
  function gramError(w: Float32Array, out: number, inp: number, byRows: boolean, gain: number): number {
    const n = byRows ? out : inp;
    let worst = 0;
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        let dot = 0;
        const len = byRows ? inp : out;
        for (let k = 0; k < len; k++) {
          dot += byRows ? w[a * inp + k]! * w[b * inp + k]! : w[k * inp + a]! * w[k * inp + b]!;
        }
        worst = Math.max(worst, Math.abs(dot - (a === b ? gain * gain : 0)));
      }
    }
    return worst;
  }

  it('tall (out > in): WᵀW = I', () => {
    expect(gramError(sample('orthogonal', 1, 50, 20), 50, 20, false, 1)).toBeLessThan(1e-5);
  });
  it('wide (out < in): W·Wᵀ = I', () => {
    expect(gramError(sample('orthogonal', 1, 20, 50), 20, 50, true, 1)).toBeLessThan(1e-5);
  });
  it('square with gain 2: WᵀW = 4·I', () => {
    expect(gramError(sample('orthogonal', 2, 32, 32), 32, 32, false, 2)).toBeLessThan(1e-4);
  });
});
