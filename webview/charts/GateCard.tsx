/**
 * An LSTM/GRU layer's gate saturation over training: per gate, the fraction of its pre-activations with |z| beyond
 * the saturation threshold (the gate's sigmoid/tanh derivative ~0 there), 0–100 %, with the saturation threshold
 * as a band. A saturated forget/update gate stops the gradient through time.
 */
import { useMemo } from 'preact/hooks';
import uPlot from 'uplot';
import type { PlotModel } from '../../src/protocol/plots';
import { formatPercent } from '../numbers';
import { useLatest } from '../hooks/useLatest';
import { useUplot } from '../hooks/useUplot';
import { gateColumns, gateNames, type GateLayer } from '../layerSeries';
import { gateColor, withAlpha, type Palette } from '../palette';
import { bandsPlugin, clickPlugin } from '../plugins';
import { ChartCard } from './ChartCard';
import { MAX_MARKED_POINTS, Y_AXIS_SIZE, axis, canvasFont, cursorOptions, line, stepXAxis, stepXScale } from './common';
import { exportChartPng } from './exportPng';

export interface GateCardProps {
  model: PlotModel;
  layer: GateLayer;
  palette: Palette;
  onReveal: (path: string) => void;
}

export function GateCard({ model, layer, palette, onReveal }: GateCardProps) {
  const data = useMemo(() => gateColumns(model, layer), [model, layer]);
  const gates = gateNames(layer);
  const latest = useLatest({ model, layer, onReveal });
  const legend = gates.map((gate) => ({ label: `${gate} gate`, colour: gateColor(palette, gate) }));
  const title = `Gate saturation · ${layer.path}`;
  const percent = (_u: uPlot, v: number | null): string => formatPercent(v);
  const sparse = model.recordedSteps.length <= MAX_MARKED_POINTS;
  const { container, plot } = useUplot(
    () => ({
      scales: { x: stepXScale(() => null), y: { auto: false, range: [0, 1] } },
      axes: [
        stepXAxis(palette),
        axis(palette, {
          label: 'saturated pre-activations',
          size: Y_AXIS_SIZE,
          values: (_u, splits) => splits.map((v) => formatPercent(v)),
        }),
      ],
      series: [
        { label: 'step' },
        ...legend.map((g) =>
          line(g.label, g.colour, { value: percent, ...(sparse ? {} : { points: { show: false } }) }),
        ),
      ],
      cursor: cursorOptions(),
      plugins: [
        bandsPlugin(
          () => {
            const threshold = latest.current.model.thresholds.saturatedFraction;
            return [
              {
                from: threshold,
                to: null,
                fill: withAlpha(palette.yellow, 0.06),
                line: palette.yellow,
                label: `saturation  > ${formatPercent(threshold)}`,
              },
            ];
          },
          () => canvasFont(palette, uPlot.pxRatio),
        ),
        clickPlugin(() => latest.current.onReveal(latest.current.layer.path)),
      ],
    }),
    data as uPlot.AlignedData,
    [palette, gates.join(','), sparse],
  );

  return (
    <ChartCard
      title={title}
      subtitle={`${layer.description}: share of each gate's pre-activations (batch × time × units) where its sigmoid or tanh is flat, at each recorded step.`}
      onExportPng={() => exportChartPng(plot.current, model, title, legend, palette)}
    >
      <div class="chart gate-saturation" ref={container} />
    </ChartCard>
  );
}
