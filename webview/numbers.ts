/** Number formatting for axes, legends and tooltips. Pure (unit-tested). */

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

/** Three significant digits; scientific below 1e-3 and from 1e4 ("3.2e-9"); "–" for a missing value. */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const magnitude = Math.abs(v);
  if (magnitude < 1e-3 || magnitude >= 1e4) {
    const [mantissa, exponent] = v.toExponential(1).split('e');
    return `${mantissa!.replace(/\.0$/, '')}e${Number(exponent)}`;
  }
  return String(Number(v.toPrecision(3)));
}

/**
 * Tick label of a log axis: decades only ("10⁻³", "1", "10", "100"), other ticks unlabelled so many decades
 * stay readable.
 */
export function decadeLabel(v: number): string {
  if (!(v > 0)) return '';
  const exponent = Math.round(Math.log10(v));
  if (Math.abs(Math.log10(v) - exponent) > 1e-9) return '';
  if (exponent >= 0 && exponent <= 3) return String(10 ** exponent);
  return `10${[...String(exponent)].map((c) => SUPERSCRIPT[c] ?? c).join('')}`;
}

/**
 * Ticks of a log axis: whole decades between min and max, every k-th one (aligned on 10⁰) so that at most
 * `maxTicks` remain — grid lines then fall on labelled decades only.
 */
export function decadeSplits(min: number, max: number, maxTicks: number): number[] {
  if (!(min > 0) || !(max > 0) || max < min) return [];
  const lo = Math.ceil(Math.log10(min) - 1e-9);
  const hi = Math.floor(Math.log10(max) + 1e-9);
  const stride = Math.max(1, Math.ceil((hi - lo + 1) / Math.max(1, maxTicks)));
  const splits: number[] = [];
  for (let e = lo; e <= hi; e++) if (e % stride === 0) splits.push(10 ** e);
  return splits;
}

/** Tick label of an axis over layer positions or steps: whole numbers only. */
export function integerLabel(v: number): string {
  return Number.isInteger(v) ? String(v) : '';
}

/** A fraction as a percentage: "73%". */
export function formatPercent(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${Math.round(v * 100)}%`;
}
