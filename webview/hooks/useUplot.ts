/**
 * One uPlot chart in a container, the way uPlot's demos drive it: created once (again only when `recreateKey`
 * changes: theme, series layout), `setData` for new data, `setSize` when the container's width changes
 * (ResizeObserver, tied to the chart's own lifetime so a chart whose container appears later is watched too),
 * `destroy` on unmount.
 */
import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

/** Chart height for a container width: shorter on narrow panels, never squashed below readability. */
export function chartHeight(width: number): number {
  return Math.round(Math.min(340, Math.max(210, width * 0.6)));
}

export function useUplot(
  options: () => ChartOptions,
  data: uPlot.AlignedData,
  recreateKey: readonly unknown[],
): { container: RefObject<HTMLDivElement | null>; plot: RefObject<uPlot | null> } {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shownData = useRef<uPlot.AlignedData | null>(null);
  const latestData = useRef(data);
  latestData.current = data;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const width = Math.max(200, element.clientWidth);
    const created = new uPlot({ ...options(), width, height: chartHeight(width) }, latestData.current, element);
    plot.current = created;
    shownData.current = latestData.current;
    const stopWatching = watchWidth(element, (w) => created.setSize({ width: w, height: chartHeight(w) }));
    return () => {
      stopWatching();
      created.destroy();
      plot.current = null;
    };
  }, recreateKey);

  useEffect(() => {
    if (plot.current && shownData.current !== data) {
      plot.current.setData(data);
      shownData.current = data;
    }
  }, [data]);

  return { container, plot };
}

/** Calls onWidth when the element's content width changes; returns the function that stops watching. */
function watchWidth(element: HTMLElement, onWidth: (width: number) => void): () => void {
  let last = Math.floor(element.clientWidth);
  const observer = new ResizeObserver((entries) => {
    const width = Math.floor(entries[entries.length - 1]!.contentRect.width);
    // Only the width drives the size; reacting to height would loop (the chart sets its own height).
    if (width === last || width <= 0) return;
    last = width;
    onWidth(width);
  });
  observer.observe(element);
  return () => observer.disconnect();
}
