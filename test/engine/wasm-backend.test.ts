/**
 * The WebAssembly backend against the reference (JS) kernels, operation by operation: odd lengths (partial last
 * vectors), unaligned views, untouched neighbours, routing of operands outside its memory, and independence of
 * two backends in one thread.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATION_KERNELS, type ActivationParams } from '../../src/engine/activations';
import { Arena } from '../../src/engine/arena';
import { JS_BACKEND } from '../../src/engine/backend';
import type { ActivationName } from '../../src/engine/config';
import { gemmNNRef, gemmNTRef, gemmTNRef } from '../../src/engine/gemm-reference';
import { Rng } from '../../src/engine/rng';
import type { AdamStep, RmspropStep, SgdStep, UpdateNorms } from '../../src/engine/update-rules';
import { WasmBackend } from '../../src/engine/wasm/wasm-backend';
import type { WasmKernels } from '../../src/engine/wasm/wasm-gemm';

const CAPACITY = 1 << 16;
const backend = WasmBackend.create(CAPACITY)!;
const ULP = 2 ** -23;

/** Arrays in the backend's memory, each with a guard float on both sides; `offset` floats shift the start (unaligned). */
function placer(
  wasm: WasmBackend,
  offset = 1,
): { place(values: ArrayLike<number>): Float32Array; guardsIntact(): boolean } {
  const arena = new Arena(wasm.capacityFloats, wasm.buffer);
  arena.alloc(offset);
  const guards: Float32Array[] = [];
  return {
    place(values) {
      const block = arena.alloc(values.length + 2);
      block[0] = 777;
      block[values.length + 1] = 777;
      guards.push(block);
      const view = block.subarray(1, 1 + values.length);
      view.set(values);
      return view;
    },
    guardsIntact: () => guards.every((g) => g[0] === 777 && g[g.length - 1] === 777),
  };
}

