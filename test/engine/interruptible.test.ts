/**
 * Deadlines inside a matrix product (src/engine/interruptible.ts): sliced products equal whole ones, the check runs
 * between slices and ends the product, and a trainer whose deadline has passed abandons step 0 inside its first
 * large product instead of finishing it.
 */
import { describe, expect, it } from 'vitest';
import { JS_BACKEND, type Backend } from '../../src/engine/backend';
import type { ModelConfig } from '../../src/engine/config';
import { CHUNK_MACS, StepInterrupted, interruptibleGemms, sliceRows } from '../../src/engine/interruptible';
import { Rng } from '../../src/engine/rng';
import { train } from '../../src/engine/train';
import { WasmBackend } from '../../src/engine/wasm/wasm-backend';
import { Arena } from '../../src/engine/arena';

const SMALL = { chunkMacs: 500, minSliceRows: 3 };

function randomArray(rng: Rng, n: number, arena?: Arena): Float32Array {
  const a = arena ? arena.alloc(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

function products(backend: Backend, arena?: Arena): void {
  const rng = new Rng(7);
  const [m, n, k] = [23, 9, 17];
  const A = randomArray(rng, m * k, arena);
  const Bt = randomArray(rng, n * k, arena);
  const B = randomArray(rng, k * n, arena);
  const At = randomArray(rng, k * m, arena);
  const Bk = randomArray(rng, k * n, arena);
  const calls = { checks: 0 };
  const sliced = interruptibleGemms(backend, () => (calls.checks++, false), SMALL);
  for (const accumulate of [false, true]) {
    for (const op of ['gemmNT', 'gemmNN', 'gemmTN'] as const) {
      const [a, b] = op === 'gemmNT' ? [A, Bt] : op === 'gemmNN' ? [A, B] : [At, Bk];
      const whole = arena ? arena.alloc(m * n) : new Float32Array(m * n);
      const parts = arena ? arena.alloc(m * n) : new Float32Array(m * n);
      whole.fill(0.5);
      parts.fill(0.5);
      const before = calls.checks;
      backend[op](m, n, k, a, b, whole, accumulate);
      sliced[op](m, n, k, a, b, parts, accumulate);
      expect(calls.checks - before, op).toBeGreaterThan(0);
      // Slices may pair rows into micro-kernels differently, and reduction slices re-associate the sum: equal to
      // float32 rounding, not bit for bit.
      for (let i = 0; i < m * n; i++) {
        expect(Math.abs(parts[i]! - whole[i]!), `${op}[${i}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(whole[i]!)));
      }
    }
  }
}

describe('interruptibleGemms', () => {
  it('slices only products above the chunk, in slices of at least the minimum rows', () => {
    expect(sliceRows(100, 4, SMALL)).toBe(0); // 400 ≤ 500
    expect(sliceRows(100, 50, SMALL)).toBe(10);
    expect(sliceRows(100, 1000, SMALL)).toBe(3); // the minimum, not 0
    expect(sliceRows(4, 1000, SMALL)).toBe(3);
    expect(sliceRows(3, 1000, SMALL)).toBe(0); // one slice is the whole product
    expect(sliceRows(1024, 2048 * 2048)).toBe(64); // the default: 2048² layers, 64 rows a slice
    expect(CHUNK_MACS).toBe(1 << 28);
  });

  it('gives the whole product, on the reference kernels', () => products(JS_BACKEND));

  it('gives the whole product, on the WebAssembly kernels (views into their memory)', () => {
    const wasm = WasmBackend.create(1 << 14);
    if (!wasm) return; // no WebAssembly SIMD on this runtime: the reference case above covers the slicing
    products(wasm, new Arena(wasm.capacityFloats, wasm.buffer));
  });

  it('stops between slices: the first true answer throws StepInterrupted', () => {
    let asked = 0;
    const sliced = interruptibleGemms(JS_BACKEND, () => ++asked >= 2, SMALL);
    const C = new Float32Array(30 * 10);
    expect(() => sliced.gemmNT(30, 10, 10, new Float32Array(300), new Float32Array(100), C)).toThrow(StepInterrupted);
    expect(asked).toBe(2);
  });

  it('delegates every other kernel to the inner backend', () => {
    const sliced = interruptibleGemms(JS_BACKEND, () => false);
    expect(sliced.name).toBe('js');
    expect(sliced.sumOfSquares(new Float32Array([3, 4]))).toBe(25);
  });
});

describe('a trainer with a deadline', () => {
  // One product of 256 × 2048 × 2048 = 1 G multiply-adds (4 slices): the deadline is asked inside it.
  const config: ModelConfig = {
    input: 2048,
    layers: [
      {
        kind: 'dense',
        path: '/layers/0',
        units: 2048,
        activation: { name: 'relu', alpha: 0 },
        init: { name: 'he_normal', scale: 1 },
        biasInit: 0,
      },
      {
        kind: 'dense',
        path: '/layers/1',
        units: 1,
        activation: { name: 'linear', alpha: 0 },
        init: { name: 'glorot_uniform', scale: 1 },
        biasInit: 0,
      },
    ],
    loss: 'mse',
    optimizer: { type: 'sgd', lr: 0.01, momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8, rho: 0.99 },
    training: { steps: 5, batchSize: 256, seed: 1, weightDecay: 0, clipNorm: null, clipValue: null, recordEvery: 1 },
  };
  const data = {
    x: new Float32Array(256 * 2048).fill(0.1),
    y: new Float32Array(256),
    samples: 256,
    features: 2048,
    targetWidth: 1,
    classes: 0,
  };

  it('abandons step 0 inside its first large product when the deadline has passed', () => {
    let asked = 0;
    const result = train(config, data, {
      deadline: Date.now() - 1,
      shouldStop: () => (asked++, false),
    });
    expect(result.stepsRun).toBe(0);
    expect(result.stopped).toMatchObject({ step: 0, reason: 'budget' });
    expect(result.stopped?.detail).toBe('time budget used up during step 0');
    // Asked after the first slice (the other three and the rest of the step never ran), then once more by the
    // trainer to name the reason; a finished product would have asked between its slices three times.
    expect(asked).toBe(2);
  });
});
