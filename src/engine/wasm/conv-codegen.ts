/**
 * The im2col copies of a convolution and max pooling as WebAssembly, driven by the layers' tables (conv-geometry.ts
 * im2colRuns, poolIndex); the reference kernels they must equal bit for bit are the functions of the same names in
 * reference-kernels.ts. Addresses are bytes into the shared memory, counts are floats, tables hold int32.
 *   gatherColumns(x, stride, n, runs, rows, OH, OW, strideW, col)      im2col: per run, zeros, a copy, zeros
 *   scatterColumns(col, runs, rows, OH, OW, strideW, n, dx, stride, width)   col2im: dx = 0, then the runs added
 *   maxPool(x, stride, n, channels, planeSize, index, P, window, out, argmax)   first maximum per window and its
 *                                                                 index within the sample (a NaN wins and stays),
 *                                                                 four outputs at a time
 *   maxPoolBackward(dy, argmax, n, outputs, dx, stride, width)    dx = 0, then dx[argmax] += dy in output order
 * A run with strideW 1 is contiguous on both sides and moves four floats at a time (lane-exact at its end); the
 * elements of one run are distinct, so the SIMD adds of col2im round exactly as the reference's scalar ones.
 */
import {
  advance,
  i32Locals,
  i32Params,
  loadFloats,
  locals,
  mapVectors,
  stepLoop,
  storeFloats,
  type I,
} from './codegen-helpers';
import { FunctionBuilder, type ExportedFunction, type Expr } from './emitter';

export function convFunctions(): ExportedFunction[] {
  return [
    { name: 'gatherColumns', builder: gatherColumns() },
    { name: 'scatterColumns', builder: scatterColumns() },
    { name: 'maxPool', builder: maxPool() },
    { name: 'maxPoolBackward', builder: maxPoolBackward() },
  ];
}

/** `for (q = from ?? 0; q < to; q++) { *ptr = 0; ptr += 4 }`, scalar: only the padding's few floats. */
function zeroRun(f: FunctionBuilder, q: I, from: I | null, to: I, ptr: I): void {
  f.set(q, from ? f.get(from) : f.i32(0));
  stepLoop(f, q, to, 1, () => {
    f.f32Store(f.get(ptr), f.f32(0));
    advance(f, ptr, 4);
  });
}

/** The run loops shared by both kernels: samples, kernel rows, output rows; `run` sees src, lo, hi and the col row. */
function forEachRun(
  f: FunctionBuilder,
  p: { n: I; runs: I; rows: I; outHeight: I; samplePtr: I; sampleBytes: I; col: I; rowBytes: I; positionBytes: I },
  run: (src: I, lo: I, hi: I, colRow: I) => void,
): void {
  const [s, r, oy, pt, cs, cr, d0, src, lo, hi] = i32Locals(f, 10);
  f.set(cs, f.get(p.col));
  f.set(s, f.i32(0));
  stepLoop(f, s, p.n, 1, () => {
    f.set(pt, f.get(p.runs));
    f.set(cr, f.get(cs));
    f.set(r, f.i32(0));
    stepLoop(f, r, p.rows, 1, () => {
      f.set(d0, f.get(cr));
      f.set(oy, f.i32(0));
      stepLoop(f, oy, p.outHeight, 1, () => {
        f.set(src, f.i32Load(f.get(pt)));
        f.set(lo, f.i32Load(f.get(pt), 4));
        f.set(hi, f.i32Load(f.get(pt), 8));
        advance(f, pt, 12);
        run(src, lo, hi, d0);
      });
      advance(f, cr, p.rowBytes);
    });
    advance(f, p.samplePtr, p.sampleBytes);
    advance(f, cs, p.positionBytes);
  });
}

