/**
 * Generates the elementwise half of the training step as WebAssembly SIMD (the matrix products are in
 * gemm-codegen.ts). Addresses are bytes into the shared memory, counts are floats; every loop runs four lanes at a
 * time and finishes with one lane-exact partial vector (mapVectors), so nothing outside an array is touched.
 *   addRowVector(z, v, rows, cols)            z[r][c] += v[c]
 *   columnSums(m, rows, cols, out)            out[c] = Σ_r m[r][c], float64 sums in row order (= the JS kernel)
 *   sumOfSquares(a, n) → f64                  Σ a², float64
 *   <act>Forward(z, y, n[, alpha])            y = f(z) for sigmoid, tanh, relu, leaky_relu
 *   <act>Backward(z|y, dy, dz, n[, alpha])    dz = dy ⊙ f′ (from y for sigmoid and tanh, from z for the relus)
 * The optimizer updates are in update-codegen.ts, the recorded-step statistics in statistics-codegen.ts, BatchNorm
 * over features in batchnorm-codegen.ts.
 */
import {
  addSquaresF64,
  advance,
  i32Locals,
  i32Params,
  loadFloats,
  mapVectors,
  stepLoop,
  storeFloats,
  sumF64Lanes,
  type V,
  locals,
} from './codegen-helpers';
import { batchNormFunctions } from './batchnorm-codegen';
import { convFunctions } from './conv-codegen';
import { FunctionBuilder, type ExportedFunction, type Expr } from './emitter';
import { SimdMath } from './simd-math';
import { statisticsFunctions } from './statistics-codegen';
import { updateFunctions } from './update-codegen';

export function generateElementwiseModule(): ExportedFunction[] {
  return [
    { name: 'addRowVector', builder: addRowVector() },
    { name: 'columnSums', builder: columnSums() },
    { name: 'sumOfSquares', builder: sumOfSquares() },
    ...activationFunctions(),
    ...updateFunctions(),
    ...statisticsFunctions(),
    ...batchNormFunctions(),
    ...convFunctions(),
  ];
}

function addRowVector(): FunctionBuilder {
  const f = new FunctionBuilder();
  const [z, v, rows, cols] = i32Params(f, 4);
  const [r, zRow, pz, pv, rowBytes] = i32Locals(f, 5);
  const sum = f.local('v128');
  f.set(rowBytes, f.mul(f.get(cols), f.i32(4)));
  f.set(zRow, f.get(z));
  f.set(r, f.i32(0));
  stepLoop(f, r, rows, 1, () => {
    f.set(pz, f.get(zRow));
    f.set(pv, f.get(v));
    mapVectors(f, cols, [pz, pv], (width) => {
      f.set(
        sum,
        f.f32x4Add(
          loadFloats(f, width, () => f.get(pz)),
          loadFloats(f, width, () => f.get(pv)),
        ),
      );
      storeFloats(f, width, () => f.get(pz), sum);
    });
    advance(f, zRow, rowBytes);
  });
  return f;
}

/** Four columns at a time: two float64x2 sums per strip, rows added in order, then rounded once to float32. */
function columnSums(): FunctionBuilder {
  const f = new FunctionBuilder();
  const [m, rows, cols, out] = i32Params(f, 4);
  const [column, p, r, rowBytes] = i32Locals(f, 4);
  const [v, low, high, t] = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')];
  f.set(rowBytes, f.mul(f.get(cols), f.i32(4)));
  f.set(column, f.get(m));
  mapVectors(f, cols, [column, out], (width) => {
    f.set(low, f.v128Zero());
    f.set(high, f.v128Zero());
    f.set(p, f.get(column));
    f.set(r, f.i32(0));
    stepLoop(f, r, rows, 1, () => {
      f.set(
        v,
        loadFloats(f, width, () => f.get(p)),
      );
      f.set(low, f.f64x2Add(f.get(low), f.f64x2PromoteLowF32x4(f.get(v))));
      f.set(high, f.f64x2Add(f.get(high), f.f64x2PromoteLowF32x4(f.shuffle32(f.get(v), f.get(v), [2, 3, 2, 3]))));
      advance(f, p, rowBytes);
    });
    f.set(t, f.shuffle32(f.f32x4DemoteF64x2Zero(f.get(low)), f.f32x4DemoteF64x2Zero(f.get(high)), [0, 1, 4, 5]));
    storeFloats(f, width, () => f.get(out), t);
  });
  return f;
}

