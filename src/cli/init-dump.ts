/**
 * `--save-init`: the initial parameters and the first mini-batch, so another framework can reproduce step 0 exactly.
 * Dense weights in PyTorch's layout W[out][in]; keyed by the layer's JSON Pointer. Format: docs/cli.md.
 */
import type { ModelConfig } from '../engine/config';
import type { Trainer } from '../engine/train';

export const INIT_FORMAT = 'vgnet-init/1';

export function buildInitDump(file: string, config: ModelConfig, trainer: Trainer): unknown {
  const parameters: Record<string, Record<string, unknown>> = {};
  for (const p of trainer.parameters()) {
    (parameters[p.path] ??= {})[p.name] = reshape(p.data, p.shape);
  }
  const batch = trainer.firstBatch();
  const batchSize = Math.min(config.training.batchSize, batch.x.length / config.input);
  return {
    format: INIT_FORMAT,
    spec: file,
    seed: config.training.seed,
    loss: config.loss,
    parameters,
    batch: {
      x: reshape(batch.x, [batchSize, config.input]),
      y: reshape(batch.y, [batchSize, batch.y.length / batchSize]),
    },
  };
}

/** Row-major flat data → nested arrays of the given shape (1-D stays flat). */
export function reshape(data: Float32Array, shape: number[]): unknown {
  if (shape.length <= 1) return Array.from(data);
  const [rows, ...rest] = shape;
  const size = rest.reduce((a, b) => a * b, 1);
  const out: unknown[] = [];
  for (let r = 0; r < rows!; r++) out.push(reshape(data.subarray(r * size, (r + 1) * size), rest));
  return out;
}
