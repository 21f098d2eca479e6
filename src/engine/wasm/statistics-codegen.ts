/**
 * The per-layer statistics of a recorded step (layers/layer-stats.ts) as WebAssembly SIMD. Addresses in bytes,
 * counts in floats; sums in float64, counts as i32.
 *   sum(a, n) → f64                          Σ a
 *   squaredDeviations(a, n, mean) → f64      Σ (a − mean)², the second pass of a two-pass variance
 *   countNonFinite(a, n) → i32               elements whose exponent bits are all ones (±∞, NaN)
 *   countAbsAbove(a, n, threshold) → i32     elements with |a| > threshold (NaN never counts)
 *   countDeadUnits(z, rows, cols) → i32      columns of z with no element > 0
 */
import { advance, i32Params, loadFloats, mapVectors, stepLoop, sumF64Lanes, type V, locals } from './codegen-helpers';
import { FunctionBuilder, type ExportedFunction, type Expr } from './emitter';

const EXPONENT_BITS = 0x7f800000;
const MAGNITUDE_BITS = 0x7fffffff;

export function statisticsFunctions(): ExportedFunction[] {
  return [
    { name: 'sum', builder: sumFunction(false) },
    { name: 'squaredDeviations', builder: sumFunction(true) },
    { name: 'countNonFinite', builder: countFunction(false) },
    { name: 'countAbsAbove', builder: countFunction(true) },
    { name: 'countDeadUnits', builder: countDeadUnits() },
  ];
}

/** All ones in the first `width` lanes (of four floats, or of the two doubles widened from them: 2 per half). */
function laneMask(f: FunctionBuilder, width: number, half: 'floats' | 'low' | 'high'): Expr<'v128'> {
  const on = (lane: number): number => (lane < width ? -1 : 0);
  if (half === 'floats') return f.i32x4Const([on(0), on(1), on(2), on(3)]);
  const first = half === 'low' ? 0 : 2;
  return f.i32x4Const([on(first), on(first), on(first + 1), on(first + 1)]);
}

/** Σ a, or with `deviations` Σ (a − mean)², each half of a vector widened to float64 before subtracting. */
function sumFunction(deviations: boolean): FunctionBuilder {
  const f = new FunctionBuilder();
  const [a, n] = i32Params(f, 2);
  const meanParam = deviations ? f.param('f64') : null;
  f.result('f64');
  const [acc0, acc1, v, d, mean] = locals(f, 'v128', 5);
  f.set(acc0, f.v128Zero());
  f.set(acc1, f.v128Zero());
  if (meanParam) f.set(mean, f.f64x2Splat(f.get(meanParam)));
  const add = (acc: V, widened: () => Expr<'v128'>, width: number, half: 'low' | 'high'): void => {
    if (deviations) {
      f.set(d, f.f64x2Sub(widened(), f.get(mean)));
      f.set(d, f.f64x2Mul(f.get(d), f.get(d)));
      // Lanes past the end hold (0 − mean)², not 0.
      if (width < 4) f.set(d, f.v128And(f.get(d), laneMask(f, width, half)));
      f.set(acc, f.f64x2Add(f.get(acc), f.get(d)));
    } else {
      f.set(acc, f.f64x2Add(f.get(acc), widened()));
    }
  };
  mapVectors(f, n, [a], (width) => {
    f.set(
      v,
      loadFloats(f, width, () => f.get(a)),
    );
    add(acc0, () => f.f64x2PromoteLowF32x4(f.get(v)), width, 'low');
    add(acc1, () => f.f64x2PromoteLowF32x4(f.shuffle32(f.get(v), f.get(v), [2, 3, 2, 3])), width, 'high');
  });
  sumF64Lanes(f, acc0, acc1);
  return f;
}

/** Counts lanes matching a test, as i32 lanes of −1 subtracted from a counter vector. */
function countFunction(absAbove: boolean): FunctionBuilder {
  const f = new FunctionBuilder();
  const [a, n] = i32Params(f, 2);
  const thresholdParam = absAbove ? f.param('f32') : null;
  f.result('i32');
  const [count, v, threshold] = locals(f, 'v128', 3);
  f.set(count, f.v128Zero());
  if (thresholdParam) f.set(threshold, f.f32x4Splat(f.get(thresholdParam)));
  mapVectors(f, n, [a], (width) => {
    f.set(
      v,
      loadFloats(f, width, () => f.get(a)),
    );
    if (absAbove) f.set(v, f.f32x4Gt(f.v128And(f.get(v), f.i32x4Const(MAGNITUDE_BITS)), f.get(threshold)));
    else f.set(v, f.i32x4Eq(f.v128And(f.get(v), f.i32x4Const(EXPONENT_BITS)), f.i32x4Const(EXPONENT_BITS)));
    if (width < 4) f.set(v, f.v128And(f.get(v), laneMask(f, width, 'floats')));
    f.set(count, f.i32x4Sub(f.get(count), f.get(v)));
  });
  return sumI32Lanes(f, count);
}

/** Four columns at a time: OR of (z > 0) down the rows; a column is dead when its lane never became true. */
function countDeadUnits(): FunctionBuilder {
  const f = new FunctionBuilder();
  const [z, rows, cols] = i32Params(f, 3);
  f.result('i32');
  const [column, p, r, rowBytes, dead] = locals(f, 'i32', 5);
  const alive = f.local('v128');
  f.set(rowBytes, f.mul(f.get(cols), f.i32(4)));
  f.set(dead, f.i32(0));
  f.set(column, f.get(z));
  mapVectors(f, cols, [column], (width) => {
    f.set(alive, f.v128Zero());
    f.set(p, f.get(column));
    f.set(r, f.i32(0));
    stepLoop(f, r, rows, 1, () => {
      f.set(
        alive,
        f.v128Or(
          f.get(alive),
          f.f32x4Gt(
            loadFloats(f, width, () => f.get(p)),
            f.v128Zero(),
          ),
        ),
      );
      advance(f, p, rowBytes);
    });
    // Lanes past the width loaded 0, so their bits are clear.
    f.set(dead, f.add(f.get(dead), f.sub(f.i32(width), f.popcnt(f.i32x4Bitmask(f.get(alive))))));
  });
  f.get(dead);
  return f;
}

function sumI32Lanes(f: FunctionBuilder, v: V): FunctionBuilder {
  f.add(
    f.add(f.i32x4ExtractLane(f.get(v), 0), f.i32x4ExtractLane(f.get(v), 1)),
    f.add(f.i32x4ExtractLane(f.get(v), 2), f.i32x4ExtractLane(f.get(v), 3)),
  );
  return f;
}
