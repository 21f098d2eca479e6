/**
 * PlotModel (and live progress) → uPlot columnar data: [xs, ys1, ys2, …], one array per series, all of the same
 * length. Pure and DOM-free (unit-tested). Every series meant for a log axis goes through `positive`: a log scale
 * has no place for 0, negatives or non-finite values, so those become gaps (null).
 */
import type { Num, PlotCurve, PlotFix, PlotModel, PlotProgress, PlotRunDigest } from '../src/protocol/plots';

/** uPlot's aligned data: the x values, then one y array per series. */
export type Columns = [number[], ...Num[][]];

export function positive(v: Num | undefined): Num {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
}

/** a / b for a log axis: null unless both are positive and finite. */
export function ratio(a: Num | undefined, b: Num | undefined): Num {
  const x = positive(a);
  const y = positive(b);
  return x !== null && y !== null ? positive(x / y) : null;
}

/**
 * The model to show when `incoming` arrives. A measured model stays in place of a static one of the same spec and
 * the same text (the fingerprints agree): after a window reload the extension knows only the static analysis,
 * while the webview's saved state still holds the measured one. Anything else replaces it.
 */
export function chooseModel(current: PlotModel | null, incoming: PlotModel): PlotModel {
  const keep =
    current !== null &&
    current.measured &&
    !incoming.measured &&
    current.uri === incoming.uri &&
    current.textHash !== null &&
    current.textHash === incoming.textHash;
  return keep ? current : incoming;
}

/** 1-based positions of the model's layers: the shared x axis of every per-layer chart. */
export function layerPositions(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1);
}

/** The layer drawn at x (1-based), if any. */
export function layerAtPosition(model: PlotModel, x: number | null | undefined): string | null {
  if (x === null || x === undefined || !Number.isInteger(x)) return null;
  return model.layers[x - 1]?.path ?? null;
}

/**
 * Gradient norm across depth, relative to the output layer's at the same step: [x, step 0, end, predicted].
 * Ratios (not raw norms) so the vanishing/exploding thresholds are horizontal lines and the static prediction,
 * which is itself a ratio, sits on the same axis.
 */
export function depthColumns(model: PlotModel): Columns {
  const out = model.layers.find((l) => l.path === model.outputPath);
  const last = model.recordedSteps.length - 1;
  const xs = layerPositions(model.layers.length);
  const start = model.layers.map((l) => ratio(l.gradNorm[0], out?.gradNorm[0]));
  const end = model.layers.map((l) => ratio(l.gradNorm[last], out?.gradNorm[last]));
  const predicted = model.layers.map((l) => positive(l.predictedRatio));
  return [xs, start, end, predicted];
}

export interface StepsLayer {
  path: string;
  description: string;
  flags: string[];
}

/** Gradient norm of every weight layer over training: from the live run while one streams, else the model. */
export interface StepsView {
  layers: StepsLayer[];
  columns: Columns;
  live: boolean;
}

export function stepsView(model: PlotModel | null, progress: PlotProgress | null): StepsView {
  if (progress !== null && (model === null || model.uri === progress.uri)) {
    const known = new Map((model?.layers ?? []).map((l) => [l.path, l]));
    const layers = progress.layers.map((path) => {
      const l = known.get(path);
      return { path, description: l?.description ?? '', flags: l?.flags ?? [] };
    });
    return {
      layers,
      columns: [[...progress.recordedSteps], ...progress.gradNorm.map((g) => g.map(positive))],
      live: true,
    };
  }
  const weighted = (model?.layers ?? []).filter((l) => l.gradNorm.length > 0);
  return {
    layers: weighted.map(({ path, description, flags }) => ({ path, description, flags })),
    columns: [[...(model?.recordedSteps ?? [])], ...weighted.map((l) => l.gradNorm.map(positive))],
    live: false,
  };
}

/** Loss and accuracy over steps: [step, loss, accuracy] (the live run has no accuracy yet). */
export function lossColumns(model: PlotModel | null, progress: PlotProgress | null): Columns {
  if (progress !== null && (model === null || model.uri === progress.uri)) {
    return [[...progress.loss.steps], [...progress.loss.values], progress.loss.steps.map(() => null)];
  }
  const loss = model?.loss ?? { steps: [], values: [] };
  const accuracy = new Map((model?.accuracy.steps ?? []).map((s, i) => [s, model!.accuracy.values[i] ?? null]));
  return [[...loss.steps], [...loss.values], loss.steps.map((s) => accuracy.get(s) ?? null)];
}

/**
 * Whether the loss needs a log axis: it is positive throughout and spans more than three decades (a diverging
 * run). A flat or slowly falling loss reads better on a linear axis.
 */
