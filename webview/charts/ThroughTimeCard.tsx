/**
 * A recurrent layer's gradient through time: ‖∂L/∂h_t‖ over the time steps t of the sequence, log scale, one line
 * per recorded training step coloured from early (blue) to late (yellow). A gradient that shrinks towards t = 0
 * is the vanishing-through-time problem the layer's hover and findings talk about. A click reveals the layer.
 */
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import type { PlotModel } from '../../src/protocol/plots';
import { formatValue } from '../numbers';
import { useLatest } from '../hooks/useLatest';
import { useUplot } from '../hooks/useUplot';
import { firstOverLast, timeColumns, timeLegend, type TimeLayer } from '../layerSeries';
import { stepColor, type Palette } from '../palette';
import { clickPlugin } from '../plugins';
import { ChartCard } from './ChartCard';
import { axis, cursorOptions, logYAxis, logYScale } from './common';
import { exportChartPng } from './exportPng';

export interface ThroughTimeCardProps {
  model: PlotModel;
  layer: TimeLayer;
  palette: Palette;
  onReveal: (path: string) => void;
}

export function ThroughTimeCard({ model, layer, palette, onReveal }: ThroughTimeCardProps) {
  const t = layer.throughTime;
  const data = useMemo(() => timeColumns(t), [t]);
  const latest = useLatest({ layer, onReveal });
  const legend = timeLegend(t).map((entry, i, all) => ({ ...entry, colour: stepColor(palette, i, all.length) }));
  const title = `Gradient through time · ${layer.path}`;
  // The series (one per training step) decide the chart's layout; new numbers for the same steps only set data.
  const layoutKey = t.trainingSteps.join(',');
  const { container, plot } = useUplot(
    () => ({
      scales: { x: { time: false }, y: logYScale() },
      axes: [
        axis(palette, {
          label: 'time step t',
          size: 26,
          labelSize: 20,
          values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')),
        }),
        logYAxis(palette, '‖∂L/∂h_t‖'),
      ],
      series: [
        { label: 't' },
        ...legend.map((entry) => ({
          label: entry.label,
          stroke: entry.colour,
          width: 1.75,
          spanGaps: true,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => formatValue(v),
        })),
      ],
      legend: { show: false },
      cursor: cursorOptions(),
      plugins: [clickPlugin(() => latest.current.onReveal(latest.current.layer.path))],
    }),
    data as uPlot.AlignedData,
    [palette, layoutKey],
  );

  return (
    <ChartCard
      title={title}
      subtitle={subtitleOf(layer)}
      onExportPng={() => exportChartPng(plot.current, model, title, legend, palette)}
    >
      <div class="chart through-time" ref={container} />
      <div class="step-legend" aria-label="training steps, early to late">
        {legend.map((entry) => (
          <span class="step-chip" key={entry.step}>
            <span class="swatch" style={{ background: entry.colour }} />
            {entry.label}
          </span>
        ))}
      </div>
    </ChartCard>
  );
}

function subtitleOf(layer: TimeLayer): string {
  const ratios = firstOverLast(layer.throughTime);
  const steps = layer.throughTime.trainingSteps;
  const first = ratios[0] ?? null;
  const last = ratios[ratios.length - 1] ?? null;
  const at = (ratio: number | null, step: number | undefined): string => `${formatValue(ratio)} at step ${step}`;
  const ratio = steps.length > 1 ? `${at(first, steps[0])}, ${at(last, steps[steps.length - 1])}` : at(first, steps[0]);
  return (
    `${layer.description}: the gradient reaching each time step, one line per training step, log scale. ` +
    `First ÷ last time step: ${ratio}.`
  );
}
