/**
 * The im2col kernels behind the conv layer: the run table with the reference gather/scatter equals im2col/col2im
 * (bit for bit, same summation order), the max-pool table with the reference maxPool equals the direct maxPlane, and
 * the wasm kernels equal the reference on operands in the wasm memory.
 */
import { describe, expect, it } from 'vitest';
import { Arena } from '../../src/engine/arena';
import type { Shape } from '../../src/engine/config';
import {
  im2colRuns,
  im2colRunsLength,
  poolIndex,
  poolIndexLength,
  windowGeometry,
} from '../../src/engine/layers/conv-geometry';
import { col2im, im2col, maxPlane } from './conv-reference';
import { gatherColumns, maxPool, maxPoolBackward, scatterColumns } from '../../src/engine/reference-kernels';
import { Rng } from '../../src/engine/rng';
import { WasmBackend } from '../../src/engine/wasm/wasm-backend';
import { conv, pool, type ConvOptions } from './conv-helpers';

interface Geometry {
  label: string;
  shape: Shape;
  kernel: number[];
  options: ConvOptions;
}

const GEOMETRIES: Geometry[] = [
  { label: 'LeNet conv1 (28×28, 5×5 valid)', shape: [1, 28, 28], kernel: [5, 5], options: {} },
  { label: 'LeNet conv2 (6×12×12, 5×5 valid)', shape: [6, 12, 12], kernel: [5, 5], options: {} },
  { label: '2×7×6 same, stride 2', shape: [2, 7, 6], kernel: [3, 3], options: { padding: 'same', stride: [2, 2] } },
  { label: '3×9×8 same, dilation 2', shape: [3, 9, 8], kernel: [3, 2], options: { padding: 'same', dilation: [2, 2] } },
  { label: '1-d 2×11 stride 3', shape: [2, 11], kernel: [4], options: { stride: [3], padding: 'same' } },
];

function random(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** Samples, offset of the first, the geometry's sizes and its table. */
function setup(c: Geometry) {
  const g = windowGeometry(conv(2, c.kernel, c.options), c.shape);
  const rows = g.channels * g.kernelH * g.kernelW;
  const positions = g.outHeight * g.outWidth;
  const width = g.channels * g.height * g.width;
  const index = new Int32Array(im2colRunsLength(g));
  im2colRuns(g, index);
  // The run geometry the kernels take after the table.
  const shape = [rows, g.outHeight, g.outWidth, g.strideW] as const;
  return { g, rows, positions, width, index, shape, n: 3, first: 2 };
}

describe.each(GEOMETRIES.map((c) => [c.label, c] as const))('im2col kernels: %s', (_label, c) => {
  const { g, rows, positions, width, index, shape, n, first } = setup(c);
  const x = random((first + n) * width, 1);

  it('the run table with gatherColumns is im2col, and scatterColumns is col2im, bit for bit', () => {
    const want = new Float32Array(rows * n * positions);
    for (let s = 0; s < n; s++) im2col(x, (first + s) * width, g, want, n * positions, s * positions);
    const got = new Float32Array(want.length).fill(NaN);
    gatherColumns(x, first * width, width, n, index, ...shape, got);
    expect(got).toEqual(want);
    expect(want.some((v) => v !== 0)).toBe(true);

    const col = random(want.length, 2);
    const dxWant = random(x.length, 3);
    const dxGot = dxWant.slice();
    for (let s = 0; s < n; s++) col2im(col, g, dxWant, (first + s) * width, n * positions, s * positions);
    scatterColumns(col, index, ...shape, n, dxGot, first * width, width, width);
    expect(dxGot).toEqual(dxWant);
  });

  it('the wasm kernels equal the reference', () => {
    const colFloats = rows * n * positions;
    const floats = x.length * 2 + index.length + colFloats * 2 + 4 * 5; // + alignment of five views
    const backend = WasmBackend.create(floats)!;
    const arena = new Arena(floats, backend.buffer);
    const wx = arena.alloc(x.length);
    wx.set(x);
    const table = arena.alloc(index.length);
    const wIndex = new Int32Array(table.buffer, table.byteOffset, table.length);
    wIndex.set(index);
    const wCol = arena.alloc(colFloats).fill(NaN);
    backend.gatherColumns(wx, first * width, width, n, wIndex, ...shape, wCol);
    const want = new Float32Array(colFloats);
    gatherColumns(x, first * width, width, n, index, ...shape, want);
    expect(wCol).toEqual(want);

    const col = random(colFloats, 4);
    const wCol2 = arena.alloc(colFloats);
    wCol2.set(col);
    const dx = random(x.length, 5);
    const wdx = arena.alloc(x.length);
    wdx.set(dx);
    backend.scatterColumns(wCol2, wIndex, ...shape, n, wdx, first * width, width, width);
    scatterColumns(col, index, ...shape, n, dx, first * width, width, width);
    expect(wdx).toEqual(dx);
    // The samples before `first` are left alone.
    expect(wdx.subarray(0, first * width)).toEqual(dx.subarray(0, first * width));
  });
});

interface PoolGeometry {
  label: string;
  shape: Shape;
  window: number[];
  options: { stride?: number[]; padding?: 'valid' | 'same' };
}

const POOLS: PoolGeometry[] = [
  { label: 'LeNet pool (6×24×24, 2×2)', shape: [6, 24, 24], window: [2, 2], options: {} },
  { label: '3×7×5 3×3 same, stride 2', shape: [3, 7, 5], window: [3, 3], options: { stride: [2, 2], padding: 'same' } },
  { label: '2×6×6 2×3 stride 1 (overlapping)', shape: [2, 6, 6], window: [2, 3], options: { stride: [1, 1] } },
  { label: '1-d 4×9 3 same', shape: [4, 9], window: [3], options: { padding: 'same' } },
  // 9 and 5 positions: the last group of four outputs of a plane is partial.
  { label: '2×5×5 2×2 same', shape: [2, 5, 5], window: [2, 2], options: { padding: 'same' } },
  { label: '1-d 3×10 2', shape: [3, 10], window: [2], options: {} },
];

/** Rounded values (so ties occur), with a NaN, infinities and −0 from x[at] on. */
function poolInput(n: number, at: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: n }, () => Math.round(rng.normal() * 2) / 2);
  [x[at + 3], x[at + 10], x[at + 11], x[at + 17]] = [NaN, -Infinity, Infinity, -0];
  return x;
}

