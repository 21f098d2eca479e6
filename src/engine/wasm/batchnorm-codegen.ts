/**
 * BatchNorm over features (x is rows × cols, a column per unit) as WebAssembly SIMD, in float64 lanes: two columns
 * at a time, then the last one alone. The reference kernels of the same names (reference-kernels.ts) compute in
 * float64 too, with the same operations in the same order, so the results are the same bits.
 *   batchNormStatistics(x, rows, cols, means, squares, n)          per column: mean, Σ(x − mean)² (float64 out)
 *   batchNormNormalize(x, rows, cols, mean, invStd, γ, β, x̂, y)   x̂ = (x − mean)·invStd, y = γ·x̂ + β
 *   batchNormGradSums(dy, x̂, rows, cols, dγ, dβ)                  per column: Σ dy·x̂, Σ dy (float64 out)
 *   batchNormInputGrad(dy, x̂, rows, cols, scale, dγ, dβ, training, dx, n)
 *                                                                  dx = scale/n·(n·dy − dβ − x̂·dγ), or scale·dy
 */
import { advance, i32Locals, i32Params, locals, stepLoop, type I, type V } from './codegen-helpers';
import { FunctionBuilder, type ExportedFunction, type Expr } from './emitter';

export function batchNormFunctions(): ExportedFunction[] {
  return [
    { name: 'batchNormStatistics', builder: statistics() },
    { name: 'batchNormNormalize', builder: normalize() },
    { name: 'batchNormGradSums', builder: gradSums() },
    { name: 'batchNormInputGrad', builder: inputGrad() },
  ];
}

type Width = 1 | 2;

/** `body(2)` for each pair of columns from 0, then `body(1)` for an odd last one; `c` is the first column of each. */
function forColumns(f: FunctionBuilder, c: I, cols: I, body: (width: Width) => void): void {
  f.set(c, f.i32(0));
  stepLoop(f, c, cols, 2, () => body(2));
  f.ifElse(f.eq(f.sub(f.get(cols), f.get(c)), f.i32(1)), () => body(1));
}

/** The address of element c of an array of `bytes`-wide elements at `base`. */
function at(f: FunctionBuilder, base: I, c: I, bytes: number): Expr<'i32'> {
  return f.add(f.get(base), f.mul(f.get(c), f.i32(bytes)));
}

/** `width` floats widened to float64 lanes (lane 1 is 0 for one). */
function loadWide(f: FunctionBuilder, width: Width, address: Expr<'i32'>): Expr<'v128'> {
  return f.f64x2PromoteLowF32x4(width === 2 ? f.v128Load64Zero(address) : f.v128Load32Zero(address));
}

/** `width` doubles. */
function loadDoubles(f: FunctionBuilder, width: Width, address: Expr<'i32'>): Expr<'v128'> {
  return width === 2 ? f.v128Load(address) : f.v128Load64Zero(address);
}

function storeDoubles(f: FunctionBuilder, width: Width, address: Expr<'i32'>, value: V): void {
  if (width === 2) f.v128Store(address, f.get(value));
  else f.v128Store64Lane(address, f.get(value), 0);
}

/** The float64 lanes of `value` rounded to floats, stored as `width` floats. */
function storeNarrow(f: FunctionBuilder, width: Width, address: () => Expr<'i32'>, value: V, t: V): void {
  f.set(t, f.f32x4DemoteF64x2Zero(f.get(value)));
  if (width === 2) f.v128Store64Lane(address(), f.get(t), 0);
  else f.v128Store32Lane(address(), f.get(t), 0);
}

function statistics(): FunctionBuilder {
  const f = new FunctionBuilder();
  const [x, rows, cols, means, squares] = i32Params(f, 5);
  const count = f.param('f64');
  const [c, r, p, rowBytes] = i32Locals(f, 4);
  const [acc, mean, d, n] = locals(f, 'v128', 4);
  f.set(rowBytes, f.mul(f.get(cols), f.i32(4)));
  f.set(n, f.f64x2Splat(f.get(count)));
  forColumns(f, c, cols, (width) => {
    f.set(acc, f.v128Zero());
    f.set(p, at(f, x, c, 4));
    f.set(r, f.i32(0));
    stepLoop(f, r, rows, 1, () => {
      f.set(acc, f.f64x2Add(f.get(acc), loadWide(f, width, f.get(p))));
      advance(f, p, rowBytes);
    });
    f.set(mean, f.f64x2Div(f.get(acc), f.get(n)));
    storeDoubles(f, width, at(f, means, c, 8), mean);
    f.set(acc, f.v128Zero());
    f.set(p, at(f, x, c, 4));
    f.set(r, f.i32(0));
    stepLoop(f, r, rows, 1, () => {
      f.set(d, f.f64x2Sub(loadWide(f, width, f.get(p)), f.get(mean)));
      f.set(acc, f.f64x2Add(f.get(acc), f.f64x2Mul(f.get(d), f.get(d))));
      advance(f, p, rowBytes);
    });
    storeDoubles(f, width, at(f, squares, c, 8), acc);
  });
  return f;
}

