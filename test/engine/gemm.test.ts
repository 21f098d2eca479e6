import { describe, expect, it } from 'vitest';
import { gemmNN, gemmNT, gemmTN } from '../../src/engine/gemm';
import { gemmNNRef, gemmNTRef, gemmTNRef } from '../../src/engine/gemm-reference';
import { Rng } from '../../src/engine/rng';

type Gemm = (
  m: number,
  n: number,
  k: number,
  A: Float32Array,
  B: Float32Array,
  C: Float32Array,
  accumulate?: boolean,
) => void;

interface Product {
  name: string;
  fast: Gemm;
  reference: Gemm;
  /** Σ_p |A(i,p)·B(p,j)|: the scale the rounding error of C(i,j) is measured against. */
  absTerm(m: number, n: number, k: number, A: Float32Array, B: Float32Array, i: number, j: number): number;
}

const PRODUCTS: Product[] = [
  {
    name: 'gemmNT',
    fast: gemmNT,
    reference: gemmNTRef,
    absTerm: (_m, _n, k, A, B, i, j) => sumAbs(k, (p) => A[i * k + p]! * B[j * k + p]!),
  },
  {
    name: 'gemmNN',
    fast: gemmNN,
    reference: gemmNNRef,
    absTerm: (_m, n, k, A, B, i, j) => sumAbs(k, (p) => A[i * k + p]! * B[p * n + j]!),
  },
  {
    name: 'gemmTN',
    fast: gemmTN,
    reference: gemmTNRef,
    absTerm: (m, n, k, A, B, i, j) => sumAbs(k, (p) => A[p * m + i]! * B[p * n + j]!),
  },
];

function sumAbs(k: number, term: (p: number) => number): number {
  let s = 0;
  for (let p = 0; p < k; p++) s += Math.abs(term(p));
  return s;
}

function randomArray(rng: Rng, length: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.range(-1, 1);
  return out;
}

/** Float32 relative precision; the bound allows a few roundings of the partial sums (k-blocks) and of C. */
const EPS32 = 2 ** -23;

/** Checks fast against reference for one shape; A, B, C may be views into larger buffers. */
function expectMatchesReference(
  product: Product,
  m: number,
  n: number,
  k: number,
  A: Float32Array,
  B: Float32Array,
  C: Float32Array,
  accumulate: boolean,
): void {
  const expected = new Float32Array(C);
  product.reference(m, n, k, A, B, expected, accumulate);
  const initial = new Float32Array(C);
  product.fast(m, n, k, A, B, C, accumulate);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const scale = product.absTerm(m, n, k, A, B, i, j) + (accumulate ? Math.abs(initial[i * n + j]!) : 0);
      const error = Math.abs(C[i * n + j]! - expected[i * n + j]!);
      if (!(error <= 8 * EPS32 * scale + 1e-30)) {
        expect.fail(
          `${product.name} ${m}×${n}×${k} acc=${accumulate} at (${i},${j}): ` +
            `got ${C[i * n + j]}, reference ${expected[i * n + j]}, scale ${scale}`,
        );
      }
    }
  }
}

/** Edge sizes around the tile (4), the thin cut-off (2) and the blocks (MC 64, KC 256, NC 512). */
const SMALL_SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 13, 16];
const BLOCK_SHAPES: Array<[number, number, number]> = [
  [64, 64, 256],
  [65, 67, 257],
  [130, 9, 300],
  [7, 513, 20],
  [70, 530, 260],
  [3, 600, 513],
  [600, 3, 70],
  [128, 64, 64],
  [32, 16, 16],
  [512, 10, 30],
  [10, 300, 512],
  [300, 1, 600],
  [1, 300, 600],
  [200, 150, 1],
];

