/**
 * Chart colours from the theme's --vscode-* variables (VS Code sets them on the page and updates them when the
 * colour theme changes), with fallbacks for a page outside VS Code. Pure: the variables come in through `read`.
 */

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface Palette {
  theme: ThemeKind;
  foreground: string;
  /** Secondary text: axis labels, notes. */
  muted: string;
  grid: string;
  background: string;
  red: string;
  orange: string;
  yellow: string;
  green: string;
  blue: string;
  purple: string;
  fontFamily: string;
  /** Font size in CSS pixels. */
  fontSize: number;
}

/** Each palette entry: the variable it is read from and the fallback (VS Code's Dark Modern values). */
const SOURCES = {
  foreground: ['--vscode-editor-foreground', '#cccccc'],
  muted: ['--vscode-descriptionForeground', '#9d9d9d'],
  grid: ['--vscode-editorWidget-border', '#454545'],
  background: ['--vscode-editor-background', '#1f1f1f'],
  red: ['--vscode-charts-red', '#f14c4c'],
  orange: ['--vscode-charts-orange', '#d18616'],
  yellow: ['--vscode-charts-yellow', '#cca700'],
  green: ['--vscode-charts-green', '#89d185'],
  blue: ['--vscode-charts-blue', '#3794ff'],
  purple: ['--vscode-charts-purple', '#b180d7'],
  fontFamily: ['--vscode-font-family', 'system-ui, sans-serif'],
} as const;

/** Every variable the palette reads (the hook watches these). */
export const PALETTE_VARIABLES: readonly string[] = [
  ...Object.values(SOURCES).map(([name]) => name),
  '--vscode-font-size',
];

export function paletteFrom(read: (variable: string) => string, bodyClasses: string): Palette {
  const value = (key: keyof typeof SOURCES): string => read(SOURCES[key][0]).trim() || SOURCES[key][1];
  // Some themes define chart colours as translucent (Dark Modern: charts.orange is rgba(234, 92, 0, 0.33)): lines
  // and labels need them solid; fills apply their own opacity.
  const chart = (key: keyof typeof SOURCES): string => opaque(value(key));
  const fontSize = Number.parseFloat(read('--vscode-font-size'));
  return {
    theme: themeKind(bodyClasses),
    foreground: value('foreground'),
    muted: value('muted'),
    grid: value('grid'),
    background: value('background'),
    red: chart('red'),
    orange: chart('orange'),
    yellow: chart('yellow'),
    green: chart('green'),
    blue: chart('blue'),
    purple: chart('purple'),
    fontFamily: value('fontFamily'),
    fontSize: Number.isFinite(fontSize) && fontSize > 0 ? fontSize : 13,
  };
}

/** VS Code marks the theme with a class on <body>. */
export function themeKind(bodyClasses: string): ThemeKind {
  const classes = bodyClasses.split(/\s+/);
  if (classes.includes('vscode-high-contrast-light')) return 'high-contrast-light';
  if (classes.includes('vscode-high-contrast')) return 'high-contrast';
  if (classes.includes('vscode-light')) return 'light';
  return 'dark';
}

/**
 * The colour with the given opacity, as rgba(). Accepts #rgb, #rgba, #rrggbb, #rrggbbaa and rgb()/rgba();
 * anything else (a named colour) comes back unchanged.
 */
export function withAlpha(color: string, alpha: number): string {
  const rgb = parseColor(color.trim());
  if (rgb === null) return color;
  const a = Math.min(1, Math.max(0, alpha)) * rgb[3];
  return `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, ${round(a)})`;
}

/** The colour without its transparency, as rgb() (unchanged when it cannot be parsed). */
export function opaque(color: string): string {
  const rgb = parseColor(color.trim());
  return rgb === null ? color : `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
}

function parseColor(color: string): [number, number, number, number] | null {
  const hex = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(color);
  if (hex) {
    let digits = hex[1]!;
    if (digits.length <= 4) digits = [...digits].map((d) => d + d).join('');
    const byte = (i: number): number => Number.parseInt(digits.slice(i, i + 2), 16);
    return [byte(0), byte(2), byte(4), digits.length === 8 ? byte(6) / 255 : 1];
  }
  const fn = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)$/i.exec(color);
  if (fn) {
    const alpha =
      fn[4] === undefined ? 1 : fn[4].endsWith('%') ? Number.parseFloat(fn[4]) / 100 : Number.parseFloat(fn[4]);
    return [Number(fn[1]), Number(fn[2]), Number(fn[3]), alpha];
  }
  return null;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The colour that marks a finding kind, everywhere in the panel. */
export function kindColor(p: Palette, kind: string): string {
  switch (kind) {
    case 'vanishing':
    case 'vanishing-through-time':
      return p.red;
    case 'exploding':
    case 'exploding-through-time':
    case 'divergence':
      return p.orange;
    case 'dead-relu':
      return p.purple;
    case 'saturation':
    case 'gate-saturation':
      return p.yellow;
    case 'poor-init':
      return p.yellow;
    default:
      return p.blue;
  }
}

/**
 * Stroke of layer `index` of `count` in the gradient-over-steps chart: a flagged layer takes its first finding's
 * colour, fading from the first layer (pale) to the last (full), so neighbours stay apart; an unflagged layer is a
 * thin muted line.
 */
export function layerStroke(
  p: Palette,
  flags: readonly string[],
  index: number,
  count: number,
): { stroke: string; width: number } {
  if (flags.length === 0) return { stroke: withAlpha(p.muted, 0.55), width: 1 };
  const depth = count > 1 ? index / (count - 1) : 1;
  return { stroke: withAlpha(kindColor(p, flags[0]!), 0.4 + 0.6 * depth), width: 2 };
}

/** Distinct colours for overlaid runs: the current spec first, then each fix. */
export function runColors(p: Palette): string[] {
  return [p.red, p.green, p.blue, p.purple, p.orange, p.yellow];
}

/** The colour a fraction t ∈ [0, 1] of the way from `from` to `to` (linear in sRGB), as rgb(); `from` if unparsable. */
export function mixColors(from: string, to: string, t: number): string {
  const a = parseColor(from.trim());
  const b = parseColor(to.trim());
  if (a === null || b === null) return from;
  const k = Math.min(1, Math.max(0, t));
  const channel = (i: number): number => Math.round(a[i]! + (b[i]! - a[i]!) * k);
  return `rgb(${channel(0)}, ${channel(1)}, ${channel(2)})`;
}

/**
 * Colour of the i-th of `count` training steps, early to late: the theme's blue through to its yellow, so a
 * curve's colour says when in training it was measured (one colour when there is a single step).
 */
export function stepColor(p: Palette, index: number, count: number): string {
  return mixColors(p.blue, p.yellow, count > 1 ? index / (count - 1) : 1);
}

/** Colours of the gates of an LSTM (input, forget, cell, output) or GRU (reset, update, new), by name. */
export function gateColor(p: Palette, gate: string): string {
  const colours: Record<string, string> = {
    input: p.blue,
    forget: p.red,
    cell: p.green,
    output: p.purple,
    reset: p.orange,
    update: p.blue,
    new: p.green,
  };
  return colours[gate] ?? p.muted;
}
