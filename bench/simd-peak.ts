/**
 * The peak of one core for WebAssembly's 128-bit SIMD, the ceiling every gemm kernel of the engine is measured
 * against: a loop of `ACCUMULATORS` independent f32x4 multiply-adds on registers only (no loads, no stores, no
 * dependency shorter than the unrolled chain), as mul + add (baseline SIMD) and as relaxed madd (an FMA where the
 * runtime and the CPU have one). 8 flops per f32x4 multiply-add.
 * `npm run bench` prints it beside the gemm line.
 */
import { encodeModule, FunctionBuilder, type Local } from '../src/engine/wasm/emitter';
import { multiplyAdd } from '../src/engine/wasm/codegen-helpers';

/** Twelve chains: more than latency × throughput (4 × 2 for an FMA, 3 × 2 for an add) on current x64 cores. */
const ACCUMULATORS = 12;
const FLOPS_PER_ITERATION = ACCUMULATORS * 8;

function peakModule(fused: boolean): Uint8Array<ArrayBuffer> {
  const f = new FunctionBuilder();
  const iterations = f.param('i32');
  f.result('f32');
  const i = f.local('i32');
  const x = f.local('v128');
  const y = f.local('v128');
  const acc: Local<'v128'>[] = Array.from({ length: ACCUMULATORS }, () => f.local('v128'));
  f.set(x, f.f32x4Const(1.0000001));
  f.set(y, f.f32x4Const(0.9999999));
  acc.forEach((a, index) => f.set(a, f.f32x4Const(index)));
  f.set(i, f.i32(0));
  f.doWhile(
    () => {
      for (const a of acc) multiplyAdd(f, fused, a, x, y);
      f.set(i, f.add(f.get(i), f.i32(1)));
    },
    () => f.ltS(f.get(i), f.get(iterations)),
  );
  // Every chain reaches the result, so none is dead code.
  let sum = f.get(acc[0]!);
  for (const a of acc.slice(1)) sum = f.f32x4Add(sum, f.get(a));
  f.f32x4ExtractLane(sum, 0);
  return encodeModule([{ name: 'peak', builder: f }]);
}

/** GFLOP/s of the register-only loop, best of five ~50 ms chunks; null when the runtime cannot compile it. */
export function simdPeakGflops(fused: boolean): number | null {
  const bytes = peakModule(fused);
  if (!WebAssembly.validate(bytes)) return null;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  const peak = instance.exports.peak as (iterations: number) => number;
  const iterations = 1 << 20;
  for (let warm = 0; warm < 3; warm++) peak(iterations);
  let best = 0;
  for (let chunk = 0; chunk < 5; chunk++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      peak(iterations);
      calls++;
      elapsed = performance.now() - start;
    } while (elapsed < 50);
    best = Math.max(best, (FLOPS_PER_ITERATION * iterations * calls) / (elapsed * 1e6));
  }
  return best;
}

/** "wasm 128-bit peak, one thread: mul+add 51.2 GFLOP/s, relaxed madd 50.9 GFLOP/s" */
export function simdPeakLine(): string {
  const plain = simdPeakGflops(false);
  const fused = simdPeakGflops(true);
  const cell = (value: number | null): string => (value === null ? 'unavailable' : `${value.toFixed(1)} GFLOP/s`);
  return `wasm 128-bit peak (register-only loop, ${ACCUMULATORS} chains), one thread: mul+add ${cell(plain)}, relaxed madd ${cell(fused)}`;
}
