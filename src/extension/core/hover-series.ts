/**
 * The hover's lines for the series only some layers have (issue 15): a recurrent layer's gradient through time and
 * gate saturation, a conv layer's output shape and dead filters, from the last measured run. Markdown lines; an
 * empty list when the layer has none of them.
 */
import { formatPercent, formatValue } from '../../analysis/wording';
import type { ModelConfig, Shape } from '../../engine/config';
import type { LayerSeries, TrainResult } from '../../engine/stats';
import { modelShapes } from '../../spec';

const DASH = '—';

/** Dead filters named one by one up to this many; past it, only the count. */
const MAX_LISTED_FILTERS = 12;

/**
 * ‖∂L/∂h_t‖ at the first, middle and last time step and the first ÷ last ratio, then each gate's saturated
 * fraction, at the first and the last recorded training step that measured them.
 */
export function throughTimeLines(result: TrainResult, index: number): string[] {
  const s = result.series[index];
  const rows = s?.timeGradNorm ?? [];
  const measured = rows.map((r, i) => (r.length > 0 ? i : -1)).filter((i) => i >= 0);
  if (s === undefined || measured.length === 0) return [];
  const first = measured[0]!;
  const last = measured[measured.length - 1]!;
  const steps = rows[last]!.length;
  const points: [string, number][] = [
    ['first', 0],
    ['middle', Math.floor((steps - 1) / 2)],
    ['last', steps - 1],
  ];
  // Short sequences: a time step named once (T = 2 has no middle).
  const times = points.filter(([, t], k) => points.findIndex(([, u]) => u === t) === k);
  const at = (i: number, t: number): string => number(rows[i]?.[t]);
  const lines = [
    '',
    `**Through time** · ${steps} time steps (measured)`,
    '',
    `| | step ${result.recordedSteps[first]} | end (step ${result.recordedSteps[last]}) |`,
    '|:--|--:|--:|',
    ...times.map(([name, t]) => `| ‖∂L/∂h_t‖ at t = ${t} (${name}) | ${at(first, t)} | ${at(last, t)} |`),
    `| first ÷ last time step | ${number(firstOverLast(rows[first]))} | ${number(firstOverLast(rows[last]))} |`,
  ];
  for (const [gate, values] of Object.entries(s.gateSaturation ?? {}))
    lines.push(`| ${gate} gate saturated | ${percent(values[first])} | ${percent(values[last])} |`);
  return lines;
}

/** The layer's output shape and, with per-filter dead flags, which filters are dead at the start and the end. */
export function convLines(result: TrainResult, index: number): string[] {
  const info = result.layers[index];
  if (info === undefined || (info.kind !== 'conv1d' && info.kind !== 'conv2d')) return [];
  const lines = outputLines(info.outputShape ?? [info.outputWidth]);
  const dead = deadFilters(result.series[index]!);
  if (dead === null) return lines;
  const [start, end] = [dead.at(0), dead.at(dead.rows.length - 1)];
  const listed =
    end.length === 0
      ? ''
      : end.length <= MAX_LISTED_FILTERS
        ? ` (${end.map((f) => `#${f}`).join(', ')})`
        : ` (#${end.slice(0, MAX_LISTED_FILTERS).join(', #')}, …)`;
  lines.push(
    '',
    `**Dead filters** ${end.length} of ${dead.filters} at the end (step ${result.recordedSteps[dead.rows[dead.rows.length - 1]!]})` +
      `${listed}; ${start.length} at step ${result.recordedSteps[dead.rows[0]!]}`,
  );
  return lines;
}

/**
 * Before any run: a layer's per-sample input and output shapes from the spec's resolved config (null without a
 * valid config, or for a pointer that is not a layer).
 */
export function specShapes(config: ModelConfig | null, layer: string): { input: Shape; output: Shape } | null {
  if (config === null) return null;
  try {
    const shapes = modelShapes(config).get(layer);
    return shapes ? { input: shapes.input, output: shapes.output } : null;
  } catch {
    // A config edited into an impossible shape elsewhere: the hover simply has no shapes.
    return null;
  }
}

/** A conv layer's output shape before any run, from the spec (empty for other layers or without shapes). */
export function specConvLines(config: ModelConfig | null, layer: string, kind: string): string[] {
  const shapes = kind === 'conv1d' || kind === 'conv2d' ? specShapes(config, layer) : null;
  return shapes ? outputLines(shapes.output) : [];
}

function outputLines(shape: readonly number[]): string[] {
  return ['', `**Output** ${shapeWords(shape)}`];
}

/** The recorded steps with a full row of per-filter flags, and the dead filters' indices at one of them. */
function deadFilters(s: LayerSeries): { filters: number; rows: number[]; at: (k: number) => number[] } | null {
  const flags = s.channelDead ?? [];
  const filters = Math.max(0, ...flags.map((r) => r.length));
  const rows = flags.map((r, i) => (filters > 0 && r.length === filters ? i : -1)).filter((i) => i >= 0);
  if (rows.length === 0) return null;
  const at = (k: number): number[] => flags[rows[k]!]!.map((v, f) => (v > 0 ? f : -1)).filter((f) => f >= 0);
  return { filters, rows, at };
}

/** "16 × 26 × 26 (filters × height × width)", "16 × 98 (filters × length)". */
function shapeWords(shape: readonly number[]): string {
  const axes = shape.length === 3 ? ' (filters × height × width)' : shape.length === 2 ? ' (filters × length)' : '';
  return `${shape.join(' × ')}${axes}`;
}

function firstOverLast(row: readonly number[] | undefined): number {
  return row && row.length > 0 ? row[0]! / row[row.length - 1]! : NaN;
}

/** A record read from JSON holds null where the run had NaN: both are a dash. */
function number(x: number | null | undefined): string {
  return typeof x !== 'number' || Number.isNaN(x) ? DASH : formatValue(x);
}

function percent(x: number | null | undefined): string {
  return typeof x !== 'number' || Number.isNaN(x) ? DASH : formatPercent(x);
}
