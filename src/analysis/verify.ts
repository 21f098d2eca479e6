/**
 * Verified fixes: every candidate is applied to a copy of the spec and re-run with the same seed and step budget;
 * its measured effect decides its rank. A fix that leaves the problem in place says so and is never preferred.
 */
import type { TrainResult } from '../engine/stats';
import { detectMeasured } from './detect';
import type { Finding, FindingKind } from './findings';
import { candidatesFor, type FixContext, type FixId } from './fixes/catalog';
import { diffEdit, type TextEdit } from './fixes/edit';
import { formatValue, plural } from './wording';
import type { CancelSignal, MeasureJob, MeasureOutcome } from './measure';
import { outputLayerIndex, tailMean } from './summary';
import type { Thresholds } from './thresholds';

export type VerificationStatus = 'fixed' | 'improved' | 'not-fixed' | 'worse' | 'failed' | 'unverified';

export interface Verification {
  status: VerificationStatus;
  /** "first-layer gradient ratio 3e-9 → 0.4; loss 0.69 → 0.08" */
  effect: string;
  metricBefore: number;
  metricAfter: number;
  lossBefore: number;
  lossAfter: number;
  /** Finding kinds still present (or new) after the fix. */
  remaining: FindingKind[];
  /** The fixed spec's run in brief, for "before vs after" plots (null when it could not run). */
  after: RunDigest | null;
}

/** A compact view of a run: enough to overlay it on the current spec's plots. */
export interface RunDigest {
  /** Layers with weights, in spec order (pointers of the FIXED spec). */
  layers: string[];
  /** Step-0 and final weight-gradient norms of those layers. */
  gradNormStart: number[];
  gradNormEnd: number[];
  /** Loss curve, downsampled to at most 200 points: [step, loss] pairs as two arrays. */
  lossSteps: number[];
  loss: number[];
}

export function digest(result: TrainResult): RunDigest {
  const weighted = result.layers.map((info, l) => ({ info, l })).filter(({ info }) => info.hasWeights);
  const last = result.recordedSteps.length - 1;
  const stride = Math.max(1, Math.ceil(result.loss.length / 200));
  const lossSteps: number[] = [];
  for (let s = 0; s < result.loss.length; s += stride) lossSteps.push(s);
  if (result.loss.length > 0 && lossSteps[lossSteps.length - 1] !== result.loss.length - 1)
    lossSteps.push(result.loss.length - 1);
  return {
    layers: weighted.map(({ info }) => info.path),
    gradNormStart: weighted.map(({ l }) => result.series[l]!.gradNorm[0]!),
    gradNormEnd: weighted.map(({ l }) => result.series[l]!.gradNorm[last]!),
    lossSteps,
    loss: lossSteps.map((s) => result.loss[s]!),
  };
}

export interface VerifiedFix {
  /** Index of the finding in Report.findings. */
  finding: number;
  id: FixId;
  title: string;
  layers: string[];
  edit: TextEdit;
  verification: Verification;
  preferred: boolean;
}

export interface VerifyInput {
  text: string;
  before: TrainResult;
  findings: Finding[];
  context: FixContext;
  job: Omit<MeasureJob, 'text'>;
  thresholds: Thresholds;
  run: (job: MeasureJob) => Promise<MeasureOutcome>;
  signal?: CancelSignal;
}

const STATUS_RANK: Record<VerificationStatus, number> = {
  fixed: 0,
  improved: 1,
  'not-fixed': 2,
  unverified: 3,
  worse: 4,
  failed: 5,
};

/** How every surface says a verification status ("… — not fixed: ratio 3e-9 → 4e-9"). */
export const STATUS_WORDS: Readonly<Record<VerificationStatus, string>> = {
  fixed: 'fixed',
  improved: 'improved, not fixed',
  'not-fixed': 'not fixed',
  worse: 'made it worse',
  failed: 'failed',
  unverified: 'unverified',
};

export async function verifyFixes(input: VerifyInput): Promise<VerifiedFix[]> {
  const pending: Promise<VerifiedFix | null>[] = [];
  input.findings.forEach((finding, index) => {
    if (finding.source !== 'measured' && finding.kind !== 'poor-init') return;
    for (const candidate of candidatesFor(finding, input.context)) {
      const after = candidate.apply(input.text);
      const edit = diffEdit(input.text, after);
      if (edit === null) continue;
      pending.push(
        (async () => {
          if (input.signal?.cancelled) return null;
          const outcome = await input.run({ ...input.job, text: after });
          const verification = judge(finding, input.before, outcome, input.thresholds);
          return {
            finding: index,
            id: candidate.id,
            title: candidate.title,
            layers: candidate.layers,
            edit,
            verification,
            preferred: false,
          };
        })(),
      );
    }
  });
  const fixes = (await Promise.all(pending)).filter((f): f is VerifiedFix => f !== null);
  return rank(fixes);
}

/** Sorts each finding's fixes by status then by final loss, and marks the best fixed one as preferred. */
export function rank(fixes: VerifiedFix[]): VerifiedFix[] {
  const sorted = [...fixes].sort(
    (a, b) =>
      a.finding - b.finding ||
      STATUS_RANK[a.verification.status] - STATUS_RANK[b.verification.status] ||
      lossKey(a) - lossKey(b),
  );
  const seen = new Set<number>();
  for (const fix of sorted) {
    if (!seen.has(fix.finding) && fix.verification.status === 'fixed') {
      fix.preferred = true;
      seen.add(fix.finding);
    }
  }
  return sorted;
}

