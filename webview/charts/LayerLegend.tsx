/** The legend of the gradient-over-steps chart: one row per layer with its pointer, kind, flags and value. */
import { formatValue } from '../numbers';
import { kindColor, type Palette } from '../palette';
import type { StepsView } from '../transforms';

export interface LayerLegendProps {
  view: StepsView;
  strokes: readonly { stroke: string; width: number }[];
  palette: Palette;
  highlight: string | null;
  /** Data index under the cursor (null: show the latest value). */
  valueIndex: number | null;
  onFocus: (layer: number | null) => void;
  onReveal: (path: string) => void;
}

export function LayerLegend({ view, strokes, palette, highlight, valueIndex, onFocus, onReveal }: LayerLegendProps) {
  if (view.layers.length === 0) return null;
  const steps = view.columns[0];
  const index = valueIndex ?? steps.length - 1;
  return (
    <>
      <div class="legend-caption">
        {index >= 0 && steps[index] !== undefined ? `values at step ${steps[index]}` : ''}
      </div>
      <div class="layer-legend" onMouseLeave={() => onFocus(null)}>
        {view.layers.map((layer, i) => (
          <button
            type="button"
            key={layer.path}
            class={`legend-row${layer.path === highlight ? ' highlighted' : ''}${layer.flags.length > 0 ? ' flagged' : ''}`}
            title={`Reveal ${layer.path} in the editor`}
            onMouseEnter={() => onFocus(i)}
            onFocus={() => onFocus(i)}
            onClick={() => onReveal(layer.path)}
          >
            <span class="swatch" style={{ background: strokes[i]!.stroke, height: `${strokes[i]!.width + 1}px` }} />
            <code class="pointer">{layer.path}</code>
            <span class="description">{layer.description}</span>
            <span class="flags">
              {layer.flags.map((kind) => (
                <span
                  key={kind}
                  class="flag"
                  style={{ color: kindColor(palette, kind), borderColor: kindColor(palette, kind) }}
                >
                  {kind}
                </span>
              ))}
            </span>
            <span class="value">{formatValue(view.columns[i + 1]?.[index] ?? null)}</span>
          </button>
        ))}
      </div>
    </>
  );
}
