/**
 * Timing of single matrix products (GFLOP/s, 2·m·n·k flops per call), shared by the gemm microbenchmark
 * (gemm-bench.ts) and the one-line gemm summary of `npm run bench`.
 */
import { Arena } from '../src/engine/arena';
import { JS_BACKEND, type Backend } from '../src/engine/backend';
import { WasmBackend } from '../src/engine/wasm/wasm-backend';

export const CHUNKS = 5;
const CHUNK_MS = 60;

export function fillRandom(out: Float32Array, seed: number): Float32Array {
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/**
 * GFLOP/s of `run`: the best of CHUNKS timed chunks (each ≥ CHUNK_MS and ≥ 1 call) after warm-up calls.
 * Best-of rather than mean because the machine is shared: the fastest chunk is the least disturbed one.
 */
export function measureGflops(flopsPerCall: number, run: () => void): number {
  for (let warm = 0; warm < 3; warm++) run(); // also lets WebAssembly tier up from Liftoff to TurboFan
  let best = 0;
  for (let chunk = 0; chunk < CHUNKS; chunk++) {
    let calls = 0;
    const start = performance.now();
    let elapsedMs = 0;
    do {
      run();
      calls++;
      elapsedMs = performance.now() - start;
    } while (elapsedMs < CHUNK_MS);
    best = Math.max(best, (flopsPerCall * calls) / (elapsedMs * 1e6));
  }
  return best;
}

/**
 * "gemm 256×256×256, one thread, …, GFLOP/s: wasm relaxed-SIMD FMA NT 41.0 NN 42.2 TN 40.3; wasm SIMD NT 32.1 …; JS …"
 * Every kernel variant this runtime has, in one run (machines differ by 2×: compare within the line).
 */
export function gemmSummaryLine(size = 256): string {
  const floats = 3 * size * size;
  const fused = WasmBackend.create(floats + 12, undefined, true);
  const variants: Array<[string, Backend | null]> = [
    ...(fused?.fusedMultiplyAdd ? ([['wasm relaxed-SIMD FMA', fused]] as Array<[string, Backend]>) : []),
    ['wasm SIMD', WasmBackend.create(floats + 12, undefined, false)],
    ['JS', JS_BACKEND],
  ];
  const parts: string[] = [];
  for (const [label, backend] of variants) {
    if (backend === null) {
      parts.push(`${label} unavailable`);
      continue;
    }
    const arena =
      backend instanceof WasmBackend ? new Arena(backend.capacityFloats, backend.buffer) : new Arena(floats + 12);
    const [A, B, C] = [
      fillRandom(arena.alloc(size * size), 1),
      fillRandom(arena.alloc(size * size), 2),
      arena.alloc(size * size),
    ];
    const rates = (['gemmNT', 'gemmNN', 'gemmTN'] as const).map((name) => {
      const rate = measureGflops(2 * size ** 3, () => backend[name](size, size, size, A, B, C));
      return `${name.slice(4)} ${rate.toFixed(1)}`;
    });
    parts.push(`${label} ${rates.join(' ')}`);
  }
  return `gemm ${size}×${size}×${size}, one thread, best of ${CHUNKS} × ${CHUNK_MS} ms, GFLOP/s: ${parts.join('; ')}`;
}
