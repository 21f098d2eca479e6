import { describe, expect, it } from 'vitest';
import { createWasmKernels, relaxedSimdSupported } from '../../src/engine/wasm/wasm-gemm';
import { BLOCK_SHAPES, expectWasmMatches, MEMORY_BYTES, NAMES, SIZES } from './gemm-check';

// Baseline SIMD explicitly: on a runtime with relaxed SIMD the default would be the fused kernels (relaxed-simd.test.ts).
const kernels = createWasmKernels(MEMORY_BYTES, { fusedMultiplyAdd: false });

describe('createWasmKernels', () => {
  it('builds on Node 20 (WebAssembly SIMD available) with a fixed-size memory', () => {
    expect(kernels).not.toBeNull();
    expect(kernels!.scratchByteOffset).toBeGreaterThanOrEqual(MEMORY_BYTES);
    expect(kernels!.memory.buffer.byteLength).toBeGreaterThan(kernels!.scratchByteOffset);
    expect(kernels!.fusedMultiplyAdd).toBe(false);
    // The default uses relaxed SIMD exactly where the runtime has it (Node 20: behind a flag, not set here).
    expect(createWasmKernels(MEMORY_BYTES)!.fusedMultiplyAdd).toBe(relaxedSimdSupported());
    expect(() => kernels!.memory.grow(1)).toThrow(); // maximum = initial: views can never be detached
  });
});

describe.each(NAMES)('wasm %s', (name) => {
  it('matches the reference on every small shape, with and without accumulate', () => {
    for (const m of SIZES) {
      for (const n of SIZES) {
        for (const k of SIZES) expectWasmMatches(kernels!, name, m, n, k, (m * n + k) % 2 === 0, (m + n + k) % 4);
      }
    }
  });

  it.each(BLOCK_SHAPES)('matches the reference across blocks and edges at %i×%i×%i', (m, n, k) => {
    expectWasmMatches(kernels!, name, m, n, k, false, 1);
    expectWasmMatches(kernels!, name, m, n, k, true, 2);
  });
});
