/**
 * Small uPlot plugins: threshold bands, a highlighted layer, a highlighted series, and a click (not a drag) on the
 * plot. Each reads what it draws through a getter, so a change needs only `redraw()`, not a new chart.
 * Drawing happens in the drawClear hook, after the scales are set and before the grid and series: behind the data.
 */
import uPlot from 'uplot';

export interface Band {
  /** The band covers y from `from` to `to` (null: the plot's edge). */
  from: number | null;
  to: number | null;
  fill: string;
  /** The threshold line drawn at the band's inner edge, and its label. */
  line: string;
  label: string;
}

export function bandsPlugin(bands: () => readonly Band[], font: () => string): uPlot.Plugin {
  return {
    hooks: {
      drawClear: (u) => {
        const { ctx } = u;
        const { left, top, width, height } = u.bbox;
        ctx.save();
        for (const band of bands()) {
          const y0 = band.from === null ? top + height : clampY(u, band.from);
          const y1 = band.to === null ? top : clampY(u, band.to);
          ctx.fillStyle = band.fill;
          ctx.fillRect(left, Math.min(y0, y1), width, Math.abs(y0 - y1));
          const edge = band.from === null ? y1 : y0;
          drawThresholdLine(ctx, left, width, edge, band.line);
          ctx.fillStyle = band.line;
          ctx.font = font();
          ctx.textAlign = 'left';
          ctx.textBaseline = band.from === null ? 'top' : 'bottom';
          ctx.fillText(band.label, left + 6 * uPlot.pxRatio, edge + (band.from === null ? 4 : -4) * uPlot.pxRatio);
        }
        ctx.restore();
      },
    },
  };
}

function clampY(u: uPlot, value: number): number {
  const y = u.valToPos(value, 'y', true);
  return Math.min(u.bbox.top + u.bbox.height, Math.max(u.bbox.top, y));
}

function drawThresholdLine(ctx: CanvasRenderingContext2D, left: number, width: number, y: number, color: string): void {
  ctx.strokeStyle = color;
  ctx.lineWidth = uPlot.pxRatio;
  ctx.setLineDash([4 * uPlot.pxRatio, 3 * uPlot.pxRatio]);
  ctx.beginPath();
  ctx.moveTo(left, y);
  ctx.lineTo(left + width, y);
  ctx.stroke();
  ctx.setLineDash([]);
}

/** A vertical band behind x = position (a layer selected in the editor). */
export function markerPlugin(position: () => number | null, color: () => string): uPlot.Plugin {
  return {
    hooks: {
      drawClear: (u) => {
        const x = position();
        if (x === null) return;
        const half = Math.max(
          3 * uPlot.pxRatio,
          Math.abs(u.valToPos(x + 0.5, 'x', true) - u.valToPos(x, 'x', true)) * 0.6,
        );
        const centre = u.valToPos(x, 'x', true);
        u.ctx.save();
        u.ctx.fillStyle = color();
        u.ctx.fillRect(centre - half, u.bbox.top, 2 * half, u.bbox.height);
        u.ctx.restore();
      },
    },
  };
}

/** A wide translucent stroke under one series (the layer selected in the editor). */
export function seriesGlowPlugin(seriesIndex: () => number | null, color: () => string): uPlot.Plugin {
  return {
    hooks: {
      drawClear: (u) => {
        const i = seriesIndex();
        const xs = u.data[0];
        const ys = i === null ? undefined : u.data[i];
        if (!ys || !xs) return;
        const { ctx } = u;
        ctx.save();
        ctx.strokeStyle = color();
        ctx.lineWidth = 7 * uPlot.pxRatio;
        ctx.lineJoin = 'round';
        ctx.lineCap = 'round';
        ctx.beginPath();
        let drawing = false;
        for (let k = 0; k < xs.length; k++) {
          const y = ys[k];
          if (y === null || y === undefined) continue;
          const px = u.valToPos(xs[k]!, 'x', true);
          const py = u.valToPos(y, u.series[i!]!.scale ?? 'y', true);
          if (drawing) ctx.lineTo(px, py);
          else ctx.moveTo(px, py);
          drawing = true;
        }
        ctx.stroke();
        ctx.restore();
      },
    },
  };
}

/** Calls onClick for a click on the plot area that did not drag (a drag selects a range to zoom into). */
export function clickPlugin(onClick: (u: uPlot) => void): uPlot.Plugin {
  return {
    hooks: {
      ready: (u) => {
        let down: { x: number; y: number } | null = null;
        u.over.addEventListener('mousedown', (e) => {
          down = { x: e.clientX, y: e.clientY };
        });
        u.over.addEventListener('click', (e) => {
          const moved = down === null ? 0 : Math.hypot(e.clientX - down.x, e.clientY - down.y);
          down = null;
          if (moved < 4) onClick(u);
        });
      },
    },
  };
}
