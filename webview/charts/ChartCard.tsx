/** A titled card around one chart, with its "PNG" export button. */
import type { ComponentChildren } from 'preact';

export interface ChartCardProps {
  title: string;
  subtitle?: string;
  onExportPng?: () => void;
  /** Spans the whole width of the grid (charts over training steps: the more steps, the more width helps). */
  wide?: boolean | undefined;
  children: ComponentChildren;
}

export function ChartCard({ title, subtitle, onExportPng, wide, children }: ChartCardProps) {
  return (
    <section class={wide ? 'card wide' : 'card'} aria-label={title}>
      <header class="card-header">
        <div class="card-titles">
          <h2>{title}</h2>
          {subtitle ? <p class="subtitle">{subtitle}</p> : null}
        </div>
        {onExportPng ? (
          <button type="button" class="icon-button" title={`Save "${title}" as PNG`} onClick={onExportPng}>
            PNG
          </button>
        ) : null}
      </header>
      {children}
    </section>
  );
}
