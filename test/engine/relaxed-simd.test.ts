/**
 * The relaxed-SIMD kernels, the ones the extension host runs: detected where the runtime has relaxed SIMD, within
 * the float32 summation bound of the reference loops, deterministic on one host, and a training run on them records
 * what the baseline kernels record within float32 tolerance.
 */
import './relaxed-simd-flag';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TrainResult } from '../../src/engine/stats';
import { createTrainer, train } from '../../src/engine/train';
import { createWasmKernels, relaxedSimdSupported } from '../../src/engine/wasm/wasm-gemm';
import { BLOCK_SHAPES, expectWasmMatches, MEMORY_BYTES, NAMES } from './gemm-check';
import { dense, modelConfig, optimizer, randomDataset, training } from './helpers';

/** V8 emits vfmadd only on CPUs with FMA3 (every x64 CPU of the last decade; not a given in a VM). */
function cpuHasFma(): boolean {
  try {
    return /\bfma\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

const fused = createWasmKernels(MEMORY_BYTES);
const plain = createWasmKernels(MEMORY_BYTES, { fusedMultiplyAdd: false });

describe('relaxed-SIMD kernels', () => {
  it('are detected and used by default; fusedMultiplyAdd: false keeps the baseline kernels', () => {
    expect(relaxedSimdSupported()).toBe(true);
    expect(fused?.fusedMultiplyAdd).toBe(true);
    expect(plain?.fusedMultiplyAdd).toBe(false);
  });

  it.each(NAMES)('%s matches the reference within the float32 summation bound across blocks and edges', (name) => {
    for (const [m, n, k] of BLOCK_SHAPES) {
      expectWasmMatches(fused!, name, m, n, k, false, 1);
      expectWasmMatches(fused!, name, m, n, k, true, 3);
    }
  });

  it.skipIf(!cpuHasFma())(
    'rounds once per multiply-add: some sums differ from the baseline kernels in the last bits',
    () => {
      const [m, n, k] = [64, 64, 256];
      const results = [fused!, plain!].map((kernels) => {
        const floats = new Float32Array(kernels.memory.buffer, 0, (m + n) * k + m * n);
        for (let i = 0; i < (m + n) * k; i++) floats[i] = Math.sin(i * 0.7311) * 0.9;
        kernels.gemmNT(m, n, k, 0, 4 * m * k, 4 * (m + n) * k);
        return Float32Array.from(floats.subarray((m + n) * k));
      });
      let differing = 0;
      for (let i = 0; i < m * n; i++) if (results[0]![i] !== results[1]![i]) differing++;
      expect(differing).toBeGreaterThan(0);
    },
  );
});

describe('training on the relaxed-SIMD kernels', () => {
  const config = modelConfig(
    6,
    [dense(32, 'tanh'), dense(32, 'sigmoid'), dense(24, 'relu', { name: 'he_normal' }), dense(3)],
    'mse',
    { optimizer: optimizer({ type: 'adam', lr: 0.01 }), training: training({ steps: 30, batchSize: 16, seed: 5 }) },
  );
  const data = randomDataset(11, 64, 6, 'mse', 3);
  const strip = ({ timeMs: _t, ...rest }: TrainResult): Omit<TrainResult, 'timeMs'> => rest;

  it('reports its kernels and is deterministic on one host', () => {
    const trainer = createTrainer(config, data);
    expect([trainer.backend, trainer.fusedMultiplyAdd]).toEqual(['wasm', true]);
    expect(createTrainer(config, data, { fusedMultiplyAdd: false }).fusedMultiplyAdd).toBe(false);
    expect(strip(train(config, data))).toEqual(strip(train(config, data)));
  });

  it('records what the baseline kernels record within float32 tolerance', () => {
    const a = train(config, data);
    const b = train(config, data, { fusedMultiplyAdd: false });
    const close = (x: number, y: number): boolean =>
      (Number.isNaN(x) && Number.isNaN(y)) || Math.abs(x - y) <= 1e-4 * Math.max(Math.abs(x), Math.abs(y)) + 1e-9;
    a.loss.forEach((loss, i) => expect(close(loss, b.loss[i]!), `loss[${i}] ${loss} vs ${b.loss[i]}`).toBe(true));
    a.series.forEach((series, l) =>
      series.gradNorm.forEach((g, i) =>
        expect(close(g, b.series[l]!.gradNorm[i]!), `layer ${l} gradNorm[${i}]`).toBe(true),
      ),
    );
  });
});
