/** How numbers and counts are written in messages, the CLI and the editor: short, exact enough, never "NaN". */
export function formatValue(x: number, digits = 2): string {
  if (Number.isNaN(x)) return 'n/a';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e4 || abs < 1e-2) return x.toExponential(digits - 1).replace('e+', 'e');
  return Number(x.toPrecision(digits)).toString();
}

/** 0.853 → "85%", 0.0004 → "<0.1%", 0 → "0%", NaN → "n/a". */
export function formatPercent(fraction: number): string {
  if (Number.isNaN(fraction)) return 'n/a';
  if (fraction === 0) return '0%';
  if (Math.abs(fraction) < 0.001) return '<0.1%';
  return `${Number((fraction * 100).toPrecision(2))}%`;
}

/** "1 layer", "3 layers". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
