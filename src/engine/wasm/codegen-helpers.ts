/**
 * Small code-generation helpers shared by the block kernels: loops, multiply-add, and lane-exact partial
 * loads/stores (so edge tiles never touch memory outside their operands).
 */
import type { Expr, FunctionBuilder, Local, ValType } from './emitter';

/** Multiply-add flavour: separate mul and add (baseline SIMD), or the relaxed-SIMD form that may fuse (FMA). */
export interface CodegenOptions {
  fusedMultiplyAdd: boolean;
}

export type I = Local<'i32'>;
export type V = Local<'v128'>;

/** `counter += step` */
export function advance(f: FunctionBuilder, counter: I, step: I | number): void {
  f.set(counter, f.add(f.get(counter), typeof step === 'number' ? f.i32(step) : f.get(step)));
}

/** acc (+)= x·y, as mul+add or as relaxed madd. */
export function multiplyAdd(f: FunctionBuilder, fused: boolean, acc: V, x: V, y: V): void {
  if (fused) f.set(acc, f.f32x4RelaxedMadd(f.get(x), f.get(y), f.get(acc)));
  else f.set(acc, f.f32x4Add(f.get(acc), f.f32x4Mul(f.get(x), f.get(y))));
}

/** Loads the first `width` (1–4) floats at the address into lanes 0..width−1, zeroing the rest; never reads past them. */
export function loadFloats(f: FunctionBuilder, width: number, address: () => Expr<'i32'>, offset = 0): Expr<'v128'> {
  if (width === 4) return f.v128Load(address(), offset);
  if (width === 2) return f.v128Load64Zero(address(), offset);
  if (width === 1) return f.v128Load32Zero(address(), offset);
  return f.v128Load32Lane(address(), f.v128Load64Zero(address(), offset), 2, offset + 8);
}

/** Stores lanes 0..width−1 of `value` (a local, as width 3 needs it twice) to consecutive floats at the address. */
export function storeFloats(f: FunctionBuilder, width: number, address: () => Expr<'i32'>, value: V, offset = 0): void {
  if (width === 4) f.v128Store(address(), f.get(value), offset);
  else if (width === 1) f.v128Store32Lane(address(), f.get(value), 0, offset);
  else f.v128Store64Lane(address(), f.get(value), 0, offset);
  if (width === 3) f.v128Store32Lane(address(), f.get(value), 2, offset + 8);
}

/** `for (counter = 0; counter + step <= limit; counter += step) body()`, as a guarded do-while. */
export function stepLoop(f: FunctionBuilder, counter: I, limit: I, step: number, body: () => void): void {
  f.ifElse(f.leS(f.add(f.get(counter), f.i32(step)), f.get(limit)), () =>
    f.doWhile(
      () => {
        body();
        advance(f, counter, step);
      },
      () => f.leS(f.add(f.get(counter), f.i32(step)), f.get(limit)),
    ),
  );
}

/**
 * `body(4)` for every full vector of an n-float map, with each pointer advanced 16 bytes after it, then `body(w)`
 * once for the last w = n % 4 floats (lane-exact loads and stores: never touches memory past the arrays).
 */
export function mapVectors(f: FunctionBuilder, n: I, pointers: readonly I[], body: (width: number) => void): void {
  const i = f.local('i32');
  f.set(i, f.i32(0));
  stepLoop(f, i, n, 4, () => {
    body(4);
    for (const p of pointers) advance(f, p, 16);
  });
  for (let width = 3; width >= 1; width--) {
    f.ifElse(f.eq(f.sub(f.get(n), f.get(i)), f.i32(width)), () => body(width));
  }
}

/** acc0 += lanes 0–1 of v squared, acc1 += lanes 2–3 squared, in float64 (exact products, rounded sums); clobbers t. */
export function addSquaresF64(f: FunctionBuilder, acc0: V, acc1: V, v: V, t: V): void {
  f.set(t, f.f64x2PromoteLowF32x4(f.get(v)));
  f.set(acc0, f.f64x2Add(f.get(acc0), f.f64x2Mul(f.get(t), f.get(t))));
  f.set(t, f.f64x2PromoteLowF32x4(f.shuffle32(f.get(v), f.get(v), [2, 3, 2, 3])));
  f.set(acc1, f.f64x2Add(f.get(acc1), f.f64x2Mul(f.get(t), f.get(t))));
}

/** The four float64 lanes of acc0 and acc1 summed (lane order fixed: deterministic). */
export function sumF64Lanes(f: FunctionBuilder, acc0: V, acc1: V): Expr<'f64'> {
  f.set(acc0, f.f64x2Add(f.get(acc0), f.get(acc1)));
  return f.f64Add(f.f64x2ExtractLane(f.get(acc0), 0), f.f64x2ExtractLane(f.get(acc0), 1));
}

/** `count` i32 parameters (addresses, counts, flags), in order. */
/** `count` values of T as a tuple type, so destructuring them needs no undefined checks. */
export type Tuple<T, N extends number, R extends T[] = []> = number extends N
  ? T[]
  : R['length'] extends N
    ? R
    : Tuple<T, N, [T, ...R]>;

/** `count` new locals of one type, as a tuple. */
export function locals<T extends ValType, N extends number>(f: FunctionBuilder, type: T, count: N): Tuple<Local<T>, N> {
  return Array.from({ length: count }, () => f.local(type)) as Tuple<Local<T>, N>;
}

/** `count` new parameters of one type, as a tuple. */
export function params<T extends ValType, N extends number>(f: FunctionBuilder, type: T, count: N): Tuple<Local<T>, N> {
  return Array.from({ length: count }, () => f.param(type)) as Tuple<Local<T>, N>;
}

export function i32Params<N extends number>(f: FunctionBuilder, count: N): Tuple<I, N> {
  return Array.from({ length: count }, () => f.param('i32')) as Tuple<I, N>;
}

export function i32Locals<N extends number>(f: FunctionBuilder, count: N): Tuple<I, N> {
  return Array.from({ length: count }, () => f.local('i32')) as Tuple<I, N>;
}