function gatherColumns(): FunctionBuilder {
  const f = new FunctionBuilder();
  const [x, stride, n, runs, rows, outHeight, outWidth, strideW, col] = i32Params(f, 9);
  const [xs, q, d, ps, count, sampleBytes, rowBytes, positionBytes, owBytes, swBytes] = i32Locals(f, 10);
  const v = f.local('v128');
  f.set(sampleBytes, f.mul(f.get(stride), f.i32(4)));
  f.set(owBytes, f.mul(f.get(outWidth), f.i32(4)));
  f.set(swBytes, f.mul(f.get(strideW), f.i32(4)));
  f.set(positionBytes, f.mul(f.get(outHeight), f.get(owBytes)));
  f.set(rowBytes, f.mul(f.get(n), f.get(positionBytes)));
  f.set(xs, f.get(x));
  const shape = { n, runs, rows, outHeight, samplePtr: xs, sampleBytes, col, rowBytes, positionBytes };
  forEachRun(f, shape, (src, lo, hi, colRow) => {
    f.set(d, f.get(colRow));
    zeroRun(f, q, null, lo, d);
    f.set(ps, f.add(f.get(xs), f.mul(f.add(f.get(src), f.mul(f.get(lo), f.get(strideW))), f.i32(4))));
    f.set(count, f.sub(f.get(hi), f.get(lo)));
    f.ifElse(
      f.eq(f.get(strideW), f.i32(1)),
      () =>
        mapVectors(f, count, [d, ps], (w) => {
          f.set(
            v,
            loadFloats(f, w, () => f.get(ps)),
          );
          storeFloats(f, w, () => f.get(d), v);
        }),
      () => {
        f.set(q, f.i32(0));
        stepLoop(f, q, count, 1, () => {
          f.f32Store(f.get(d), f.f32Load(f.get(ps)));
          advance(f, d, 4);
          advance(f, ps, swBytes);
        });
      },
    );
    f.set(d, f.add(f.get(colRow), f.mul(f.get(hi), f.i32(4))));
    zeroRun(f, q, hi, outWidth, d);
    advance(f, colRow, owBytes);
  });
  return f;
}

function scatterColumns(): FunctionBuilder {
  const f = new FunctionBuilder();
  const [col, runs, rows, outHeight, outWidth, strideW, n, dx, stride, width] = i32Params(f, 10);
  const [xs, q, d, pc, pz, count, sampleBytes, rowBytes, positionBytes, owBytes, swBytes] = i32Locals(f, 11);
  const [v, zero] = [f.local('v128'), f.local('v128')];
  f.set(zero, f.v128Zero());
  f.set(sampleBytes, f.mul(f.get(stride), f.i32(4)));
  f.set(owBytes, f.mul(f.get(outWidth), f.i32(4)));
  f.set(swBytes, f.mul(f.get(strideW), f.i32(4)));
  f.set(positionBytes, f.mul(f.get(outHeight), f.get(owBytes)));
  f.set(rowBytes, f.mul(f.get(n), f.get(positionBytes)));
  // Zero every sample's dx first: a sample's runs only add into its own elements, so the order of the adds per
  // element is the reference's (zero, then rows in order).
  f.set(xs, f.get(dx));
  f.set(q, f.i32(0));
  stepLoop(f, q, n, 1, () => {
    f.set(pz, f.get(xs));
    mapVectors(f, width, [pz], (w) => storeFloats(f, w, () => f.get(pz), zero));
    advance(f, xs, sampleBytes);
  });
  f.set(xs, f.get(dx));
  const shape = { n, runs, rows, outHeight, samplePtr: xs, sampleBytes, col, rowBytes, positionBytes };
  forEachRun(f, shape, (src, lo, hi, colRow) => {
    f.set(pc, f.add(f.get(colRow), f.mul(f.get(lo), f.i32(4))));
    f.set(d, f.add(f.get(xs), f.mul(f.add(f.get(src), f.mul(f.get(lo), f.get(strideW))), f.i32(4))));
    f.set(count, f.sub(f.get(hi), f.get(lo)));
    f.ifElse(
      f.eq(f.get(strideW), f.i32(1)),
      () =>
        mapVectors(f, count, [d, pc], (w) => {
          f.set(
            v,
            f.f32x4Add(
              loadFloats(f, w, () => f.get(d)),
              loadFloats(f, w, () => f.get(pc)),
            ),
          );
          storeFloats(f, w, () => f.get(d), v);
        }),
      () => {
        f.set(q, f.i32(0));
        stepLoop(f, q, count, 1, () => {
          f.f32Store(f.get(d), f.f32Add(f.f32Load(f.get(d)), f.f32Load(f.get(pc))));
          advance(f, d, swBytes);
          advance(f, pc, 4);
        });
      },
    );
    advance(f, colRow, owBytes);
  });
  return f;
}

/**
 * Max pooling four neighbouring outputs at a time: each window cell's four values are gathered by lane loads through
 * the table (window-cell major, rows of P4), compared and kept by bitselect — no data-dependent branch, which the
 * scalar loop's random-looking comparisons mispredict. The last group of a plane stores only its real lanes.
 */