describe.each(POOLS.map((c) => [c.label, c] as const))('max-pool kernels: %s', (_label, c) => {
  const g = windowGeometry(pool('maxpool', c.window, c.options), c.shape);
  const positions = g.outHeight * g.outWidth;
  const window = g.kernelH * g.kernelW;
  const planeSize = g.height * g.width;
  const width = g.channels * planeSize;
  const index = new Int32Array(poolIndexLength(g));
  poolIndex(g, index);
  const [n, first] = [3, 1];
  const x = poolInput((first + n) * width, first * width, 6);
  const outputs = n * g.channels * positions;

  it('the table with the reference maxPool is maxPlane (values, first-maximum indices, NaN kept)', () => {
    const [out, argmax] = [new Float32Array(outputs), new Float32Array(outputs)];
    maxPool(x, first * width, width, n, g.channels, planeSize, index, positions, window, out, argmax);
    const [want, wantArg] = [new Float32Array(outputs), new Float32Array(outputs)];
    for (let s = 0, o = 0; s < n; s++) {
      const sample = (first + s) * width;
      for (let ch = 0; ch < g.channels; ch++, o += positions)
        maxPlane(x, sample, sample + ch * planeSize, g, want, wantArg, o);
    }
    expect(out).toEqual(want);
    expect(argmax).toEqual(wantArg);
    expect(want.some(Number.isNaN)).toBe(true);
  });

  it('the wasm kernel equals the reference', () => {
    const floats = x.length + index.length + 2 * outputs + 4 * 4;
    const backend = WasmBackend.create(floats)!;
    const arena = new Arena(floats, backend.buffer);
    const wx = arena.alloc(x.length);
    wx.set(x);
    const table = arena.alloc(index.length);
    const wIndex = new Int32Array(table.buffer, table.byteOffset, table.length);
    wIndex.set(index);
    const [wOut, wArg] = [arena.alloc(outputs).fill(7), arena.alloc(outputs).fill(7)];
    backend.maxPool(wx, first * width, width, n, g.channels, planeSize, wIndex, positions, window, wOut, wArg);
    const [out, argmax] = [new Float32Array(outputs), new Float32Array(outputs)];
    maxPool(x, first * width, width, n, g.channels, planeSize, index, positions, window, out, argmax);
    expect(wOut).toEqual(out);
    expect(wArg).toEqual(argmax);
  });

  it('the wasm gradient equals the reference: dy to each winner, summed where windows share one', () => {
    const perSample = g.channels * positions;
    const floats = 3 * perSample * n + 2 * width * n + 4 * 5;
    const backend = WasmBackend.create(floats)!;
    const arena = new Arena(floats, backend.buffer);
    const [out, argmax] = [arena.alloc(perSample * n), arena.alloc(perSample * n)];
    maxPool(x, first * width, width, n, g.channels, planeSize, index, positions, window, out, argmax);
    const dy = arena.alloc(perSample * n);
    dy.set(random(dy.length, 8));
    const wdx = arena.alloc(width * n).fill(7);
    backend.maxPoolBackward(dy, argmax, n, perSample, wdx, width, width);
    const dx = new Float32Array(width * n).fill(7);
    maxPoolBackward(dy, argmax, n, perSample, dx, width, width);
    expect(wdx).toEqual(dx);
    // Every dy lands somewhere: the sums agree (overlapping windows add).
    const total = (a: Float32Array): number => a.reduce((t, v) => t + v, 0);
    expect(total(dx)).toBeCloseTo(total(dy), 3);
  });
});