function normalize(): FunctionBuilder {
  const f = new FunctionBuilder();
  const [x, rows, cols, mean, invStd, gamma, beta, normalized, y] = i32Params(f, 9);
  const [c, r, rowBytes, xRow, nRow, yRow] = i32Locals(f, 6);
  const [xhat, out, t] = locals(f, 'v128', 3);
  f.set(rowBytes, f.mul(f.get(cols), f.i32(4)));
  f.set(xRow, f.get(x));
  f.set(nRow, f.get(normalized));
  f.set(yRow, f.get(y));
  f.set(r, f.i32(0));
  stepLoop(f, r, rows, 1, () => {
    forColumns(f, c, cols, (width) => {
      f.set(
        xhat,
        f.f64x2Mul(
          f.f64x2Sub(loadWide(f, width, at(f, xRow, c, 4)), loadWide(f, width, at(f, mean, c, 4))),
          loadWide(f, width, at(f, invStd, c, 4)),
        ),
      );
      storeNarrow(f, width, () => at(f, nRow, c, 4), xhat, t);
      f.set(
        out,
        f.f64x2Add(
          f.f64x2Mul(loadWide(f, width, at(f, gamma, c, 4)), f.get(xhat)),
          loadWide(f, width, at(f, beta, c, 4)),
        ),
      );
      storeNarrow(f, width, () => at(f, yRow, c, 4), out, t);
    });
    advance(f, xRow, rowBytes);
    advance(f, nRow, rowBytes);
    advance(f, yRow, rowBytes);
  });
  return f;
}

function gradSums(): FunctionBuilder {
  const f = new FunctionBuilder();
  const [dy, normalized, rows, cols, dGamma, dBeta] = i32Params(f, 6);
  const [c, r, pdy, pn, rowBytes] = i32Locals(f, 5);
  const [accG, accB, g] = locals(f, 'v128', 3);
  f.set(rowBytes, f.mul(f.get(cols), f.i32(4)));
  forColumns(f, c, cols, (width) => {
    f.set(accG, f.v128Zero());
    f.set(accB, f.v128Zero());
    f.set(pdy, at(f, dy, c, 4));
    f.set(pn, at(f, normalized, c, 4));
    f.set(r, f.i32(0));
    stepLoop(f, r, rows, 1, () => {
      f.set(g, loadWide(f, width, f.get(pdy)));
      f.set(accG, f.f64x2Add(f.get(accG), f.f64x2Mul(f.get(g), loadWide(f, width, f.get(pn)))));
      f.set(accB, f.f64x2Add(f.get(accB), f.get(g)));
      advance(f, pdy, rowBytes);
      advance(f, pn, rowBytes);
    });
    storeDoubles(f, width, at(f, dGamma, c, 8), accG);
    storeDoubles(f, width, at(f, dBeta, c, 8), accB);
  });
  return f;
}

function inputGrad(): FunctionBuilder {
  const f = new FunctionBuilder();
  const [dy, normalized, rows, cols, scale, dGamma, dBeta, training, dx] = i32Params(f, 9);
  const count = f.param('f64');
  const [c, r, rowBytes, dyRow, nRow, dxRow] = i32Locals(f, 6);
  const [n, out, t] = locals(f, 'v128', 3);
  f.set(rowBytes, f.mul(f.get(cols), f.i32(4)));
  f.set(n, f.f64x2Splat(f.get(count)));
  const rowsLoop = (batchStatistics: boolean): void => {
    f.set(dyRow, f.get(dy));
    f.set(nRow, f.get(normalized));
    f.set(dxRow, f.get(dx));
    f.set(r, f.i32(0));
    stepLoop(f, r, rows, 1, () => {
      forColumns(f, c, cols, (width) => {
        if (batchStatistics) {
          // scale/n · ((n·dy − dβ) − x̂·dγ)
          f.set(
            out,
            f.f64x2Mul(
              f.f64x2Div(loadDoubles(f, width, at(f, scale, c, 8)), f.get(n)),
              f.f64x2Sub(
                f.f64x2Sub(
                  f.f64x2Mul(f.get(n), loadWide(f, width, at(f, dyRow, c, 4))),
                  loadDoubles(f, width, at(f, dBeta, c, 8)),
                ),
                f.f64x2Mul(loadWide(f, width, at(f, nRow, c, 4)), loadDoubles(f, width, at(f, dGamma, c, 8))),
              ),
            ),
          );
        } else {
          f.set(out, f.f64x2Mul(loadDoubles(f, width, at(f, scale, c, 8)), loadWide(f, width, at(f, dyRow, c, 4))));
        }
        storeNarrow(f, width, () => at(f, dxRow, c, 4), out, t);
      });
      advance(f, dyRow, rowBytes);
      advance(f, nRow, rowBytes);
      advance(f, dxRow, rowBytes);
    });
  };
  f.ifElse(
    f.get(training),
    () => rowsLoop(true),
    () => rowsLoop(false),
  );
  return f;
}