function randoms(rng: Rng, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = scale * rng.normal();
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relative: number, absolute = 0): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Object.is(actual[i], expected[i])) continue; // NaN, ±∞, and exact matches
    const bound = relative * Math.abs(expected[i]!) + absolute;
    if (!(Math.abs(actual[i]! - expected[i]!) <= bound)) expect.fail(`element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

const LENGTHS = [1, 2, 3, 4, 5, 7, 8, 9, 31, 64, 67];

describe('WasmBackend', () => {
  it('is available on Node 20 and places operands below its kernels’ scratch', () => {
    expect(backend).not.toBeNull();
    expect(backend.name).toBe('wasm');
    expect(backend.buffer.byteLength).toBeGreaterThan(4 * CAPACITY);
  });

  it('adds a row vector and sums columns like the reference (column sums bit-identical: float64 in row order)', () => {
    const rng = new Rng(1);
    for (const cols of LENGTHS) {
      const rows = 1 + (cols % 5);
      const p = placer(backend, cols % 3);
      const z = randoms(rng, rows * cols);
      const v = randoms(rng, cols);
      const expected = z.slice();
      JS_BACKEND.addRowVector(expected, v, rows, cols);
      const wz = p.place(z);
      backend.addRowVector(wz, p.place(v), rows, cols);
      expect(Array.from(wz)).toEqual(Array.from(expected));
      const sums = new Float32Array(cols);
      JS_BACKEND.columnSums(z, rows, cols, sums);
      const out = p.place(new Float32Array(cols));
      backend.columnSums(p.place(z), rows, cols, out);
      expect(Array.from(out)).toEqual(Array.from(sums));
      expect(p.guardsIntact()).toBe(true);
    }
  });

  it('BatchNorm over features: statistics, normalisation and gradients bit-identical to the reference', () => {
    const rng = new Rng(7);
    for (const cols of LENGTHS) {
      for (const rows of [1, 3, 17]) {
        const p = placer(backend, cols % 3);
        const n = rows * cols;
        const x = randoms(rng, n, 2);
        x.forEach((v, i) => (x[i] = v + 0.5 * (i % cols)));
        // float64 operands in the backend's memory: 2 floats per double, 8-byte aligned (an even float offset)
        const doubles = (values?: Float64Array): Float64Array => {
          const block = p.place(new Float32Array(2 * cols + 2));
          const start = block.byteOffset % 8 === 0 ? 0 : 1;
          const view = new Float64Array(block.buffer, block.byteOffset + 4 * start, cols);
          if (values) view.set(values);
          return view;
        };
        const refMeans = new Float64Array(cols);
        const refSquares = new Float64Array(cols);
        JS_BACKEND.batchNormStatistics(x, rows, cols, refMeans, refSquares);
        const means = doubles();
        const squares = doubles();
        backend.batchNormStatistics(p.place(x), rows, cols, means, squares);
        expect(Array.from(means)).toEqual(Array.from(refMeans));
        expect(Array.from(squares)).toEqual(Array.from(refSquares));

        const mean = Float32Array.from(refMeans);
        const invStd = Float32Array.from(refSquares, (s) => 1 / Math.sqrt(s / rows + 1e-5));
        const gamma = randoms(rng, cols);
        const beta = randoms(rng, cols);
        const refNorm = new Float32Array(n);
        const refY = new Float32Array(n);
        JS_BACKEND.batchNormNormalize(x, rows, cols, mean, invStd, gamma, beta, refNorm, refY);
        const norm = p.place(new Float32Array(n));
        const y = p.place(new Float32Array(n));
        const [wm, ws, wg, wb] = [mean, invStd, gamma, beta].map((v) => p.place(v));
        backend.batchNormNormalize(p.place(x), rows, cols, wm!, ws!, wg!, wb!, norm, y);
        expect(Array.from(norm)).toEqual(Array.from(refNorm));
        expect(Array.from(y)).toEqual(Array.from(refY));

        const dy = randoms(rng, n);
        const refG = new Float64Array(cols);
        const refB = new Float64Array(cols);
        JS_BACKEND.batchNormGradSums(dy, refNorm, rows, cols, refG, refB);
        const dG = doubles();
        const dB = doubles();
        backend.batchNormGradSums(p.place(dy), norm, rows, cols, dG, dB);
        expect(Array.from(dG)).toEqual(Array.from(refG));
        expect(Array.from(dB)).toEqual(Array.from(refB));

        const scale = Float64Array.from(gamma, (g, c) => g * invStd[c]!);
        for (const training of [true, false]) {
          const refDx = new Float32Array(n);
          JS_BACKEND.batchNormInputGrad(dy, refNorm, rows, cols, scale, refG, refB, training, refDx);
          const dx = p.place(new Float32Array(n));
          backend.batchNormInputGrad(p.place(dy), norm, rows, cols, doubles(scale), dG, dB, training, dx);
          expect(Array.from(dx)).toEqual(Array.from(refDx));
        }
        expect(p.guardsIntact()).toBe(true);
      }
    }
  });

  it('sums, squares and deviations in float64; counts non-finite, saturated and dead like the reference', () => {
    const rng = new Rng(2);
    for (const n of LENGTHS) {
      const p = placer(backend, n % 4);
      const a = randoms(rng, n, 3);
      if (n > 4) a.set([NaN, Infinity, -Infinity], n - 4);
      const finite = a.map((x) => (Number.isFinite(x) ? x : 0));
      const wa = p.place(a);
      const wf = p.place(finite);
      expect(backend.sumOfSquares(wf)).toBeCloseTo(JS_BACKEND.sumOfSquares(finite), 10);
      expect(backend.sum(wf)).toBeCloseTo(JS_BACKEND.sum(finite), 10);
      expect(backend.squaredDeviations(wf, 0.75)).toBeCloseTo(JS_BACKEND.squaredDeviations(finite, 0.75), 10);
      expect(backend.countNonFinite(wa)).toBe(JS_BACKEND.countNonFinite(a));
      for (const threshold of [2, 0.3, 0])
        expect(backend.countAbsAbove(wa, threshold)).toBe(JS_BACKEND.countAbsAbove(a, threshold));
      const rows = 1 + (n % 3);
      expect(backend.countDeadUnits(wa.subarray(0, rows * Math.floor(n / rows)), rows, Math.floor(n / rows))).toBe(
        JS_BACKEND.countDeadUnits(a.subarray(0, rows * Math.floor(n / rows)), rows, Math.floor(n / rows)),
      );
    }
  });

  it('compares against a threshold that float32 cannot represent exactly as the float64 code does', () => {
    const p = placer(backend);
    const at = Math.fround(0.3); // 0.30000001192…, just above 0.3
    const a = p.place([at, -at, 0.29, 0.31]);
    expect(backend.countAbsAbove(a, 0.3)).toBe(3);
    expect(backend.countAbsAbove(a, at)).toBe(1);
  });

  it('counts dead units: columns with no positive entry', () => {
    const p = placer(backend);
    // 2 rows × 5 units: unit 1 positive in row 1, unit 3 positive in row 0; 0 counts as dead.
    const z = p.place([-1, -2, 0, 4, -1, -3, 5, 0, -2, NaN]);
    expect(backend.countDeadUnits(z, 2, 5)).toBe(3);
  });
});

describe.each<[ActivationName, number]>([
  ['sigmoid', 4 * ULP],
  ['tanh', 4 * ULP],
  ['relu', 0],
  ['leaky_relu', ULP],
])('SIMD %s', (name, tolerance) => {
  const params: ActivationParams = { alpha: 0.1, slopes: null, slopeGrad: null };
  it('forward and backward match the reference kernel (all lengths, saturated and special inputs)', () => {
    const rng = new Rng(3);
    const kernel = backend.activationKernel(name);
    expect(kernel).not.toBe(ACTIVATION_KERNELS[name]);
    for (const n of [...LENGTHS, 400]) {
      const p = placer(backend, n % 4);
      const z = randoms(rng, n, n === 400 ? 30 : 3);
      if (n > 8) z.set([0, -0, 1e-30, NaN, Infinity, -Infinity], 0);
      const dy = randoms(rng, n);
      const [y, dz] = [new Float32Array(n), new Float32Array(n)];
      ACTIVATION_KERNELS[name].forward(z, y, 1, n, params);
      ACTIVATION_KERNELS[name].backward(z, y, dy, dz, 1, n, params);
      const [wz, wy, wdy, wdz] = [p.place(z), p.place(new Float32Array(n)), p.place(dy), p.place(new Float32Array(n))];
      kernel.forward(wz, wy, 1, n, params);
      expectClose(wy, y, tolerance, 1e-38);
      // The backward pass from the same y, so only the derivative formula is compared.
      wy.set(y);
      kernel.backward(wz, wy, wdy, wdz, 1, n, params);
      expectClose(wdz, dz, 3 * ULP, 1e-38);
      expect(p.guardsIntact()).toBe(true);
    }
  });
});

describe('SIMD optimizer updates', () => {
  type Rule = 'sgd' | 'momentum' | 'nesterov' | 'adam' | 'rmsprop' | 'rmspropMomentum';
  const sgdStep = (momentum: number, nesterov: boolean, firstStep: boolean): SgdStep => ({
    lr: 0.05,
    decay: 0.01,
    momentum,
    nesterov,
    firstStep,
  });
  const adamStep: AdamStep = {
    decay: 0.01,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    stepSize: 0.01 / (1 - 0.9 ** 2),
    sqrtCorrection2: Math.sqrt(1 - 0.999 ** 2),
  };
  const rmspropStep = (momentum: number): RmspropStep => ({ lr: 0.01, decay: 0.01, rho: 0.99, eps: 1e-8, momentum });

  /** Two updates (the first and a later one) of the same tensor through `update`; returns w and the state. */
  function run(rule: Rule, update: typeof JS_BACKEND, arrays: Float32Array[], norms: UpdateNorms[]): void {
    const [w, g, s1, s2] = arrays as [Float32Array, Float32Array, Float32Array, Float32Array];
    for (let step = 0; step < 2; step++) {
      const measured = norms[step] ?? null;
      if (rule === 'sgd') update.sgd(w, g, null, sgdStep(0, false, step === 0), measured);
      else if (rule === 'momentum' || rule === 'nesterov')
        update.sgd(w, g, s1, sgdStep(0.9, rule === 'nesterov', step === 0), measured);
      else if (rule === 'adam') update.adam(w, g, s1, s2, adamStep, measured);
      else
        update.rmsprop(
          w,
          g,
          s1,
          rule === 'rmspropMomentum' ? s2 : null,
          rmspropStep(rule === 'rmspropMomentum' ? 0.9 : 0),
          measured,
        );
    }
  }

  it.each<Rule>(['sgd', 'momentum', 'nesterov', 'adam', 'rmsprop', 'rmspropMomentum'])(
    '%s matches update-rules.ts, norms included',
    (rule) => {
      const rng = new Rng(5);
      for (const n of [3, 8, 67]) {
        const initial = [randoms(rng, n), randoms(rng, n), new Float32Array(n), new Float32Array(n)];
        const js = initial.map((a) => a.slice());
        const p = placer(backend, n % 4);
        const wasm = initial.map((a) => p.place(a));
        const jsNorms = [
          { before: 0, delta: 0 },
          { before: 0, delta: 0 },
        ];
        const wasmNorms = [
          { before: 0, delta: 0 },
          { before: 0, delta: 0 },
        ];
        run(rule, JS_BACKEND, js, jsNorms);
        run(rule, backend, wasm, wasmNorms);
        for (let a = 0; a < 4; a++) expectClose(wasm[a]!, js[a]!, 1e-5, 1e-7);
        for (let s = 0; s < 2; s++) {
          expect(wasmNorms[s]!.before).toBeCloseTo(jsNorms[s]!.before, 5);
          expect(Math.abs(wasmNorms[s]!.delta - jsNorms[s]!.delta)).toBeLessThanOrEqual(1e-5 * jsNorms[s]!.delta);
        }
        expect(jsNorms[1]!.delta).toBeGreaterThan(0);
        expect(p.guardsIntact()).toBe(true);
      }
    },
  );
});

describe('routing', () => {
  /** Replaces the backend's matrix kernels by counting wrappers (test-only access to a private field). */
  function countGemmCalls(target: WasmBackend): () => number {
    const holder = target as unknown as { kernels: WasmKernels };
    const real = holder.kernels;
    let calls = 0;
    const wrap =
      (f: WasmKernels['gemmNT']): WasmKernels['gemmNT'] =>
      (...args) => {
        calls++;
        f.apply(real, args);
      };
    holder.kernels = { ...real, gemmNT: wrap(real.gemmNT), gemmNN: wrap(real.gemmNN), gemmTN: wrap(real.gemmTN) };
    return () => calls;
  }

  it('runs products on its memory in wasm and any other product in JavaScript, both correct', () => {
    const own = WasmBackend.create(4096)!;
    const calls = countGemmCalls(own);
    const rng = new Rng(6);
    const [m, n, k] = [6, 9, 11];
    const p = placer(own, 0);
    const reference = { gemmNT: gemmNTRef, gemmNN: gemmNNRef, gemmTN: gemmTNRef };
    for (const name of ['gemmNT', 'gemmNN', 'gemmTN'] as const) {
      const A = p.place(randoms(rng, m * k));
      const B = p.place(randoms(rng, k * n));
      const expected = new Float32Array(m * n);
      reference[name](m, n, k, A, B, expected);
      const inWasm = p.place(new Float32Array(m * n));
      const before = calls();
      own[name](m, n, k, A, B, inWasm);
      expect(calls()).toBe(before + 1);
      const outside = new Float32Array(m * n);
      own[name](m, n, k, A, B, outside);
      expect(calls()).toBe(before + 1);
      expectClose(inWasm, expected, 1e-5, 1e-6);
      expectClose(outside, expected, 1e-5, 1e-6);
    }
  });

  it('refuses views too short for the shape instead of writing past them', () => {
    const p = placer(backend);
    const A = p.place(new Float32Array(16));
    expect(() => backend.gemmNN(4, 4, 4, A, p.place(new Float32Array(16)), p.place(new Float32Array(15)))).toThrow(
      RangeError,
    );
  });

  it('keeps two backends apart: each works on its own memory only', () => {
    const first = WasmBackend.create(256)!;
    const second = WasmBackend.create(256)!;
    expect(first.buffer).not.toBe(second.buffer);
    const a = new Float32Array(first.buffer, 0, 8).fill(2);
    const b = new Float32Array(second.buffer, 0, 8).fill(3);
    // A view of the other memory is not this backend's: it takes the JavaScript path and still computes right.
    expect(first.sumOfSquares(b)).toBe(72);
    expect(second.sumOfSquares(a)).toBe(32);
    first.addRowVector(a, new Float32Array(first.buffer, 64, 4).fill(1), 2, 4);
    expect(Array.from(a)).toEqual(new Array(8).fill(3));
    expect(Array.from(b)).toEqual(new Array(8).fill(3));
  });
});
