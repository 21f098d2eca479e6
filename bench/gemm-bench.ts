/**
 * Matrix-product microbenchmark: GFLOP/s (2·m·n·k flops per call) of the JavaScript kernels (gemm.ts), the
 * WebAssembly SIMD kernels (wasm/wasm-gemm.ts) and the reference loops, for each shape and each product.
 *   npx esbuild bench/gemm-bench.ts --bundle --platform=node --outfile=/tmp/gemmbench.js && node /tmp/gemmbench.js
 * Optional argument: a substring filter on the row label, e.g. `node /tmp/gemmbench.js 256×256`.
 * The reference loops are timed on at most REF_FLOPS per call (fewer rows of C, same n and k, so the same memory
 * behaviour per flop) to keep the run short on a shared machine.
 */
import { Arena } from '../src/engine/arena';
import { gemmNN, gemmNT, gemmTN, setWasmKernels } from '../src/engine/gemm';
import { gemmNNRef, gemmNTRef, gemmTNRef } from '../src/engine/gemm-reference';
import { createWasmKernels, type WasmKernels } from '../src/engine/wasm/wasm-gemm';

type Gemm = (m: number, n: number, k: number, A: Float32Array, B: Float32Array, C: Float32Array, accumulate?: boolean) => void;
type Product = 'NT' | 'NN' | 'TN';

/**
 * [m, n, k]: the sizes the engine sees — hidden layers, a first layer on 784 or on 2 inputs, output layers of 10
 * and of 1 unit (each thin side appears as m, n or k depending on the product).
 */
const SHAPES: ReadonlyArray<readonly [number, number, number]> = [
  [32, 16, 16], [128, 64, 64], [256, 256, 256], [512, 1024, 1024], [512, 1024, 784],
  [512, 10, 784], [10, 784, 512], [512, 784, 10], [512, 1, 256], [1, 256, 512], [512, 256, 1],
  [512, 64, 2], [64, 2, 512], [512, 2, 64],
];
const CHUNKS = 5;
const CHUNK_MS = 60;
const REF_FLOPS = 2 ** 26;
const PRODUCTS: Product[] = ['NT', 'NN', 'TN'];
const JS: Record<Product, Gemm> = { NT: gemmNT, NN: gemmNN, TN: gemmTN };
const REFERENCE: Record<Product, Gemm> = { NT: gemmNTRef, NN: gemmNNRef, TN: gemmTNRef };

function fillRandom(out: Float32Array, seed: number): Float32Array {
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
function measureGflops(flopsPerCall: number, run: () => void): number {
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

function benchShape(product: Product, m: number, n: number, k: number, kernels: WasmKernels | null): string {
  const flops = 2 * m * n * k;
  const A = fillRandom(new Float32Array(m * k), 1);
  const B = fillRandom(new Float32Array(n * k), 2);
  const C = new Float32Array(m * n);
  const js = measureGflops(flops, () => JS[product](m, n, k, A, B, C));
  let wasm = NaN;
  if (kernels !== null) {
    // Views in the wasm memory: gemm.ts routes them to the SIMD kernels.
    const arena = new Arena(kernels.memory.buffer.byteLength / 4, kernels.memory.buffer);
    const [wa, wb, wc] = [arena.alloc(m * k), arena.alloc(n * k), arena.alloc(m * n)];
    wa.set(A);
    wb.set(B);
    wasm = measureGflops(flops, () => JS[product](m, n, k, wa, wb, wc));
  }
  const refRows = Math.max(1, Math.min(m, Math.floor(REF_FLOPS / (2 * n * k))));
  const reference = measureGflops(2 * refRows * n * k, () => REFERENCE[product](refRows, n, k, A, B, C));
  const cell = (value: number): string => value.toFixed(2).padStart(6);
  return `${product}  ${`${m}×${n}×${k}`.padEnd(15)} js ${cell(js)}  wasm ${cell(wasm)}  ref ${cell(reference)}` +
    `   js/ref ${(js / reference).toFixed(1).padStart(4)}×  wasm/ref ${(wasm / reference).toFixed(0).padStart(3)}×`;
}

const filter = process.argv[2] ?? '';
const largest = Math.max(...SHAPES.map(([m, n, k]) => m * k + n * k + m * n));
const kernels = createWasmKernels(4 * largest + 3 * 16);
setWasmKernels(kernels);
console.log(`GFLOP/s, one thread, best of ${CHUNKS} chunks; wasm SIMD ${kernels === null ? 'unavailable' : 'on'}`);
for (const product of PRODUCTS) {
  for (const [m, n, k] of SHAPES) {
    if (`${product}  ${m}×${n}×${k}`.includes(filter)) console.log(benchShape(product, m, n, k, kernels));
  }
}
