/** The panel's header: which spec, what the charts show (measured, predicted, live), its findings, data export. */
import type { PlotModel, PlotProgress } from '../src/protocol/plots';
import { kindColor, type Palette } from './palette';

export interface HeaderProps {
  model: PlotModel | null;
  progress: PlotProgress | null;
  palette: Palette;
  onReveal: (path: string) => void;
  onExport: (format: 'csv' | 'json') => void;
}

export function Header({ model, progress, palette, onReveal, onExport }: HeaderProps) {
  return (
    <header class="panel-header">
      <div class="panel-title">
        <h1>{model?.name ?? 'Gradient plots'}</h1>
        <p class="status-line">{statusLine(model, progress)}</p>
        {model?.message ? <p class="note">{model.message}</p> : null}
      </div>
      <div class="panel-actions">
        <button type="button" disabled={!model} onClick={() => onExport('csv')} title="Save the plotted data as CSV">
          Export CSV
        </button>
        <button type="button" disabled={!model} onClick={() => onExport('json')} title="Save the plotted data as JSON">
          Export JSON
        </button>
      </div>
      {model && model.findings.length > 0 ? (
        <ul class="findings" aria-label="Findings">
          {model.findings.map((f, i) => (
            <li key={i}>
              <button
                type="button"
                class="finding-chip"
                title={f.message}
                disabled={f.layers.length === 0}
                onClick={() => f.layers[0] && onReveal(f.layers[0])}
              >
                <span class="dot" style={{ background: kindColor(palette, f.kind) }} />
                {f.title}
                {f.layers.length > 0 ? (
                  <span class="muted"> · {f.layers.length === 1 ? f.layers[0] : `${f.layers.length} layers`}</span>
                ) : null}
                {f.source === 'predicted' ? <span class="muted"> · predicted</span> : null}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </header>
  );
}

function statusLine(model: PlotModel | null, progress: PlotProgress | null): string {
  if (progress && (!model || model.uri === progress.uri))
    return `Training… step ${progress.stepsRun} of ${progress.totalSteps}`;
  if (!model) return '';
  if (model.status === 'invalid') return 'The spec has errors (see the Problems view); nothing to plot.';
  if (!model.measured)
    return 'Static prediction only: save the spec or run "VGNet: Analyze Current Model" to train it and measure.';
  const stopped = model.stopped ? ` — stopped: ${model.stopped}` : '';
  const by = model.engine === null ? '' : ` in a ${model.engine} run (a record)`;
  return `Measured${by} over ${model.stepsRun} training steps, ${model.layers.length} layers${stopped}.`;
}