function maxPool(): FunctionBuilder {
  const f = new FunctionBuilder();
  const [x, stride, n, channels, planeSize, index, positions, window, out, argmax] = i32Params(f, 10);
  const [s, c, k, pt, pk, po, pa, xs, plane, planeOffset, planeBytes, strideBytes, tableRowBytes] = i32Locals(f, 13);
  const [best, at, v, ii, take, offset] = locals(f, 'v128', 6);
  f.set(planeBytes, f.mul(f.get(planeSize), f.i32(4)));
  f.set(strideBytes, f.mul(f.get(stride), f.i32(4)));
  // P4 floats: positions rounded up to a multiple of 4.
  f.set(tableRowBytes, f.mul(f.and(f.add(f.get(positions), f.i32(3)), f.i32(-4)), f.i32(4)));
  const gather = (): void => {
    f.set(v, f.v128Load32Zero(f.add(f.get(plane), f.mul(f.i32x4ExtractLane(f.get(ii), 0), f.i32(4)))));
    for (let lane = 1; lane < 4; lane++) {
      const address = f.add(f.get(plane), f.mul(f.i32x4ExtractLane(f.get(ii), lane), f.i32(4)));
      f.set(v, f.v128Load32Lane(address, f.get(v), lane));
    }
  };
  f.set(po, f.get(out));
  f.set(pa, f.get(argmax));
  f.set(xs, f.get(x));
  f.set(s, f.i32(0));
  stepLoop(f, s, n, 1, () => {
    f.set(plane, f.get(xs));
    f.set(planeOffset, f.i32(0));
    f.set(c, f.i32(0));
    stepLoop(f, c, channels, 1, () => {
      f.set(offset, f.i32x4Splat(f.get(planeOffset)));
      f.set(pt, f.get(index));
      mapVectors(f, positions, [po, pa, pt], (width) => {
        f.set(ii, f.v128Load(f.get(pt)));
        gather();
        f.set(best, f.get(v));
        f.set(at, f.get(ii));
        f.set(pk, f.add(f.get(pt), f.get(tableRowBytes)));
        f.set(k, f.i32(1));
        stepLoop(f, k, window, 1, () => {
          f.set(ii, f.v128Load(f.get(pk)));
          gather();
          // v > best, or v is NaN and best is not: the reference's rule, per lane.
          f.set(
            take,
            f.v128Or(
              f.f32x4Gt(f.get(v), f.get(best)),
              f.v128AndNot(f.f32x4Eq(f.get(best), f.get(best)), f.f32x4Eq(f.get(v), f.get(v))),
            ),
          );
          f.set(best, f.v128Bitselect(f.get(v), f.get(best), f.get(take)));
          f.set(at, f.v128Bitselect(f.get(ii), f.get(at), f.get(take)));
          advance(f, pk, tableRowBytes);
        });
        storeFloats(f, width, () => f.get(po), best);
        f.set(at, f.f32x4ConvertI32x4S(f.i32x4Add(f.get(at), f.get(offset))));
        storeFloats(f, width, () => f.get(pa), at);
      });
      // mapVectors leaves the pointers at the last partial group: step past its real lanes.
      const tail = (): Expr<'i32'> => f.mul(f.and(f.get(positions), f.i32(3)), f.i32(4));
      f.set(po, f.add(f.get(po), tail()));
      f.set(pa, f.add(f.get(pa), tail()));
      advance(f, plane, planeBytes);
      advance(f, planeOffset, planeSize);
    });
    advance(f, xs, strideBytes);
  });
  return f;
}

function maxPoolBackward(): FunctionBuilder {
  const f = new FunctionBuilder();
  const [dy, argmax, n, outputs, dx, stride, width] = i32Params(f, 7);
  const [s, e, a, py, pa, xs, pz, strideBytes] = i32Locals(f, 8);
  const zero = f.local('v128');
  f.set(zero, f.v128Zero());
  f.set(strideBytes, f.mul(f.get(stride), f.i32(4)));
  f.set(py, f.get(dy));
  f.set(pa, f.get(argmax));
  f.set(xs, f.get(dx));
  f.set(s, f.i32(0));
  stepLoop(f, s, n, 1, () => {
    f.set(pz, f.get(xs));
    mapVectors(f, width, [pz], (w) => storeFloats(f, w, () => f.get(pz), zero));
    f.set(e, f.i32(0));
    stepLoop(f, e, outputs, 1, () => {
      f.set(a, f.add(f.get(xs), f.mul(f.i32TruncF32S(f.f32Load(f.get(pa))), f.i32(4))));
      f.f32Store(f.get(a), f.f32Add(f.f32Load(f.get(a)), f.f32Load(f.get(py))));
      advance(f, py, 4);
      advance(f, pa, 4);
    });
    advance(f, xs, strideBytes);
  });
  return f;
}
