/**
 * Compare: for one finding, the current spec against each of its verified fixes (the fixed spec's own run),
 * overlaid: gradient norm across depth (step 0 or end) and the loss over training.
 */
import { useMemo } from 'preact/hooks';
import uPlot from 'uplot';
import type { PlotFix, PlotModel } from '../../src/protocol/plots';
import { useLatest } from '../hooks/useLatest';
import { useUplot } from '../hooks/useUplot';
import { runColors, withAlpha, type Palette } from '../palette';
import { bandsPlugin } from '../plugins';
import {
  compareDepthColumns,
  compareLossColumns,
  fixesOf,
  joinCurves,
  runsDepthColumns,
  shortTitle,
  type Columns,
} from '../transforms';
import { ChartCard } from './ChartCard';
import {
  Y_AXIS_SIZE,
  axis,
  canvasFont,
  cursorOptions,
  layerXAxis,
  layerXScale,
  line,
  logYAxis,
  logYScale,
  stepXAxis,
} from './common';
import { ratioBands } from './DepthChart';
import { exportChartPng } from './exportPng';

export interface CompareCardProps {
  model: PlotModel;
  palette: Palette;
  /** Findings that have fixes to compare, and the one shown. */
  findings: number[];
  finding: number;
  at: 'start' | 'end';
  onChange: (finding: number, at: 'start' | 'end') => void;
}

export function CompareCard({ model, palette, findings, finding, at, onChange }: CompareCardProps) {
  const fixes = fixesOf(model, finding);
  const legend = runLegend(fixes, palette);
  return (
    <div class="compare">
      <div class="compare-controls">
        <label>
          Compare fixes for{' '}
          <select value={String(finding)} onChange={(e) => onChange(Number((e.target as HTMLSelectElement).value), at)}>
            {findings.map((i) => (
              <option key={i} value={String(i)}>
                {describeFinding(model, i)}
              </option>
            ))}
          </select>
        </label>
        <span class="segmented" role="group" aria-label="Gradient norms at">
          {(['start', 'end'] as const).map((when) => (
            <button key={when} type="button" aria-pressed={at === when} onClick={() => onChange(finding, when)}>
              {when === 'start' ? 'step 0' : 'end of training'}
            </button>
          ))}
        </span>
      </div>
      <ul class="fix-list">
        {fixes.map((fix, i) => (
          <li key={fix.title}>
            <span class="swatch" style={{ background: legend[i + 1]!.colour }} />
            <span class={`status status-${fix.status}`}>
              {fix.status}
              {fix.preferred ? ' · preferred' : ''}
            </span>{' '}
            {fix.title}
            <span class="effect"> — {fix.effect}</span>
          </li>
        ))}
      </ul>
      <CompareDepth
        model={model}
        palette={palette}
        data={useMemo(() => compareDepthColumns(model, finding, at), [model, finding, at])}
        title={`Fixes: gradient norm across depth (${at === 'start' ? 'step 0' : 'end of training'})`}
        legend={legend}
      />
      <CompareLoss
        model={model}
        palette={palette}
        data={useMemo(() => compareLossColumns(model, finding), [model, finding])}
        title="Fixes: loss over training"
        legend={legend}
      />
    </div>
  );
}

export interface EnginesCardProps {
  model: PlotModel;
  palette: Palette;
  at: 'start' | 'end';
  onChange: (at: 'start' | 'end') => void;
}

