#!/usr/bin/env node
/**
 * Writes examples/data/wine-small.csv: a synthetic stand-in for the UCI Wine data (178 wines, 3 cultivars),
 * so the CSV example needs no download. Each cultivar is a gaussian cluster with per-class means and standard
 * deviations close to the published class summaries, and correlated features (a shared within-class correlation
 * matrix, applied through its Cholesky factor). Deterministic: a fixed seed, its own small PRNG (mulberry32).
 *
 * Usage: node scripts/make-example-csv.mjs [output path]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEED = 20240601;

/** Columns written, with decimals and a floor (none of these measurements can be ≤ 0). */
const FEATURES = [
  { name: 'alcohol', decimals: 2, floor: 10 },
  { name: 'malic_acid', decimals: 2, floor: 0.7 },
  { name: 'ash', decimals: 2, floor: 1.3 },
  { name: 'magnesium', decimals: 0, floor: 70 },
  { name: 'flavanoids', decimals: 2, floor: 0.3 },
  { name: 'color_intensity', decimals: 2, floor: 1.2 },
];

/** Per cultivar: sample count, means and standard deviations in FEATURES order. */
const CULTIVARS = [
  { label: 1, count: 59, mean: [13.74, 2.01, 2.46, 106.3, 2.98, 5.53], std: [0.46, 0.69, 0.23, 10.5, 0.4, 1.24] },
  { label: 2, count: 71, mean: [12.28, 1.93, 2.24, 94.5, 2.08, 3.09], std: [0.54, 1.02, 0.32, 16.8, 0.71, 0.93] },
  { label: 3, count: 48, mean: [13.15, 3.33, 2.44, 99.3, 0.78, 7.4], std: [0.53, 1.09, 0.18, 10.9, 0.29, 2.31] },
];

/** Within-class correlations (symmetric, positive definite): alcohol–colour, ash–magnesium, malic–flavanoids… */
const CORRELATION = [
  [1.0, 0.1, 0.15, 0.2, 0.1, 0.45],
  [0.1, 1.0, 0.1, 0.0, -0.3, 0.25],
  [0.15, 0.1, 1.0, 0.3, 0.1, 0.1],
  [0.2, 0.0, 0.3, 1.0, 0.1, 0.15],
  [0.1, -0.3, 0.1, 0.1, 1.0, -0.1],
  [0.45, 0.25, 0.1, 0.15, -0.1, 1.0],
];

/** mulberry32: a tiny 32-bit PRNG, uniform in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by Box–Muller. */
function normal(uniform) {
  let u = 0;
  while (u === 0) u = uniform();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
}

/** Lower-triangular L with L·Lᵀ = matrix (Cholesky–Banachiewicz). */
function cholesky(matrix) {
  const n = matrix.length;
  const lower = matrix.map(() => new Array(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i][j];
      for (let k = 0; k < j; k++) sum -= lower[i][k] * lower[j][k];
      if (i === j) {
        if (sum <= 0) throw new Error('correlation matrix is not positive definite');
        lower[i][i] = Math.sqrt(sum);
      } else {
        lower[i][j] = sum / lower[j][j];
      }
    }
  }
  return lower;
}

/** One wine of a cultivar: mean + std ⊙ (L·z), z ~ N(0, I), so the features have correlation L·Lᵀ. */
function sampleWine(cultivar, lower, uniform) {
  const z = FEATURES.map(() => normal(uniform));
  return FEATURES.map((feature, i) => {
    let correlated = 0;
    for (let k = 0; k <= i; k++) correlated += lower[i][k] * z[k];
    const value = Math.max(feature.floor, cultivar.mean[i] + cultivar.std[i] * correlated);
    return value.toFixed(feature.decimals);
  });
}

function makeRows() {
  const uniform = mulberry32(SEED);
  const lower = cholesky(CORRELATION);
  const rows = [];
  for (const cultivar of CULTIVARS) {
    for (let n = 0; n < cultivar.count; n++) {
      rows.push([...sampleWine(cultivar, lower, uniform), String(cultivar.label)]);
    }
  }
  // Fisher–Yates, so "the first N rows" still holds every cultivar.
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  return rows;
}

const here = dirname(fileURLToPath(import.meta.url));
const output = resolve(process.argv[2] ?? resolve(here, '../examples/data/wine-small.csv'));
const header = [...FEATURES.map((feature) => feature.name), 'class'];
const text = [header, ...makeRows()].map((row) => row.join(',')).join('\n') + '\n';
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, text);
console.log(`wrote ${output}`);
