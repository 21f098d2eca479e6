/**
 * Gradient norm across depth at step 0 and at the end, relative to the output layer, on a log scale: the
 * vanishing and exploding thresholds are bands, the static prediction a dashed line. A click reveals the layer.
 */
import { useEffect, useMemo } from 'preact/hooks';
import uPlot from 'uplot';
import type { PlotModel } from '../../src/protocol/plots';
import { formatValue } from '../numbers';
import { useLatest } from '../hooks/useLatest';
import { useUplot } from '../hooks/useUplot';
import { withAlpha, type Palette } from '../palette';
import { bandsPlugin, clickPlugin, markerPlugin, type Band } from '../plugins';
import { depthColumns, layerAtPosition } from '../transforms';
import { ChartCard } from './ChartCard';
import { canvasFont, cursorOptions, layerXAxis, layerXScale, line, logYAxis, logYScale } from './common';
import { exportChartPng } from './exportPng';

export interface LayerChartProps {
  model: PlotModel;
  palette: Palette;
  highlight: string | null;
  onReveal: (path: string) => void;
  wide?: boolean;
}

const TITLE = 'Gradient norm across depth';

export function DepthChart({ model, palette, highlight, onReveal, wide }: LayerChartProps) {
  const data = useMemo(() => depthColumns(model), [model]);
  const latest = useLatest({ model, highlight, onReveal });
  const endStep = model.recordedSteps[model.recordedSteps.length - 1] ?? 0;
  const legend = [
    { label: 'step 0', colour: palette.blue },
    { label: `end (step ${endStep})`, colour: palette.purple },
    { label: 'predicted', colour: palette.foreground },
  ];
  const { container, plot } = useUplot(
    () => ({
      scales: {
        x: layerXScale(() => latest.current.model.layers.length),
        y: logYScale(() => [
          latest.current.model.thresholds.vanishingRatio,
          latest.current.model.thresholds.explodingRatio,
        ]),
      },
      axes: [layerXAxis(palette), logYAxis(palette, '‖∂L/∂W‖ ÷ output layer')],
      series: [
        { label: 'layer', value: (_u, x) => layerLegend(latest.current.model, x) },
        // Step 0 wide and translucent underneath, the end thin on top: both stay visible where they coincide.
        line(legend[0]!.label, withAlpha(palette.blue, 0.6), {
          width: 4,
          points: { show: true, size: 8, fill: withAlpha(palette.blue, 0.6) },
        }),
        line(legend[1]!.label, palette.purple, { width: 1.75 }),
        line(legend[2]!.label, withAlpha(palette.foreground, 0.8), {
          dash: [6, 4],
          width: 1.5,
          points: { show: false },
        }),
      ],
      cursor: cursorOptions(false),
      plugins: [
        bandsPlugin(
          () => ratioBands(latest.current.model, palette),
          () => canvasFont(palette, uPlot.pxRatio),
        ),
        markerPlugin(
          () => positionOf(latest.current.model, latest.current.highlight),
          () => withAlpha(palette.blue, 0.18),
        ),
        clickPlugin((u) => {
          const path = layerAtPosition(latest.current.model, u.data[0][u.cursor.idx ?? -1]);
          if (path) latest.current.onReveal(path);
        }),
      ],
    }),
    data,
    [palette, endStep],
  );

  useEffect(() => plot.current?.redraw(false), [highlight]);

  const reference = model.outputPath ? ` (${model.outputPath})` : '';
  const subtitle = model.measured
    ? `Weight-gradient norm of each layer divided by the output layer's${reference}, log scale. Click a point to reveal its layer.`
    : `Predicted from the initialisation only (not trained yet)${reference}, log scale.`;
  return (
    <ChartCard
      title={TITLE}
      subtitle={subtitle}
      wide={wide}
      onExportPng={() => exportChartPng(plot.current, model, TITLE, legend, palette)}
    >
      <div class="chart" ref={container} />
    </ChartCard>
  );
}

/** Below the vanishing ratio and above the exploding ratio (analysis/thresholds, AutoTrainer's 1e-3 and 70). */
export function ratioBands(model: PlotModel, p: Palette): Band[] {
  const { vanishingRatio, explodingRatio } = model.thresholds;
  return [
    {
      from: null,
      to: vanishingRatio,
      fill: withAlpha(p.red, 0.1),
      line: p.red,
      label: `vanishing  < ${formatValue(vanishingRatio)}`,
    },
    {
      from: explodingRatio,
      to: null,
      fill: withAlpha(p.orange, 0.1),
      line: p.orange,
      label: `exploding  > ${formatValue(explodingRatio)}`,
    },
  ];
}

export function positionOf(model: PlotModel, path: string | null): number | null {
  const index = path === null ? -1 : model.layers.findIndex((l) => l.path === path);
  return index >= 0 ? index + 1 : null;
}

function layerLegend(model: PlotModel, x: number | null): string {
  const layer = x === null ? undefined : model.layers[x - 1];
  return layer ? `${x} ${layer.path} ${layer.description}` : '–';
}
