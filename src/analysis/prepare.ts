/**
 * From spec text to something the engine can train: parse, validate, apply overrides, load the data.
 * Never throws: every problem comes back as a SpecDiagnostic placed on the node it concerns.
 */
import type { Dataset, ModelConfig } from '../engine/config';
import { parseSpec, type ParsedSpec, type SpecDiagnostic } from '../spec';
import { loadDataset, type ShouldStop } from '../spec/data';
import type { FileAccess } from '../spec/types';

export interface PrepareOptions {
  files: FileAccess;
  /** Overrides of training.steps / training.seed (CLI flags, settings). */
  steps?: number | null;
  seed?: number | null;
  /** Asked while CSV data loads; true ends the load with `stopped` (the analysis's deadline passed). */
  shouldStop?: ShouldStop;
}

export type Prepared =
  | { ok: true; parsed: ParsedSpec; config: ModelConfig; dataset: Dataset }
  | { ok: false; parsed: ParsedSpec; diagnostics: SpecDiagnostic[]; stopped?: string };

export function prepare(text: string, options: PrepareOptions): Prepared {
  const parsed = parseSpec(text);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (parsed.config === null || parsed.data === null || errors.length > 0) {
    return { ok: false, parsed, diagnostics: errors.length > 0 ? errors : parsed.diagnostics };
  }
  const config = withOverrides(parsed.config, options);
  const outputs = outputWidth(config);
  const shape = { input: config.input, outputs, loss: config.loss };
  const shouldStop = options.shouldStop ?? (() => false);
  const loaded = loadDataset(parsed.data, shape, options.files, config.training.seed, shouldStop);
  if ('stopped' in loaded) return { ok: false, parsed, diagnostics: [], stopped: loaded.stopped };
  if ('error' in loaded) {
    const pointer = loaded.field === 'input' ? '/input' : `/data/${loaded.field}`;
    const where = parsed.locate(pointer) ?? parsed.locate('/data') ?? { offset: 0, length: 0 };
    const diagnostic: SpecDiagnostic = {
      severity: 'error', message: loaded.error, offset: where.offset, length: where.length, path: pointer, code: 'data',
    };
    return { ok: false, parsed, diagnostics: [diagnostic] };
  }
  return { ok: true, parsed, config, dataset: loaded.dataset };
}

function withOverrides(config: ModelConfig, options: PrepareOptions): ModelConfig {
  const training = { ...config.training };
  if (options.steps != null) {
    training.steps = options.steps;
    training.recordEvery = Math.max(1, Math.ceil(options.steps / 200));
  }
  if (options.seed != null) training.seed = options.seed;
  return { ...config, training };
}

/** Width of the model's output: the last layer that sets a width (dense, or a residual block's projection). */
export function outputWidth(config: ModelConfig): number {
  let width = config.input;
  const walk = (layers: ModelConfig['layers']): void => {
    for (const layer of layers) {
      if (layer.kind === 'dense') width = layer.units;
      else if (layer.kind === 'residual') walk(layer.layers);
    }
  };
  walk(config.layers);
  return width;
}