/** A recorded run (PyTorch's) against VGNet's engine on the same spec: depth profile and loss, overlaid. */
export function EnginesCard({ model, palette, at, onChange }: EnginesCardProps) {
  const reference = model.reference!;
  const colours = runColors(palette);
  const legend = [
    { label: `${model.engine ?? 'recorded'} run`, colour: colours[0]! },
    { label: 'VGNet engine', colour: colours[1 % colours.length]! },
  ];
  const depth = useMemo(() => runsDepthColumns(model, [reference], at), [model, reference, at]);
  const loss = useMemo(() => joinCurves([model.loss, reference.loss]), [model, reference]);
  return (
    <div class="compare">
      <div class="compare-controls">
        <span>{legend[0]!.label} vs VGNet's engine, the same spec</span>
        <span class="segmented" role="group" aria-label="Gradient norms at">
          {(['start', 'end'] as const).map((when) => (
            <button key={when} type="button" aria-pressed={at === when} onClick={() => onChange(when)}>
              {when === 'start' ? 'step 0' : 'end of training'}
            </button>
          ))}
        </span>
      </div>
      <CompareDepth
        model={model}
        palette={palette}
        data={depth}
        title={`Engines: gradient norm across depth (${at === 'start' ? 'step 0' : 'end of training'})`}
        legend={legend}
      />
      <CompareLoss model={model} palette={palette} data={loss} title="Engines: loss over training" legend={legend} />
    </div>
  );
}

interface CompareChartProps {
  model: PlotModel;
  palette: Palette;
  data: Columns;
  title: string;
  legend: { label: string; colour: string }[];
}

function CompareDepth({ model, palette, data, title, legend }: CompareChartProps) {
  const latest = useLatest({ model, count: data[0].length });
  const { container, plot } = useUplot(
    () => ({
      scales: {
        x: layerXScale(() => latest.current.count),
        y: logYScale(() => [
          latest.current.model.thresholds.vanishingRatio,
          latest.current.model.thresholds.explodingRatio,
        ]),
      },
      axes: [layerXAxis(palette, 'layer with weights (depth)'), logYAxis(palette, '‖∂L/∂W‖ ÷ output layer')],
      // The current spec wide and translucent underneath: a fix that changes nothing lies on top of it, visibly.
      series: [
        { label: 'depth' },
        ...legend.map((l, i) =>
          i === 0
            ? line(l.label, withAlpha(l.colour, 0.55), {
                width: 5,
                points: { show: true, size: 8, fill: withAlpha(l.colour, 0.55) },
              })
            : line(l.label, l.colour, { width: 1.5 }),
        ),
      ],
      cursor: cursorOptions(false),
      plugins: [
        bandsPlugin(
          () => ratioBands(latest.current.model, palette),
          () => canvasFont(palette, uPlot.pxRatio),
        ),
      ],
    }),
    data as uPlot.AlignedData,
    [palette, legend.map((l) => l.label).join('|')],
  );
  return (
    <ChartCard title={title} onExportPng={() => exportChartPng(plot.current, model, title, legend, palette)}>
      <div class="chart" ref={container} />
    </ChartCard>
  );
}

function CompareLoss({ model, palette, data, title, legend }: CompareChartProps) {
  const { container, plot } = useUplot(
    () => ({
      scales: { x: { time: false }, y: { auto: true } },
      axes: [stepXAxis(palette), axis(palette, { label: 'loss', size: Y_AXIS_SIZE })],
      series: [
        { label: 'step' },
        ...legend.map((l, i) => line(l.label, l.colour, { width: i === 0 ? 2 : 1.5, points: { show: false } })),
      ],
      cursor: cursorOptions(),
    }),
    data as uPlot.AlignedData,
    [palette, legend.map((l) => l.label).join('|')],
  );
  return (
    <ChartCard title={title} onExportPng={() => exportChartPng(plot.current, model, title, legend, palette)}>
      <div class="chart" ref={container} />
    </ChartCard>
  );
}

/** "current spec", then each fix by a short name, in the run colours. */
function runLegend(fixes: readonly PlotFix[], p: Palette): { label: string; colour: string }[] {
  const colours = runColors(p);
  return [
    { label: 'current spec', colour: colours[0]! },
    ...fixes.map((fix, i) => ({ label: shortTitle(fix.title), colour: colours[(i + 1) % colours.length]! })),
  ];
}

function describeFinding(model: PlotModel, index: number): string {
  const f = model.findings[index]!;
  const layers =
    f.layers.length === 0 ? '' : f.layers.length === 1 ? ` (${f.layers[0]})` : ` (${f.layers.length} layers)`;
  return `${f.title}${layers}`;
}
