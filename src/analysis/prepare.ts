/**
 * From spec text to something the engine can train: parse, validate, apply overrides, load the data.
 * Never throws: every problem comes back as a SpecDiagnostic placed on the node it concerns.
 */
import type { Dataset, ModelConfig } from '../engine/config';
import { parseSpec, type DataSpec, type ParsedSpec, type SpecDiagnostic } from '../spec';
import { loadDataset, type ModelShape, type ShouldStop } from '../spec/data';
import { readParameters } from '../spec/parameters';
import type { FileAccess } from '../spec/types';
import { checkMemory, DEFAULT_MEMORY_BUDGET_MB, MB } from './memory';

export interface PrepareOptions {
  files: FileAccess;
  /** Overrides of training.steps / training.seed (CLI flags, settings). */
  steps?: number | null;
  seed?: number | null;
  /** Specs that need more memory to train are refused (memory.ts); default DEFAULT_MEMORY_BUDGET_MB. */
  memoryBudgetBytes?: number | null;
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
  const budget = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_MB * MB;
  const outputs = outputWidth(config);
  // Before loading: generated data (and its one-hot targets) is sized by the spec alone, a csv file by its lines.
  const tooBig = checkMemory(
    parsed,
    config,
    parsed.data,
    budget,
    csvRowsBound(parsed.data, config, outputs, options.files),
  );
  if (tooBig) return { ok: false, parsed, diagnostics: [tooBig] };
  const shape = {
    input: config.input,
    ...(config.inputShape ? { inputShape: config.inputShape } : {}),
    outputs,
    loss: config.loss,
  };
  const shouldStop = options.shouldStop ?? (() => false);
  const loaded = loadCached(parsed.data, shape, config.training.seed, () =>
    loadDataset(parsed.data!, shape, options.files, config.training.seed, shouldStop),
  );
  if ('stopped' in loaded) return { ok: false, parsed, diagnostics: [], stopped: loaded.stopped };
  if ('error' in loaded) {
    const pointer = loaded.field === 'input' ? '/input' : `/data/${loaded.field}`;
    const where = parsed.locate(pointer) ?? parsed.locate('/data') ?? { offset: 0, length: 0 };
    const diagnostic: SpecDiagnostic = {
      severity: 'error',
      message: loaded.error,
      offset: where.offset,
      length: where.length,
      path: pointer,
      code: 'data',
    };
    return { ok: false, parsed, diagnostics: [diagnostic] };
  }
  const stored = loadParameters(parsed, config, options.files);
  if (stored !== null) return { ok: false, parsed, diagnostics: [stored] };
  // After loading: a csv file's row count is known only now.
  const loadedTooBig = checkMemory(parsed, config, parsed.data, budget, loaded.dataset.samples);
  if (loadedTooBig) return { ok: false, parsed, diagnostics: [loadedTooBig] };
  return { ok: true, parsed, config, dataset: loaded.dataset };
}

/**
 * Generated data sets of the last few runs in this thread, by their data section, model shape and seed: verifying
 * fixes trains many variants of one spec on the same seeds, and a teacher network's data set takes as long to make
 * as a tenth of a short run. Only generated sources (a file may change between runs), only small sets, and shared
 * read-only: nothing downstream writes a Dataset.
 */
const recentDatasets = new Map<string, Dataset>();
const CACHED_DATASETS = 4;
const CACHED_FLOATS = 4_000_000;

function loadCached(
  data: DataSpec,
  shape: ModelShape,
  seed: number,
  load: () => ReturnType<typeof loadDataset>,
): ReturnType<typeof loadDataset> {
  if (data.source === 'csv' || data.path !== null) return load();
  const key = JSON.stringify([data, shape, seed]);
  const hit = recentDatasets.get(key);
  if (hit) return { dataset: hit };
  const loaded = load();
  if ('dataset' in loaded && loaded.dataset.x.length + loaded.dataset.y.length <= CACHED_FLOATS) {
    if (recentDatasets.size >= CACHED_DATASETS) recentDatasets.delete(recentDatasets.keys().next().value!);
    recentDatasets.set(key, loaded.dataset);
  }
  return loaded;
}

/**
 * An upper bound on a csv file's rows (its line breaks), counted before it is parsed, when its one-hot targets can
 * dwarf the file (mse over several outputs: a row of `outputs` floats per line); otherwise undefined.
 */
function csvRowsBound(data: DataSpec, config: ModelConfig, outputs: number, files: FileAccess): number | undefined {
  if (data.source !== 'csv' || config.loss !== 'mse' || outputs < 2 || data.path === null) return undefined;
  const read = files.readText(data.path);
  if ('error' in read) return undefined;
  let lines = 0;
  for (let i = read.text.indexOf('\n'); i >= 0; i = read.text.indexOf('\n', i + 1)) lines++;
  return Math.min(data.samples, lines);
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

/** The spec's `parameters` file into config.initialValues; a diagnostic at the key when it cannot be used. */
function loadParameters(parsed: ParsedSpec, config: ModelConfig, files: FileAccess): SpecDiagnostic | null {
  const node = parsed.nodeAt('/parameters');
  if (node === undefined || node.type !== 'string') return null;
  const file = node.value as string;
  const read = files.readText(file);
  const loaded =
    'error' in read
      ? { error: read.error.replace(/^data (file|path)/, 'parameters $1') }
      : readParameters(read.text, file, config);
  if ('values' in loaded) {
    config.initialValues = loaded.values;
    return null;
  }
  return {
    severity: 'error',
    message: loaded.error,
    offset: node.offset,
    length: node.length,
    path: '/parameters',
    code: 'data',
  };
}
