/**
 * The data export: the model as a CSV table (one row per step) or as JSON, and the file names offered in the save
 * dialog. Pure (unit-tested); the host writes the file.
 */
import type { Num, PlotModel } from '../src/protocol/plots';

/**
 * One row per step that has any value: step, loss, accuracy, then per layer its gradient norm and, where the
 * layer has them, its saturated / dead fractions, gate saturations and dead-filter count. Empty cells where a step has no value (the loss is kept
 * every step, the per-layer statistics only on recorded steps).
 */
export function modelToCsv(model: PlotModel): string {
  const columns: { header: string; at: Map<number, Num> }[] = [
    { header: 'loss', at: curveMap(model.loss.steps, model.loss.values) },
  ];
  if (model.accuracy.steps.length > 0)
    columns.push({ header: 'accuracy', at: curveMap(model.accuracy.steps, model.accuracy.values) });
  for (const layer of model.layers) {
    const perStep = [
      ['gradNorm', layer.gradNorm],
      ['saturatedFraction', layer.saturatedFraction],
      ['deadFraction', layer.deadFraction],
    ] as const;
    for (const [metric, values] of perStep) {
      if (values.length > 0)
        columns.push({ header: `${metric} ${layer.path}`, at: curveMap(model.recordedSteps, values) });
    }
    // LSTM/GRU gates and conv dead filters are per recorded step too; the gradient through time (per time step)
    // does not fit a per-step table and is in the JSON export.
    for (const [gate, values] of Object.entries(layer.gateSaturation ?? {}))
      columns.push({ header: `gateSaturation.${gate} ${layer.path}`, at: curveMap(model.recordedSteps, values) });
    if (layer.channels)
      columns.push({
        header: `deadFilters ${layer.path}`,
        at: curveMap(model.recordedSteps, layer.channels.deadCount),
      });
  }
  const steps = [...new Set([...model.loss.steps, ...model.recordedSteps])].sort((a, b) => a - b);
  const lines = [['step', ...columns.map((c) => c.header)].map(csvField).join(',')];
  for (const step of steps) lines.push([String(step), ...columns.map((c) => formatCell(c.at.get(step)))].join(','));
  return `${lines.join('\n')}\n`;
}

export function modelToJson(model: PlotModel): string {
  return `${JSON.stringify(model, null, 2)}\n`;
}

/** "deep-sigmoid-gradient-norm-over-steps.png": the spec's name and what is in the file, safe as a file name. */
export function exportFileName(model: PlotModel | null, what: string, extension: 'csv' | 'json' | 'png'): string {
  const base = [model?.name || 'vgnet', what].filter((s) => s.length > 0).join('-');
  const safe = base
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-.]+|-+$/g, '');
  return `${safe.slice(0, 120) || 'vgnet'}.${extension}`;
}

function curveMap(steps: readonly number[], values: readonly Num[]): Map<number, Num> {
  return new Map(steps.map((s, i) => [s, values[i] ?? null]));
}

function formatCell(v: Num | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

/** RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