export function lossNeedsLog(values: readonly Num[]): boolean {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0 || finite.some((v) => v <= 0)) return false;
  return Math.max(...finite) / Math.min(...finite) > 1e3;
}

/** Saturated and dead fractions per layer at step 0 and at the end: [x, sat start, sat end, dead start, dead end]. */
export function fractionColumns(model: PlotModel): Columns {
  const last = model.recordedSteps.length - 1;
  const at = (values: Num[], i: number): Num => (values.length > 0 ? (values[i] ?? null) : null);
  return [
    layerPositions(model.layers.length),
    model.layers.map((l) => at(l.saturatedFraction, 0)),
    model.layers.map((l) => at(l.saturatedFraction, last)),
    model.layers.map((l) => at(l.deadFraction, 0)),
    model.layers.map((l) => at(l.deadFraction, last)),
  ];
}

export function hasFractions(model: PlotModel): { saturated: boolean; dead: boolean } {
  return {
    saturated: model.layers.some((l) => l.saturatedFraction.length > 0),
    dead: model.layers.some((l) => l.deadFraction.length > 0),
  };
}

/** Findings that have at least one verified fix with a run to overlay (indices into model.findings). */
export function comparableFindings(model: PlotModel): number[] {
  return model.findings.map((_, i) => i).filter((i) => model.fixes.some((f) => f.finding === i && f.after !== null));
}

export function fixesOf(model: PlotModel, finding: number): PlotFix[] {
  return model.fixes.filter((f) => f.finding === finding && f.after !== null);
}

/**
 * Current spec vs each fix across depth, relative to each run's own output layer: [depth, current, fix1, fix2, …].
 * x is the position among layers WITH WEIGHTS (a fix may insert layers, so spec pointers do not line up).
 */
export function compareDepthColumns(model: PlotModel, finding: number, at: 'start' | 'end'): Columns {
  return runsDepthColumns(
    model,
    fixesOf(model, finding).map((f) => f.after!),
    at,
  );
}

/** The current run vs other runs in brief (fixes, or VGNet's own run beside a recorded one) across depth. */
export function runsDepthColumns(model: PlotModel, others: readonly PlotRunDigest[], at: 'start' | 'end'): Columns {
  const last = model.recordedSteps.length - 1;
  const current = model.layers
    .filter((l) => l.gradNorm.length > 0)
    .map((l) => l.gradNorm[at === 'start' ? 0 : last] ?? null);
  const runs = [current, ...others.map((d) => (at === 'start' ? d.gradNormStart : d.gradNormEnd))];
  const depth = Math.max(0, ...runs.map((r) => r.length));
  const relative = runs.map((r) => {
    const out = r[r.length - 1];
    return layerPositions(depth).map((x) => ratio(r[x - 1], out));
  });
  return [layerPositions(depth), ...relative];
}

/** Current loss vs each fix's loss: [step, current, fix1, …] over the union of their steps. */
export function compareLossColumns(model: PlotModel, finding: number): Columns {
  return joinCurves([model.loss, ...fixesOf(model, finding).map((f) => f.after!.loss)]);
}

/** Aligns curves sampled at different steps on the union of their steps (null where a curve has no point). */
export function joinCurves(curves: readonly PlotCurve[]): Columns {
  const xs = [...new Set(curves.flatMap((c) => c.steps))].sort((a, b) => a - b);
  const ys = curves.map((c) => {
    const byStep = new Map(c.steps.map((s, i) => [s, c.values[i] ?? null]));
    return xs.map((x) => byStep.get(x) ?? null);
  });
  return [xs, ...ys];
}

/**
 * A log axis range in whole decades covering the data and the values in `include` (e.g. thresholds), so the
 * bands stay in view; [1e-3, 1] when there is nothing positive to show.
 */
export function logRange(
  min: Num | undefined,
  max: Num | undefined,
  include: readonly number[] = [],
): [number, number] {
  const values = [min, max, ...include].filter(
    (v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0,
  );
  if (values.length === 0) return [1e-3, 1];
  let lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  let hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  if (lo === hi) {
    lo /= 10;
    hi *= 10;
  }
  return [lo, hi];
}

/**
 * A fix title without its layer list, for legends: "Switch /layers/0–/layers/14 (15 layers) to ReLU with He init"
 * → "Switch to ReLU with He init"; "… activation of /layers/0–/layers/14 (15 layers)" → "… activation".
 */
export function shortTitle(title: string, maxLength = 48): string {
  const short = title
    .replace(/\s*\/layers\/\S*(\s*\(\d+ layers?\))?/g, '')
    .replace(/\s+(of|to|in|on|for|at)$/, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return short.length > maxLength ? `${short.slice(0, maxLength - 1)}…` : short;
}
