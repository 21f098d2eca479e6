/**
 * Repeated analyses in one process must not accumulate memory: each trainer's WebAssembly memory is released
 * with the trainer (nothing global holds it), and the heap and resident size stay flat over many runs.
 */
import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../src/engine/config';
import { createTrainer, train } from '../../src/engine/train';
import { collectGarbage } from '../../src/node/collect-garbage';
import { dense, modelConfig, randomDataset, training } from './helpers';

/** A few GCs with turns of the event loop between them, so finalizers and deferred frees run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** ~2.7 MB of wasm memory per trainer (arena + kernel scratch). */
function config(): ModelConfig {
  const layers = [dense(256, 'relu', { name: 'he_normal' }), dense(256, 'tanh'), dense(4)];
  return modelConfig(64, layers, 'mse', { training: training({ steps: 3, batchSize: 128, recordEvery: 1 }) });
}

describe('memory across repeated training runs', () => {
  it('releases every trainer’s WebAssembly memory once the trainer is unreachable', async () => {
    const data = randomDataset(1, 256, 64, 'mse', 4);
    let released = 0;
    const registry = new FinalizationRegistry<number>(() => {
      released++;
    });
    const runs = 20;
    // In a plain function: a suspended async frame would keep the last trainer alive.
    const trainAndRegister = (i: number): void => {
      const trainer = createTrainer(config(), data);
      expect(trainer.backend).toBe('wasm');
      while (trainer.step()) {
        /* run */
      }
      registry.register(trainer.model.input.buffer, i);
    };
    for (let i = 0; i < runs; i++) trainAndRegister(i);
    await settle();
    expect(released).toBe(runs);
  });

  it('keeps heap and resident size flat over 150 runs', async () => {
    const data = randomDataset(2, 256, 64, 'mse', 4);
    const usage = async (): Promise<{ heap: number; rss: number; external: number }> => {
      await settle();
      const m = process.memoryUsage();
      return { heap: m.heapUsed / 2 ** 20, rss: m.rss / 2 ** 20, external: (m.external + m.arrayBuffers) / 2 ** 20 };
    };
    for (let i = 0; i < 30; i++) train(config(), data); // warm-up: code, caches, the allocator's pools
    const before = await usage();
    for (let i = 0; i < 150; i++) train(config(), data);
    const after = await usage();
    // 150 leaked trainers would be ≥ 400 MB of wasm memory and several MB of heap.
    expect(after.heap - before.heap).toBeLessThan(3);
    expect(after.external - before.external).toBeLessThan(8);
    expect(after.rss - before.rss).toBeLessThan(40);
  });
});
