/** Sends a chart to the host as a PNG data URL (the host asks where to save it). */
import type uPlot from 'uplot';
import type { PlotModel } from '../../src/protocol/plots';
import { exportFileName } from '../exportData';
import type { Palette } from '../palette';
import { chartToPng, type LegendItem } from '../png';
import { postToHost } from '../vscode';

export function exportChartPng(
  plot: uPlot | null,
  model: PlotModel | null,
  title: string,
  legend: readonly LegendItem[],
  palette: Palette,
): void {
  if (!plot) return;
  const dataUrl = chartToPng(plot, title, legend, palette);
  postToHost({ type: 'export', format: 'png', fileName: exportFileName(model, title, 'png'), dataUrl });
}
