/**
 * One seed is not a measurement (issue 14): a spec is trained on k seeds — initialisation, batch order, dropout and
 * generated data drawn anew from each — and a problem is reported when it holds on a majority of them, with how
 * many ("3/3 seeds") and the spread of its number. A problem on a minority of seeds is an info: seed-dependent.
 */
import type { Finding, SeedAgreement } from './findings';
import { formatValue } from './wording';

/** Seeds analysed by default (the spec's seed, then the next ones). */
export const DEFAULT_SEEDS = 3;
/** More seeds than this are refused (each is a full training run). */
export const MAX_SEEDS = 10;

/** The seeds of a k-seed analysis: the spec's (or the override), then the next k − 1 integers. */
export function seedList(base: number, k: number): number[] {
  return Array.from({ length: Math.max(1, Math.min(MAX_SEEDS, Math.floor(k))) }, (_, i) => base + i);
}

/** A finding's headline number: its first layer's value, or its first value. */
export function headline(f: Finding): number {
  const first = f.layers[0];
  if (first !== undefined && f.values[first] !== undefined) return f.values[first]!;
  const values = Object.values(f.values);
  return values.length > 0 ? values[0]! : NaN;
}

/**
 * Combines per-seed findings (index i: seeds[i]'s run). The finding shown for a kind is the first seed's where it
 * held (the first seed is the one the plots show); its message says on how many seeds, with the spread.
 */
export function combineSeeds(perSeed: readonly Finding[][], seeds: readonly number[]): Finding[] {
  const k = perSeed.length;
  if (k === 1) return perSeed[0]!.map((f) => ({ ...f, seeds: agreement([f], 1, seeds) }));
  const kinds: Finding['kind'][] = [];
  for (const findings of perSeed) for (const f of findings) if (!kinds.includes(f.kind)) kinds.push(f.kind);
  const out: Finding[] = [];
  for (const kind of kinds) {
    const held = perSeed.map((findings) => findings.find((f) => f.kind === kind) ?? null);
    const present = held.filter((f): f is Finding => f !== null);
    const shown = present[0]!;
    const seedsOf = agreement(present, k, seeds);
    const majority = present.length * 2 > k;
    const range = spreadWords(seedsOf);
    if (majority) {
      out.push({ ...shown, seeds: seedsOf, message: `${shown.message} (${present.length}/${k} seeds${range})` });
    } else if (shown.severity !== 'info') {
      out.push({
        ...shown,
        severity: 'info',
        seeds: seedsOf,
        message: `on ${present.length} of ${k} seeds only (seed-dependent): ${shown.message}`,
      });
    }
  }
  return out;
}

function agreement(present: Finding[], of: number, seeds: readonly number[]): SeedAgreement {
  const values = present.map(headline).filter((v) => !Number.isNaN(v));
  const spread: [number, number] =
    values.length > 0 ? [Math.min(...values), Math.max(...values)] : [Number.NaN, Number.NaN];
  return { held: present.length, of, seeds: [...seeds], spread };
}

function spreadWords(a: SeedAgreement): string {
  const [lo, hi] = a.spread;
  if (a.held < 2 || !Number.isFinite(lo) || !Number.isFinite(hi) || lo === hi) return '';
  return `; ${formatValue(lo)}–${formatValue(hi)} over them`;
}
