/**
 * A chart as a PNG: the uPlot canvas (plot, axes, bands) with the chart's title above and its legend below,
 * on the theme's background, at the screen's pixel ratio.
 */
import type uPlot from 'uplot';
import type { Palette } from './palette';

export interface LegendItem {
  label: string;
  colour: string;
}

export function chartToPng(plot: uPlot, title: string, legend: readonly LegendItem[], palette: Palette): string {
  const source = plot.ctx.canvas;
  const scale = source.width / Math.max(1, plot.width);
  const font = (weight: string, size: number): string =>
    `${weight} ${Math.round(size * scale)}px ${palette.fontFamily}`;
  const pad = 12 * scale;
  const line = palette.fontSize * 1.6 * scale;
  const itemWidth = (text: string): number => (20 + 24) * scale + measure(font('normal', palette.fontSize), text);
  const rows = legendRows(legend, source.width, itemWidth);
  const canvas = document.createElement('canvas');
  canvas.width = source.width + 2 * pad;
  canvas.height = pad + line + source.height + rows.length * line + pad;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = palette.foreground;
  ctx.font = font('600', palette.fontSize * 1.1);
  ctx.textBaseline = 'middle';
  ctx.fillText(title, pad, pad + line / 2);
  ctx.drawImage(source, pad, pad + line);
  ctx.font = font('normal', palette.fontSize);
  rows.forEach((row, r) => {
    const y = pad + line + source.height + r * line + line / 2;
    let x = pad;
    for (const item of row) {
      ctx.fillStyle = item.colour;
      ctx.fillRect(x, y - 2 * scale, 14 * scale, 4 * scale);
      ctx.fillStyle = palette.foreground;
      ctx.fillText(item.label, x + 20 * scale, y);
      x += itemWidth(item.label);
    }
  });
  return canvas.toDataURL('image/png');
}

/** Greedy line-wrapping of legend items into rows no wider than `width`. */
function legendRows(items: readonly LegendItem[], width: number, widthOf: (text: string) => number): LegendItem[][] {
  const rows: LegendItem[][] = [];
  let row: LegendItem[] = [];
  let used = 0;
  for (const item of items) {
    const w = widthOf(item.label);
    if (row.length > 0 && used + w > width) {
      rows.push(row);
      row = [];
      used = 0;
    }
    row.push(item);
    used += w;
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

let measuring: CanvasRenderingContext2D | null = null;

function measure(font: string, text: string): number {
  measuring ??= document.createElement('canvas').getContext('2d');
  if (!measuring) return text.length * 7;
  measuring.font = font;
  return measuring.measureText(text).width;
}
