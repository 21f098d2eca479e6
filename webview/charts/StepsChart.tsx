/**
 * Gradient norm of every weight layer over training, log scale: one series per layer, flagged layers in their
 * finding's colour, the rest muted. Live while a run streams. The legend lists each layer's JSON Pointer, kind and
 * flags; hovering a row or a line focuses it, clicking either reveals the layer in the editor.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import type { PlotModel, PlotProgress } from '../../src/protocol/plots';
import { useLatest } from '../hooks/useLatest';
import { useUplot } from '../hooks/useUplot';
import { layerStroke, withAlpha, type Palette } from '../palette';
import { clickPlugin, seriesGlowPlugin } from '../plugins';
import { stepsView, type StepsView } from '../transforms';
import { ChartCard } from './ChartCard';
import { cursorOptions, logYAxis, logYScale, stepXAxis, stepXScale } from './common';
import { exportChartPng } from './exportPng';
import { LayerLegend } from './LayerLegend';

export interface StepsChartProps {
  model: PlotModel | null;
  progress: PlotProgress | null;
  palette: Palette;
  highlight: string | null;
  onReveal: (path: string) => void;
}

const TITLE = 'Gradient norm over training';

export function StepsChart({ model, progress, palette, highlight, onReveal }: StepsChartProps) {
  const view = useMemo(() => stepsView(model, progress), [model, progress]);
  const [cursorIndex, setCursorIndex] = useState<number | null>(null);
  const latest = useLatest({ view, highlight, onReveal, progress });
  const strokes = view.layers.map((l, i) => layerStroke(palette, l.flags, i, view.layers.length));
  // The series layout (which layers, which colours) decides when the chart must be rebuilt; data alone does not.
  const layoutKey = view.layers.map((l) => `${l.path}:${l.flags.join('+')}`).join('|');
  /** The series uPlot's cursor focused (nearest line), what a click reveals. */
  const focused = useRef<number | null>(null);

  const { container, plot } = useUplot(
    () => ({
      scales: {
        x: stepXScale(() => (latest.current.view.live ? (latest.current.progress?.totalSteps ?? null) : null)),
        y: logYScale(),
      },
      axes: [stepXAxis(palette), logYAxis(palette, '‖∂L/∂W‖')],
      series: [
        { label: 'step' },
        ...view.layers.map((l, i) => ({
          label: l.path,
          stroke: strokes[i]!.stroke,
          width: strokes[i]!.width,
          spanGaps: true,
          points: { show: false },
        })),
      ],
      legend: { show: false },
      focus: { alpha: 0.25 },
      cursor: { ...cursorOptions(), focus: { prox: 16 } },
      hooks: {
        // uPlot passes {focus} here although its typings say Series.
        setSeries: [
          (_u, index, opts) => {
            const focus = (opts as { focus?: boolean }).focus;
            if (focus !== undefined) focused.current = focus ? index : null;
          },
        ],
        setCursor: [(u) => setCursorIndex(u.cursor.idx ?? null)],
      },
      plugins: [
        seriesGlowPlugin(
          () => seriesIndexOf(latest.current.view, latest.current.highlight),
          () => withAlpha(palette.blue, 0.35),
        ),
        clickPlugin(() => {
          const layer = focused.current === null ? undefined : latest.current.view.layers[focused.current - 1];
          if (layer) latest.current.onReveal(layer.path);
        }),
      ],
    }),
    view.columns as uPlot.AlignedData,
    [palette, layoutKey],
  );

  useEffect(() => plot.current?.redraw(false), [highlight]);

  const focus = (index: number | null): void =>
    plot.current?.setSeries(index === null ? null : index + 1, { focus: index !== null });
  const legendItems = view.layers.map((l, i) => ({ label: l.path, colour: strokes[i]!.stroke }));
  return (
    <ChartCard
      title={TITLE}
      wide
      subtitle={subtitleOf(view, progress)}
      onExportPng={() => exportChartPng(plot.current, model, TITLE, legendItems, palette)}
    >
      <div class="chart" ref={container} />
      <LayerLegend
        view={view}
        strokes={strokes}
        palette={palette}
        highlight={highlight}
        valueIndex={cursorIndex}
        onFocus={focus}
        onReveal={onReveal}
      />
    </ChartCard>
  );
}

function subtitleOf(view: StepsView, progress: PlotProgress | null): string {
  if (view.live && progress) return `Training… step ${progress.stepsRun} of ${progress.totalSteps} (live), log scale.`;
  if (view.layers.length === 0) return 'Appears once the model has been trained (VGNet: Analyze Current Model).';
  return 'Weight-gradient norm of each layer at each recorded step, log scale. Drag to zoom, double-click to reset.';
}

export function seriesIndexOf(view: StepsView, path: string | null): number | null {
  const i = path === null ? -1 : view.layers.findIndex((l) => l.path === path);
  return i >= 0 ? i + 1 : null;
}
