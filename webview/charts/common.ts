/** Option pieces every chart shares: themed axes, a log y scale, the x axis over layers or steps. */
import uPlot from 'uplot';
import { decadeLabel, decadeSplits, formatValue, integerLabel } from '../numbers';
import { withAlpha, type Palette } from '../palette';
import { logRange } from '../transforms';

/** Width of a y axis in CSS pixels: tick labels like "10⁻¹⁰" plus the rotated axis label. */
export const Y_AXIS_SIZE = 58;

export function axisFont(p: Palette, scale = 0.9): string {
  return `${Math.round(p.fontSize * scale)}px ${p.fontFamily}`;
}

/** Canvas font at the device pixel ratio (for text drawn by plugins in canvas pixels). */
export function canvasFont(p: Palette, pxRatio: number): string {
  return `${Math.round(p.fontSize * 0.85 * pxRatio)}px ${p.fontFamily}`;
}

export function axis(p: Palette, extra: uPlot.Axis = {}): uPlot.Axis {
  return {
    stroke: p.muted,
    font: axisFont(p),
    labelFont: axisFont(p),
    grid: { stroke: withAlpha(p.foreground, p.theme.startsWith('high-contrast') ? 0.25 : 0.1), width: 1 },
    ticks: { stroke: withAlpha(p.foreground, 0.2), width: 1, size: 4 },
    ...extra,
  };
}

/** A y axis on a log scale labelled at whole decades; its range always covers `include` (e.g. thresholds). */
export function logYScale(include: () => readonly number[] = () => []): uPlot.Scale {
  return { distr: 3, log: 10, range: (_u, min, max) => logRange(min, max, include()) };
}

export function logYAxis(p: Palette, label: string, extra: uPlot.Axis = {}): uPlot.Axis {
  return axis(p, {
    label,
    size: Y_AXIS_SIZE,
    values: (_u, splits) => splits.map(decadeLabel),
    // One labelled decade per ~20 px of plot height (the chart's height less the x axis; bbox is not final yet
    // when uPlot asks for splits): no minor ticks, no crowding over a dozen decades.
    splits: (u, _axis, min, max) => decadeSplits(min, max, Math.floor((u.height - 50) / 20)),
    // Our splits are already thinned; uPlot's default log filter would thin them a second time.
    filter: (_u, splits) => splits,
    ...extra,
  });
}

/** x over layer positions 1…n, whole numbers only, with half a slot of margin each side. */
export function layerXScale(count: () => number): uPlot.Scale {
  return { time: false, range: () => [0.5, Math.max(1, count()) + 0.5] };
}

export function layerXAxis(p: Palette, label = 'layer (spec order)'): uPlot.Axis {
  return axis(p, {
    label,
    size: 26,
    labelSize: 20,
    values: (_u, splits) => splits.map(integerLabel),
    incrs: [1, 2, 5, 10, 20, 50, 100],
  });
}

/**
 * x over training steps; while a run streams, fixed to the whole run (0 … total − 1) so the curves grow from the
 * left instead of the axis stretching with every update.
 */
export function stepXScale(totalSteps: () => number | null): uPlot.Scale {
  return {
    time: false,
    range: (_u, min, max) => {
      const total = totalSteps();
      if (total !== null && total > 1) return [0, total - 1];
      return min === null || max === null || min === max ? [0, Math.max(1, max ?? 1)] : [min, max];
    },
  };
}

export function stepXAxis(p: Palette): uPlot.Axis {
  return axis(p, { label: 'step', size: 26, labelSize: 20, values: (_u, splits) => splits.map(integerLabel) });
}

/** Cursor with drag-to-zoom along x for charts over steps; none over layers (a handful of fixed positions). */
export function cursorOptions(zoom = true): uPlot.Cursor {
  return { points: { size: 7 }, drag: { x: zoom, y: false, setScale: zoom } };
}

/** Legend values: three significant digits. */
export function valueFormatter(): (u: uPlot, v: number | null) => string {
  return (_u, v) => formatValue(v);
}

/** Points on a line over recorded steps only while they stay apart: past this many they merge into a thick line. */
export const MAX_MARKED_POINTS = 40;

/** The series options of a line with optional dash and points. */
export function line(label: string, stroke: string, extra: uPlot.Series = {}): uPlot.Series {
  return {
    label,
    stroke,
    width: 2,
    spanGaps: true,
    points: { show: true, size: 5, fill: stroke },
    value: valueFormatter(),
    ...extra,
  };
}
