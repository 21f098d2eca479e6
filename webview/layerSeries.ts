/**
 * The recurrent and conv layers' own series → which cards to draw and their uPlot columns: the gradient through
 * time of each recurrent layer, the gate saturation of each LSTM/GRU, the dead filters of the conv layers. Pure
 * and DOM-free (unit-tested). A layer without the field gets no card (older models, other kinds of layers).
 */
import type { Num, PlotLayer, PlotModel, PlotThroughTime } from '../src/protocol/plots';
import { positive, type Columns } from './transforms';

/** A recurrent layer whose gradient through time was measured. */
export type TimeLayer = PlotLayer & { throughTime: PlotThroughTime };
export type GateLayer = PlotLayer & { gateSaturation: Record<string, Num[]> };
export type ConvLayer = PlotLayer & { channels: NonNullable<PlotLayer['channels']> };

export function timeLayers(model: PlotModel): TimeLayer[] {
  return model.layers.filter(
    (l): l is TimeLayer => l.throughTime !== undefined && l.throughTime.trainingSteps.length > 0,
  );
}

export function gateLayers(model: PlotModel): GateLayer[] {
  return model.layers.filter(
    (l): l is GateLayer => l.gateSaturation !== undefined && Object.keys(l.gateSaturation).length > 0,
  );
}

export function convLayers(model: PlotModel): ConvLayer[] {
  return model.layers.filter((l): l is ConvLayer => l.channels !== undefined && l.channels.filters > 0);
}

/** [t = 0 … T−1, ‖∂L/∂h_t‖ at the first training step, …, at the last]: log-safe (non-positive → gap). */
export function timeColumns(t: PlotThroughTime): Columns {
  const length = t.gradNorm[0]?.length ?? 0;
  return [Array.from({ length }, (_, i) => i), ...t.gradNorm.map((row) => row.map(positive))];
}

/** The legend of a through-time chart: one entry per curve, naming its training step, early to late. */
export function timeLegend(t: PlotThroughTime): { label: string; step: number }[] {
  return t.trainingSteps.map((step) => ({ label: `step ${step}`, step }));
}

/**
 * ‖∂L/∂h_0‖ / ‖∂L/∂h_{T−1}‖ at each training step: how much of the gradient reaching the last time step survives
 * back to the first (≪ 1: vanishing through time, ≫ 1: exploding). null where either end is missing or zero.
 */
export function firstOverLast(t: PlotThroughTime): Num[] {
  return t.gradNorm.map((row) => {
    const first = positive(row[0]);
    const last = positive(row[row.length - 1]);
    return first !== null && last !== null ? first / last : null;
  });
}

/** Gate names in the order the engine recorded them (PyTorch's: i, f, g, o / r, z, n). */
export function gateNames(layer: GateLayer): string[] {
  return Object.keys(layer.gateSaturation);
}

/** [recorded step, saturated fraction of each gate]. */
export function gateColumns(model: PlotModel, layer: GateLayer): Columns {
  return [[...model.recordedSteps], ...gateNames(layer).map((g) => [...layer.gateSaturation[g]!])];
}

/** [recorded step, dead filters of each conv layer]. */
export function deadCountColumns(model: PlotModel, layers: readonly ConvLayer[]): Columns {
  return [[...model.recordedSteps], ...layers.map((l) => [...l.channels.deadCount])];
}

/** "/layers/0 (16 filters)": a conv layer in the dead-filter legend. */
export function convLabel(layer: ConvLayer): string {
  const n = layer.channels.filters;
  return `${layer.path} (${n} filter${n === 1 ? '' : 's'})`;
}

/** The cells of a filter × step strip that are dead, as [column (strip step), row (filter)] pairs. */
export function deadCells(channels: ConvLayer['channels']): [number, number][] {
  const cells: [number, number][] = [];
  channels.dead.forEach((column, x) => column.forEach((dead, filter) => dead === 1 && cells.push([x, filter])));
  return cells;
}
