/**
 * Small code-generation helpers shared by the block kernels: loops, multiply-add, and lane-exact partial
 * loads/stores (so edge tiles never touch memory outside their operands).
 */
import type { Expr, FunctionBuilder, Local } from './emitter';

/** Multiply-add flavour: separate mul and add (baseline SIMD), or the relaxed-SIMD form that may fuse (FMA). */
export interface CodegenOptions { fusedMultiplyAdd: boolean }

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
  f.ifElse(f.leS(f.add(f.get(counter), f.i32(step)), f.get(limit)), () => f.doWhile(
    () => { body(); advance(f, counter, step); },
    () => f.leS(f.add(f.get(counter), f.i32(step)), f.get(limit)),
  ));
}
