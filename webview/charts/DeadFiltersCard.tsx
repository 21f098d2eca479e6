/**
 * Dead filters of the conv layers over training: the number of filters whose ReLU output is 0 at every position of
 * every probe sample (one line per conv layer), and under it, per layer, a filter × step strip (a row per filter,
 * a column per recorded step, filled where the filter is dead). A filter that dies passes no gradient again.
 */
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type uPlot from 'uplot';
import type { PlotModel } from '../../src/protocol/plots';
import { formatValue } from '../numbers';
import { useUplot } from '../hooks/useUplot';
import { convLabel, deadCells, deadCountColumns, type ConvLayer } from '../layerSeries';
import { withAlpha, type Palette } from '../palette';
import { ChartCard } from './ChartCard';
import { MAX_MARKED_POINTS, Y_AXIS_SIZE, axis, cursorOptions, line, stepXAxis, stepXScale } from './common';
import { exportChartPng } from './exportPng';

export interface DeadFiltersCardProps {
  model: PlotModel;
  layers: ConvLayer[];
  palette: Palette;
  onReveal: (path: string) => void;
}

const TITLE = 'Dead filters over training';

export function DeadFiltersCard({ model, layers, palette, onReveal }: DeadFiltersCardProps) {
  const data = useMemo(() => deadCountColumns(model, layers), [model, layers]);
  // Purple first: the panel's colour of dead units (dead-relu); then distinct colours for further conv layers.
  const colours = [palette.purple, palette.blue, palette.green, palette.orange, palette.yellow, palette.red];
  const legend = layers.map((l, i) => ({ label: convLabel(l), colour: colours[i % colours.length]! }));
  const maxFilters = Math.max(1, ...layers.map((l) => l.channels.filters));
  const sparse = model.recordedSteps.length <= MAX_MARKED_POINTS;
  const { container, plot } = useUplot(
    () => ({
      scales: { x: stepXScale(() => null), y: { auto: false, range: [0, maxFilters] } },
      axes: [
        stepXAxis(palette),
        axis(palette, {
          label: 'dead filters',
          size: Y_AXIS_SIZE,
          values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')),
        }),
      ],
      series: [
        { label: 'step' },
        ...legend.map((l) =>
          line(l.label, l.colour, {
            value: (_u: uPlot, v: number | null) => formatValue(v),
            ...(sparse ? {} : { points: { show: false } }),
          }),
        ),
      ],
      cursor: cursorOptions(),
    }),
    data as uPlot.AlignedData,
    [palette, legend.map((l) => l.label).join('|'), sparse, maxFilters],
  );

  return (
    <ChartCard
      title={TITLE}
      subtitle="Filters whose output is 0 at every position of every probe sample, per conv layer; below, a row per filter and a column per recorded step, filled where the filter is dead."
      onExportPng={() => exportChartPng(plot.current, model, TITLE, legend, palette)}
    >
      <div class="chart dead-filters" ref={container} />
      {layers.map((layer, i) => (
        <DeadStrip key={layer.path} layer={layer} colour={legend[i]!.colour} palette={palette} onReveal={onReveal} />
      ))}
    </ChartCard>
  );
}

interface DeadStripProps {
  layer: ConvLayer;
  colour: string;
  palette: Palette;
  onReveal: (path: string) => void;
}

/** Height of one filter's row in CSS pixels, and the most a strip may take. */
const ROW_PX = 4;
const MAX_STRIP_PX = 96;

function DeadStrip({ layer, colour, palette, onReveal }: DeadStripProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const c = layer.channels;
  const height = Math.max(8, Math.min(MAX_STRIP_PX, c.filters * ROW_PX));
  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    const draw = (): void => drawStrip(element, layer, height, colour, palette);
    draw();
    const observer = new ResizeObserver(draw);
    observer.observe(element);
    return () => observer.disconnect();
  }, [layer, height, colour, palette]);
  const first = c.stripSteps[0];
  const last = c.stripSteps[c.stripSteps.length - 1];
  return (
    <div class="dead-strip">
      <button
        type="button"
        class="strip-label"
        title={`Reveal ${layer.path} in the editor`}
        onClick={() => onReveal(layer.path)}
      >
        <code>{layer.path}</code> <span class="muted">{layer.description}</span>
      </button>
      <canvas
        ref={canvas}
        style={{ height: `${height}px` }}
        role="img"
        aria-label={`${layer.path}: dead filters (rows, ${c.filters}) over recorded steps (columns, ${first ?? '–'} to ${last ?? '–'})`}
      />
      <div class="strip-axis muted">
        <span>step {first ?? '–'}</span>
        <span>filters 0…{c.filters - 1} top to bottom</span>
        <span>step {last ?? '–'}</span>
      </div>
    </div>
  );
}

function drawStrip(element: HTMLCanvasElement, layer: ConvLayer, height: number, colour: string, p: Palette): void {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, element.clientWidth);
  element.width = Math.round(width * ratio);
  element.height = Math.round(height * ratio);
  const ctx = element.getContext('2d');
  if (!ctx) return;
  const c = layer.channels;
  const cellW = element.width / Math.max(1, c.stripSteps.length);
  const cellH = element.height / Math.max(1, c.filters);
  ctx.fillStyle = withAlpha(p.muted, 0.12);
  ctx.fillRect(0, 0, element.width, element.height);
  ctx.fillStyle = colour;
  // Cells drawn a hair wider than their slot so adjacent dead cells join without seams.
  for (const [x, filter] of deadCells(c)) ctx.fillRect(x * cellW, filter * cellH, cellW + 0.5, cellH + 0.5);
}
