/** Loss (left axis; log when it spans more than three decades) and accuracy (right axis, 0–100 %) over steps. */
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import type { PlotModel, PlotProgress } from '../../src/protocol/plots';
import { formatPercent } from '../numbers';
import { useLatest } from '../hooks/useLatest';
import { useUplot } from '../hooks/useUplot';
import type { Palette } from '../palette';
import { lossColumns, lossNeedsLog } from '../transforms';
import { ChartCard } from './ChartCard';
import {
  Y_AXIS_SIZE,
  axis,
  cursorOptions,
  line,
  logYAxis,
  logYScale,
  stepXAxis,
  stepXScale,
  valueFormatter,
} from './common';
import { exportChartPng } from './exportPng';

export interface StepChartProps {
  model: PlotModel | null;
  progress: PlotProgress | null;
  palette: Palette;
}

const TITLE = 'Loss and accuracy';

export function LossChart({ model, progress, palette }: StepChartProps) {
  const columns = useMemo(() => lossColumns(model, progress), [model, progress]);
  const logLoss = lossNeedsLog(columns[1]!);
  const hasAccuracy = columns[2]!.some((v) => v !== null);
  // Without accuracy (regression, or a live run) the chart has one series: no empty legend entry, no right axis.
  const data = useMemo(() => (hasAccuracy ? columns : columns.slice(0, 2)), [columns, hasAccuracy]);
  const legend = [
    { label: 'loss', colour: palette.blue },
    ...(hasAccuracy ? [{ label: 'accuracy', colour: palette.green }] : []),
  ];
  const liveTotal = progress && (!model || model.uri === progress.uri) ? progress.totalSteps : null;
  const latest = useLatest(liveTotal);
  const { container, plot } = useUplot(
    () => ({
      scales: {
        x: stepXScale(() => latest.current),
        loss: logLoss ? logYScale() : { auto: true },
        accuracy: { auto: false, range: [0, 1] },
      },
      axes: [
        stepXAxis(palette),
        logLoss
          ? logYAxis(palette, 'loss', { scale: 'loss' })
          : axis(palette, { scale: 'loss', label: 'loss', size: Y_AXIS_SIZE }),
        ...(hasAccuracy
          ? [
              axis(palette, {
                scale: 'accuracy',
                side: 1,
                label: 'accuracy',
                grid: { show: false },
                values: (_u: uPlot, splits: number[]) => splits.map(formatPercent),
              }),
            ]
          : []),
      ],
      series: [
        { label: 'step' },
        line('loss', palette.blue, { scale: 'loss', width: 1.5, points: { show: false }, value: valueFormatter() }),
        ...(hasAccuracy
          ? [
              line('accuracy', palette.green, {
                scale: 'accuracy',
                width: 1.5,
                points: { show: false },
                value: (_u, v) => formatPercent(v),
              }),
            ]
          : []),
      ],
      cursor: cursorOptions(),
    }),
    data as uPlot.AlignedData,
    [palette, logLoss, hasAccuracy],
  );

  const subtitle =
    liveTotal !== null
      ? 'Training… (live). Loss of each mini-batch before its update.'
      : `Loss of each mini-batch before its update${hasAccuracy ? '; accuracy on the same batch' : ''}${logLoss ? ' (log scale)' : ''}.`;
  return (
    <ChartCard
      title={TITLE}
      subtitle={subtitle}
      wide
      onExportPng={() => exportChartPng(plot.current, model, TITLE, legend, palette)}
    >
      <div class="chart" ref={container} />
    </ChartCard>
  );
}
