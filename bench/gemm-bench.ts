/**
 * Matrix-product microbenchmark: GFLOP/s (2·m·n·k flops per call) of the JavaScript kernels (gemm.ts), the
 * WebAssembly SIMD kernels (wasm/wasm-gemm.ts) and the reference loops, for each shape and each product.
 *   npx esbuild bench/gemm-bench.ts --bundle --platform=node --outfile=/tmp/gemmbench.js && node /tmp/gemmbench.js
 * Optional argument: a substring filter on the row label, e.g. `node /tmp/gemmbench.js 256×256`.
 * The reference loops are timed on at most REF_FLOPS per call (fewer rows of C, same n and k, so the same memory
 * behaviour per flop) to keep the run short on a shared machine.
 */
import { Arena } from '../src/engine/arena';
import { gemmNN, gemmNT, gemmTN } from '../src/engine/gemm';
import { gemmNNRef, gemmNTRef, gemmTNRef } from '../src/engine/gemm-reference';
import { WasmBackend } from '../src/engine/wasm/wasm-backend';
import { CHUNKS, fillRandom, measureGflops } from './gemm-timing';

type Gemm = (
  m: number,
  n: number,
  k: number,
  A: Float32Array,
  B: Float32Array,
  C: Float32Array,
  accumulate?: boolean,
) => void;
type Product = 'NT' | 'NN' | 'TN';

/**
 * [m, n, k]: the sizes the engine sees — hidden layers, a first layer on 784 or on 2 inputs, output layers of 10
 * and of 1 unit (each thin side appears as m, n or k depending on the product).
 */
const SHAPES: ReadonlyArray<readonly [number, number, number]> = [
  [32, 16, 16],
  [128, 64, 64],
  [256, 256, 256],
  [512, 1024, 1024],
  [512, 1024, 784],
  [512, 10, 784],
  [10, 784, 512],
  [512, 784, 10],
  [512, 1, 256],
  [1, 256, 512],
  [512, 256, 1],
  [512, 64, 2],
  [64, 2, 512],
  [512, 2, 64],
];
const REF_FLOPS = 2 ** 26;
const PRODUCTS: Product[] = ['NT', 'NN', 'TN'];
const JS: Record<Product, Gemm> = { NT: gemmNT, NN: gemmNN, TN: gemmTN };
const REFERENCE: Record<Product, Gemm> = { NT: gemmNTRef, NN: gemmNNRef, TN: gemmTNRef };

function wasmGflops(
  backend: WasmBackend | null,
  product: Product,
  m: number,
  n: number,
  k: number,
  A: Float32Array,
  B: Float32Array,
): number {
  if (backend === null) return NaN;
  // Views in the backend's memory: it runs them on the SIMD kernels.
  const arena = new Arena(backend.capacityFloats, backend.buffer);
  const [wa, wb, wc] = [arena.alloc(m * k), arena.alloc(n * k), arena.alloc(m * n)];
  wa.set(A);
  wb.set(B);
  const wasmGemm = backend[`gemm${product}`].bind(backend);
  return measureGflops(2 * m * n * k, () => wasmGemm(m, n, k, wa, wb, wc));
}

function benchShape(product: Product, m: number, n: number, k: number, wasmBackend: WasmBackend | null): string {
  const flops = 2 * m * n * k;
  const A = fillRandom(new Float32Array(m * k), 1);
  const B = fillRandom(new Float32Array(n * k), 2);
  const C = new Float32Array(m * n);
  const js = measureGflops(flops, () => JS[product](m, n, k, A, B, C));
  const wasm = wasmGflops(wasmBackend, product, m, n, k, A, B);
  const fma = wasmGflops(fusedBackend, product, m, n, k, A, B);
  const refRows = Math.max(1, Math.min(m, Math.floor(REF_FLOPS / (2 * n * k))));
  const reference = measureGflops(2 * refRows * n * k, () => REFERENCE[product](refRows, n, k, A, B, C));
  const cell = (value: number): string => value.toFixed(2).padStart(6);
  return (
    `${product}  ${`${m}×${n}×${k}`.padEnd(15)} js ${cell(js)}  wasm ${cell(wasm)}  fma ${cell(fma)}  ref ${cell(reference)}` +
    `   js/ref ${(js / reference).toFixed(1).padStart(4)}×  wasm/ref ${(wasm / reference).toFixed(0).padStart(3)}×`
  );
}

const filter = process.argv[2] ?? '';
const largest = Math.max(...SHAPES.map(([m, n, k]) => m * k + n * k + m * n));
const wasmBackend = WasmBackend.create(largest + 3 * 4, undefined, false);
const fused = WasmBackend.create(largest + 3 * 4, undefined, true);
const fusedBackend = fused?.fusedMultiplyAdd ? fused : null;
console.log(
  `GFLOP/s, one thread, best of ${CHUNKS} chunks; wasm SIMD ${wasmBackend === null ? 'unavailable' : 'on'}, ` +
    `relaxed-SIMD FMA (fma) ${fusedBackend === null ? 'unavailable' : 'on'}; node ${process.version}`,
);
for (const product of PRODUCTS) {
  for (const [m, n, k] of SHAPES) {
    if (`${product}  ${m}×${n}×${k}`.includes(filter)) console.log(benchShape(product, m, n, k, wasmBackend));
  }
}