/** Eight floats per iteration into four float64 partial sums (two dependency chains each), then the rest. */
function sumOfSquares(): FunctionBuilder {
  const f = new FunctionBuilder();
  const [a, n] = i32Params(f, 2);
  f.result('f64');
  const [i, rest] = i32Locals(f, 2);
  const [acc0, acc1, acc2, acc3, v, t] = locals(f, 'v128', 6);
  for (const acc of [acc0, acc1, acc2, acc3]) f.set(acc, f.v128Zero());
  f.set(i, f.i32(0));
  stepLoop(f, i, n, 8, () => {
    f.set(v, f.v128Load(f.get(a)));
    addSquaresF64(f, acc0, acc1, v, t);
    f.set(v, f.v128Load(f.get(a), 16));
    addSquaresF64(f, acc2, acc3, v, t);
    advance(f, a, 32);
  });
  f.set(rest, f.sub(f.get(n), f.get(i)));
  mapVectors(f, rest, [a], (width) => {
    f.set(
      v,
      loadFloats(f, width, () => f.get(a)),
    );
    addSquaresF64(f, acc0, acc1, v, t);
  });
  f.set(acc0, f.f64x2Add(f.get(acc0), f.get(acc2)));
  f.set(acc1, f.f64x2Add(f.get(acc1), f.get(acc3)));
  sumF64Lanes(f, acc0, acc1);
  return f;
}

type Lanewise = (f: FunctionBuilder, math: SimdMath | null, x: V, out: V, alpha: V | null) => void;

/** y = f(z): (z, y, n[, alpha]); `transcendental`: the kernel uses SimdMath (whose constants it sets up first). */
function forward(compute: Lanewise, withAlpha: boolean, transcendental = false): FunctionBuilder {
  const f = new FunctionBuilder();
  const [z, y, n] = i32Params(f, 3);
  const alphaParam = withAlpha ? f.param('f32') : null;
  const [x, out, alpha] = [f.local('v128'), f.local('v128'), f.local('v128')];
  const math = transcendental ? new SimdMath(f) : null;
  if (alphaParam) f.set(alpha, f.f32x4Splat(f.get(alphaParam)));
  mapVectors(f, n, [z, y], (width) => {
    f.set(
      x,
      loadFloats(f, width, () => f.get(z)),
    );
    compute(f, math, x, out, alpha);
    storeFloats(f, width, () => f.get(y), out);
  });
  return f;
}

/** dz = dy ⊙ g(s) where s is y or z: (s, dy, dz, n[, alpha]); `compute` gets s and dy and leaves dz in out. */
function backward(
  compute: (f: FunctionBuilder, s: V, dy: V, out: V, alpha: V) => void,
  withAlpha: boolean,
): FunctionBuilder {
  const f = new FunctionBuilder();
  const [s, dy, dz, n] = i32Params(f, 4);
  const alphaParam = withAlpha ? f.param('f32') : null;
  const [sv, dyv, out, alpha] = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')];
  if (alphaParam) f.set(alpha, f.f32x4Splat(f.get(alphaParam)));
  mapVectors(f, n, [s, dy, dz], (width) => {
    f.set(
      sv,
      loadFloats(f, width, () => f.get(s)),
    );
    f.set(
      dyv,
      loadFloats(f, width, () => f.get(dy)),
    );
    compute(f, sv, dyv, out, alpha);
    storeFloats(f, width, () => f.get(dz), out);
  });
  return f;
}

function activationFunctions(): ExportedFunction[] {
  const positive = (f: FunctionBuilder, x: V): Expr<'v128'> => f.f32x4Gt(f.get(x), f.f32x4Const(0));
  return [
    { name: 'sigmoidForward', builder: forward((_f, math, x, out) => math!.sigmoid(x, out), false, true) },
    { name: 'tanhForward', builder: forward((_f, math, x, out) => math!.tanh(x, out), false, true) },
    // z > 0 ? z : 0 (NaN → 0, as the JS kernel)
    {
      name: 'reluForward',
      builder: forward((f, _m, x, out) => f.set(out, f.v128And(f.get(x), positive(f, x))), false),
    },
    {
      name: 'leakyReluForward',
      builder: forward(
        (f, _m, x, out, a) => f.set(out, f.v128Bitselect(f.get(x), f.f32x4Mul(f.get(a!), f.get(x)), positive(f, x))),
        true,
      ),
    },
    // σ′ = y(1 − y): dz = dy·y·(1 − y)
    {
      name: 'sigmoidBackward',
      builder: backward(
        (f, y, dy, out) =>
          f.set(out, f.f32x4Mul(f.f32x4Mul(f.get(dy), f.get(y)), f.f32x4Sub(f.f32x4Const(1), f.get(y)))),
        false,
      ),
    },
    // tanh′ = 1 − y² = (1 − y)(1 + y): exact factors near |y| = 1, where 1 − y·y in float32 would cancel.
    {
      name: 'tanhBackward',
      builder: backward(
        (f, y, dy, out) =>
          f.set(
            out,
            f.f32x4Mul(
              f.get(dy),
              f.f32x4Mul(f.f32x4Sub(f.f32x4Const(1), f.get(y)), f.f32x4Add(f.f32x4Const(1), f.get(y))),
            ),
          ),
        false,
      ),
    },
    {
      name: 'reluBackward',
      builder: backward((f, z, dy, out) => f.set(out, f.v128And(f.get(dy), positive(f, z))), false),
    },
    {
      name: 'leakyReluBackward',
      builder: backward(
        (f, z, dy, out, a) => f.set(out, f.v128Bitselect(f.get(dy), f.f32x4Mul(f.get(a), f.get(dy)), positive(f, z))),
        true,
      ),
    },
  ];
}
