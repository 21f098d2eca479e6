/**
 * The im2col kernels behind the conv layer: the index table with the reference gather/scatter equals im2col/col2im
 * (bit for bit, same summation order), and the wasm kernels equal the reference on operands in the wasm memory.
 */
import { describe, expect, it } from 'vitest';
import { Arena } from '../../src/engine/arena';
import type { Shape } from '../../src/engine/config';
import { col2im, im2col, im2colIndex, windowGeometry } from '../../src/engine/layers/conv-geometry';
import { gatherColumns, scatterColumns } from '../../src/engine/reference-kernels';
import { Rng } from '../../src/engine/rng';
import { WasmBackend } from '../../src/engine/wasm/wasm-backend';
import { conv, type ConvOptions } from './conv-helpers';

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
  const index = new Int32Array(rows * positions);
  im2colIndex(g, index);
  return { g, rows, positions, width, index, n: 3, first: 2 };
}

describe.each(GEOMETRIES.map((c) => [c.label, c] as const))('im2col kernels: %s', (_label, c) => {
  const { g, rows, positions, width, index, n, first } = setup(c);
  const x = random((first + n) * width, 1);

  it('the table with gatherColumns is im2col, and scatterColumns is col2im, bit for bit', () => {
    const want = new Float32Array(rows * n * positions);
    for (let s = 0; s < n; s++) im2col(x, (first + s) * width, g, want, n * positions, s * positions);
    const got = new Float32Array(want.length).fill(NaN);
    gatherColumns(x, first * width, width, n, index, rows, positions, got);
    expect(got).toEqual(want);
    expect(want.some((v) => v !== 0)).toBe(true);

    const col = random(want.length, 2);
    const dxWant = random(x.length, 3);
    const dxGot = dxWant.slice();
    for (let s = 0; s < n; s++) col2im(col, g, dxWant, (first + s) * width, n * positions, s * positions);
    scatterColumns(col, index, rows, positions, n, dxGot, first * width, width, width);
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
    backend.gatherColumns(wx, first * width, width, n, wIndex, rows, positions, wCol);
    const want = new Float32Array(colFloats);
    gatherColumns(x, first * width, width, n, index, rows, positions, want);
    expect(wCol).toEqual(want);

    const col = random(colFloats, 4);
    const wCol2 = arena.alloc(colFloats);
    wCol2.set(col);
    const dx = random(x.length, 5);
    const wdx = arena.alloc(x.length);
    wdx.set(dx);
    backend.scatterColumns(wCol2, wIndex, rows, positions, n, wdx, first * width, width, width);
    scatterColumns(col, index, rows, positions, n, dx, first * width, width, width);
    expect(wdx).toEqual(dx);
    // The samples before `first` are left alone.
    expect(wdx.subarray(0, first * width)).toEqual(dx.subarray(0, first * width));
  });
});