function lossKey(fix: VerifiedFix): number {
  const loss = fix.verification.lossAfter;
  return Number.isFinite(loss) ? loss : Number.MAX_VALUE;
}

export function judge(finding: Finding, before: TrainResult, outcome: MeasureOutcome, t: Thresholds): Verification {
  const metricBefore = findingMetric(finding.kind, before);
  const lossBefore = tailMean(before.loss);
  // No run to judge: the deadline passed before training, the run failed, or it was cut short.
  const unjudged = (status: 'unverified' | 'failed', effect: string): Verification => ({
    status,
    effect,
    metricBefore,
    metricAfter: NaN,
    lossBefore,
    lossAfter: NaN,
    remaining: [],
    after: null,
  });
  if (!outcome.ok)
    return outcome.budget
      ? unjudged('unverified', outcome.message)
      : unjudged('failed', `could not run: ${outcome.message}`);
  const after = outcome.result;
  if (after.stopped?.reason === 'budget' || after.stopped?.reason === 'cancelled') {
    // A shortened run is not the fix's answer: say so rather than judge it on part of the steps.
    const why = after.stopped.reason === 'budget' ? 'the time budget ran out' : 'the analysis was cancelled';
    return unjudged('unverified', `${why} after ${plural(after.stepsRun, 'step')} of the run`);
  }
  const remainingFindings = detectMeasured(after, t, outcome.config.loss);
  const remaining = [...new Set(remainingFindings.map((f) => f.kind))];
  const metricAfter = findingMetric(finding.kind, after);
  const lossAfter = tailMean(after.loss);
  const effect = `${METRIC_LABEL[finding.kind]} ${formatValue(metricBefore)} → ${formatValue(metricAfter)}; loss ${formatValue(lossBefore)} → ${formatValue(lossAfter)}`;
  const newErrors = remainingFindings.some((f) => f.severity === 'error' && f.kind !== finding.kind);
  // A run that ends non-finite, or above the loss it started from, did not train: never "fixed".
  const trained = Number.isFinite(lossAfter) && !(lossAfter > (after.loss[0] ?? Infinity));
  let status: VerificationStatus;
  if (newErrors || !Number.isFinite(lossAfter)) status = 'worse';
  else if (!remaining.includes(finding.kind) && trained) status = 'fixed';
  else status = improvedEnough(finding.kind, metricBefore, metricAfter) ? 'improved' : 'not-fixed';
  return { status, effect, metricBefore, metricAfter, lossBefore, lossAfter, remaining, after: digest(after) };
}

const METRIC_LABEL: Record<FindingKind, string> = {
  vanishing: 'first-layer gradient ratio',
  exploding: 'first-layer gradient ratio',
  'poor-init': 'first-layer gradient ratio',
  divergence: 'final loss',
  'dead-relu': 'largest dead-unit fraction',
  saturation: 'largest saturated fraction',
  'learning-rate-high': 'median update ratio',
  'learning-rate-low': 'median update ratio',
  'not-learning': 'final loss',
};

/** The number a fix should move, measured the same way before and after (layer pointers may shift after a fix). */
export function findingMetric(kind: FindingKind, result: TrainResult): number {
  switch (kind) {
    case 'vanishing':
    case 'exploding':
    case 'poor-init':
      return firstLayerRatio(result);
    case 'divergence':
    case 'not-learning':
      return tailMean(result.loss);
    case 'dead-relu':
      return lastMax(result, (l) => result.series[l]!.deadFraction);
    case 'saturation':
      return lastMax(result, (l) => result.series[l]!.saturatedFraction);
    case 'learning-rate-high':
    case 'learning-rate-low':
      return medianOf(
        result.layers.flatMap((info, l) =>
          info.hasWeights ? result.series[l]!.updateRatio.filter(Number.isFinite) : [],
        ),
      );
  }
}

/** Step-0 gradient norm of the first weight layer divided by the output layer's. */
export function firstLayerRatio(result: TrainResult): number {
  const out = outputLayerIndex(result.layers);
  const first = result.layers.findIndex((l) => l.hasWeights);
  if (out < 0 || first < 0) return NaN;
  return result.series[first]!.gradNorm[0]! / result.series[out]!.gradNorm[0]!;
}

function lastMax(result: TrainResult, series: (layer: number) => number[]): number {
  const k = result.recordedSteps.length - 1;
  let max = NaN;
  for (let l = 0; l < result.layers.length; l++) {
    const v = series(l)[k]!;
    if (Number.isFinite(v) && !(v <= max)) max = v;
  }
  return max;
}

function medianOf(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A fix that moves the metric at least 10× toward health counts as an improvement even if the finding remains. */
function improvedEnough(kind: FindingKind, before: number, after: number): boolean {
  if (!Number.isFinite(before) || !Number.isFinite(after)) return false;
  if (kind === 'vanishing' || kind === 'learning-rate-low') return after >= before * 10;
  if (kind === 'exploding' || kind === 'learning-rate-high' || kind === 'divergence') return after * 10 <= before;
  return after < before * 0.5;
}
