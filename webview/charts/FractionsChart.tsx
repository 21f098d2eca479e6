/** Saturated (sigmoid/tanh) and dead (ReLU) fraction of each layer's units, at step 0 and at the end, 0–100 %. */
import { useEffect, useMemo } from 'preact/hooks';
import uPlot from 'uplot';
import { formatPercent } from '../numbers';
import { useLatest } from '../hooks/useLatest';
import { useUplot } from '../hooks/useUplot';
import { withAlpha } from '../palette';
import { bandsPlugin, clickPlugin, markerPlugin } from '../plugins';
import { fractionColumns, hasFractions, layerAtPosition } from '../transforms';
import { ChartCard } from './ChartCard';
import { Y_AXIS_SIZE, axis, canvasFont, cursorOptions, layerXAxis, layerXScale, line } from './common';
import { positionOf, type LayerChartProps } from './DepthChart';
import { exportChartPng } from './exportPng';

const TITLE = 'Saturated and dead units';

export function FractionsChart({ model, palette, highlight, onReveal }: LayerChartProps) {
  const present = hasFractions(model);
  const latest = useLatest({ model, highlight, onReveal });
  const percent = (_u: uPlot, v: number | null): string => formatPercent(v);
  // Only the kinds this model has (sigmoid/tanh layers saturate, ReLU layers die): no empty legend entries.
  const series = [
    { label: 'saturated, step 0', colour: palette.yellow, dash: [5, 4], show: present.saturated },
    { label: 'saturated, end', colour: palette.yellow, dash: undefined, show: present.saturated },
    { label: 'dead, step 0', colour: palette.purple, dash: [5, 4], show: present.dead },
    { label: 'dead, end', colour: palette.purple, dash: undefined, show: present.dead },
  ]
    .map((s, column) => ({ ...s, column: column + 1 }))
    .filter((s) => s.show);
  const data = useMemo(() => {
    const columns = fractionColumns(model);
    return [columns[0], ...series.map((s) => columns[s.column]!)];
  }, [model, present.saturated, present.dead]);
  const { container, plot } = useUplot(
    () => ({
      scales: { x: layerXScale(() => latest.current.model.layers.length), y: { auto: false, range: [0, 1] } },
      axes: [
        layerXAxis(palette),
        axis(palette, {
          label: 'fraction of units',
          size: Y_AXIS_SIZE,
          values: (_u, splits) => splits.map((v) => formatPercent(v)),
        }),
      ],
      series: [
        { label: 'layer', value: (_u, x) => latest.current.model.layers[x - 1]?.path ?? '–' },
        ...series.map((s) =>
          line(s.label, s.colour, { ...(s.dash ? { dash: s.dash } : {}), spanGaps: false, value: percent }),
        ),
      ],
      cursor: cursorOptions(false),
      plugins: [
        bandsPlugin(
          () => fractionThresholds(latest.current.model.thresholds, present, palette),
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
    data as uPlot.AlignedData,
    [palette, present.saturated, present.dead],
  );

  useEffect(() => plot.current?.redraw(false), [highlight]);

  if (!present.saturated && !present.dead) return null;
  const legend = series.map((s) => ({ label: s.label, colour: s.colour }));
  return (
    <ChartCard
      title={TITLE}
      subtitle="Share of a layer's units stuck where the activation's derivative is ~0 (|z| > 5 for sigmoid/tanh; output 0 on the whole batch for ReLU)."
      onExportPng={() => exportChartPng(plot.current, model, TITLE, legend, palette)}
    >
      <div class="chart" ref={container} />
    </ChartCard>
  );
}

/** The saturation and dying-ReLU thresholds as lines with empty bands above them. */
function fractionThresholds(
  t: { saturatedFraction: number; deadFraction: number },
  present: { saturated: boolean; dead: boolean },
  p: { yellow: string; purple: string },
) {
  return [
    ...(present.saturated
      ? [
          {
            from: t.saturatedFraction,
            to: null,
            fill: withAlpha(p.yellow, 0.06),
            line: p.yellow,
            label: `saturation  > ${formatPercent(t.saturatedFraction)}`,
          },
        ]
      : []),
    ...(present.dead
      ? [
          {
            from: t.deadFraction,
            to: null,
            fill: withAlpha(p.purple, 0.06),
            line: p.purple,
            label: `dying ReLU  ≥ ${formatPercent(t.deadFraction)}`,
          },
        ]
      : []),
  ];
}