describe.each(PRODUCTS)('$name', (product) => {
  it('matches the reference loops on every small shape, with and without accumulate', () => {
    const rng = new Rng(11);
    for (const m of SMALL_SIZES) {
      for (const n of SMALL_SIZES) {
        for (const k of SMALL_SIZES) {
          const accumulate = (m + n + k) % 2 === 0;
          const A = randomArray(rng, m * k);
          const B = randomArray(rng, k * n);
          const C = randomArray(rng, m * n);
          expectMatchesReference(product, m, n, k, A, B, C, accumulate);
        }
      }
    }
  });

  it.each(BLOCK_SHAPES)('matches the reference across block boundaries at %i×%i×%i', (m, n, k) => {
    const rng = new Rng(m * 7919 + n * 31 + k);
    for (const accumulate of [false, true]) {
      const C = randomArray(rng, m * n);
      expectMatchesReference(product, m, n, k, randomArray(rng, m * k), randomArray(rng, k * n), C, accumulate);
    }
  });

  it('overwrites C when accumulate is off (NaN in C does not leak) and adds when on', () => {
    const rng = new Rng(5);
    const [m, n, k] = [9, 11, 6];
    const A = randomArray(rng, m * k);
    const B = randomArray(rng, k * n);
    const C = new Float32Array(m * n).fill(NaN);
    product.fast(m, n, k, A, B, C);
    expect(C.every(Number.isFinite)).toBe(true);
    const once = new Float32Array(C);
    product.fast(m, n, k, A, B, C, true);
    for (let i = 0; i < m * n; i++) expect(C[i]).toBeCloseTo(2 * once[i]!, 5);
  });

  it('works on subarray views with nonzero byteOffset and writes nothing outside C', () => {
    const rng = new Rng(3);
    const [m, n, k] = [37, 21, 70];
    const pad = 5; // an odd float count: views start at byte offsets that are not 16-byte aligned
    const storage = new Float32Array(pad + m * k + pad + k * n + pad + m * n + pad).fill(1234.5);
    const A = storage.subarray(pad, pad + m * k);
    const B = storage.subarray(2 * pad + m * k, 2 * pad + m * k + k * n);
    const cStart = 3 * pad + m * k + k * n;
    const C = storage.subarray(cStart, cStart + m * n);
    A.set(randomArray(rng, m * k));
    B.set(randomArray(rng, k * n));
    C.set(randomArray(rng, m * n));
    expectMatchesReference(product, m, n, k, A, B, C, true);
    expect(storage[cStart - 1]).toBe(1234.5);
    expect(storage[cStart + m * n]).toBe(1234.5);
  });

  it('gives the same answer for a small shape after a large one (scratch reuse)', () => {
    const rng = new Rng(9);
    const big: [number, number, number] = [96, 96, 300];
    product.fast(
      big[0],
      big[1],
      big[2],
      randomArray(rng, big[0] * big[2]),
      randomArray(rng, big[2] * big[1]),
      new Float32Array(big[0] * big[1]),
    );
    expectMatchesReference(product, 6, 5, 3, randomArray(rng, 18), randomArray(rng, 15), new Float32Array(30), false);
  });
});

describe('reference loops (checked by hand)', () => {
  // A = [[1,2,3],[4,5,6]] (2×3), M = [[7,8],[9,10],[11,12]] (3×2): A·M = [[58,64],[139,154]].
  const A = new Float32Array([1, 2, 3, 4, 5, 6]);
  const M = new Float32Array([7, 8, 9, 10, 11, 12]);
  const Mt = new Float32Array([7, 9, 11, 8, 10, 12]);
  const At = new Float32Array([1, 4, 2, 5, 3, 6]);
  const expected = [58, 64, 139, 154];

  it.each(PRODUCTS)('$name computes A·M for its operand layout', (product) => {
    for (const gemm of [product.reference, product.fast]) {
      const C = new Float32Array(4);
      if (product.name === 'gemmNT') gemm(2, 2, 3, A, Mt, C);
      if (product.name === 'gemmNN') gemm(2, 2, 3, A, M, C);
      if (product.name === 'gemmTN') gemm(2, 2, 3, At, M, C);
      expect(Array.from(C)).toEqual(expected);
    }
  });
});
