/**
 * Verified fixes: every candidate is applied to a copy of the spec and re-run with the same seeds and step budget;
 * its measured effect decides its rank. A fix is *fixed* only when, on every seed, the problem is gone, no new one
 * appeared and the run trained, and its median final loss over the seeds is lower than the unfixed runs' (one seed's
 * final loss is noisy: a saturated output can end low on one seed by luck). Successive halving keeps the wait short:
 * every candidate runs on the first seed; only those that fixed it run on the others.
 */
import type { TrainResult } from '../engine/stats';
import { RunCache } from './cache';
import { Memo } from './memo';
import { detectMeasured, firstLayerRatio } from './detect';
import { timeRatios } from './detect-layers';
import type { LossName } from '../engine/config';
import { FINDING_TITLES, type Finding, type FindingKind } from './findings';
import { candidatesFor, withLowerLr, type Candidate, type FixContext, type FixId } from './fixes/catalog';
import { diffEdit, type TextEdit } from './fixes/edit';
import { formatValue, plural } from './wording';
import type { CancelSignal, MeasureJob, MeasureOutcome } from './measure';
import { tailMean } from './summary';
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
  /** Seeds the fix was measured on, and on how many of them it fixed the problem. */
  seeds: { fixed: number; of: number };
  /** Final loss on every seed it ran on (the first seed's first). */
  seedLosses: number[];
  /**
   * The fix removed its own problem, but the training then diverged, ran too fast or did not bring the loss down:
   * the second round tries it with a lower learning rate.
   */
  lowerLrMayHelp?: boolean;
  /**
   * On every seed it ran on, the fix left the number of each problem the unfixed run had far from its threshold (a dead fraction of at most
   * half the threshold, or no ReLU left to die; a gradient ratio 10× above the vanishing threshold …): a fix that
   * only just passes on three seeds may not pass on the next, or in another engine.
   */
  clear: boolean;
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
  /** The other seeds' unfixed runs: a fix that fixed the first seed must fix these too. */
  others?: { seed: number; before: TrainResult }[];
  thresholds: Thresholds;
  run: (job: MeasureJob) => Promise<MeasureOutcome>;
  signal?: CancelSignal;
  /** Called as the candidates' runs end (for a status line while the user waits). */
  onProgress?: (progress: VerifyProgress) => void;
}

/** How far a verification is: "3 of 7 fixes tried, 2 confirming on the other seeds". */
export interface VerifyProgress {
  /** Candidates whose first-seed run is judged … */
  tried: number;
  /** … of the candidates so far (the second round adds a few). */
  of: number;
  /** Candidates that fixed the first seed and still train on the other seeds. */
  confirming: number;
}

/** Counts for onProgress; every change is told. */
class ProgressTally {
  private readonly now: VerifyProgress = { tried: 0, of: 0, confirming: 0 };
  constructor(private readonly tell: ((progress: VerifyProgress) => void) | undefined) {}

  change(delta: Partial<VerifyProgress>): void {
    this.now.tried += delta.tried ?? 0;
    this.now.of += delta.of ?? 0;
    this.now.confirming += delta.confirming ?? 0;
    this.tell?.({ ...this.now });
  }
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
  // One run per distinct fixed text and seed: two findings often share a candidate (fewer layers for vanishing
  // and for dying ReLU), and their runs start together, before either could be cached.
  const runs = new Map<string, Promise<MeasureOutcome>>();
  const runOnce = (job: MeasureJob): Promise<MeasureOutcome> => {
    // RunCache's key: a run that may stop once its problem is settled (candidateJob) is not the full run another
    // finding's judge needs.
    const key = RunCache.key(job);
    let run = runs.get(key);
    if (!run) runs.set(key, (run = input.run(job)));
    return run;
  };
  const shared: VerifyInput = { ...input, run: runOnce };
  const tally = new ProgressTally(input.onProgress);
  const verdicts = input.findings.filter(isVerdict);
  const candidates = firstRoundCandidates(input.findings, input.context);
  tally.change({ of: candidates.length });
  const firstRound = candidates.map(({ candidate, finding, index, fixed }) =>
    tryCandidate(candidate, fixed, finding, index, shared, tally),
  );
  const fixes = (await Promise.all(firstRound)).filter((f): f is VerifiedFix => f !== null);
  // Where one change was not enough (AutoTrainer repairs in rounds): when no fix left every problem behind, a
  // candidate that removed its problem but made the training diverge, run too fast or stall is tried again with the
  // learning rate ×0.1 too.
  const secondRound: Promise<VerifiedFix | null>[] = [];
  for (const finding of verdicts) {
    const index = input.findings.indexOf(finding);
    const own = rank(fixes.filter((f) => f.finding === index));
    if (own.some((f) => f.verification.status === 'fixed' && f.verification.remaining.length === 0)) continue;
    // The most promising first: the fewest problems left besides the ones a lower rate addresses.
    const others = (f: VerifiedFix): number => f.verification.remaining.filter((k) => !TOO_FAST.has(k)).length;
    const retried = own
      .filter((f) => f.verification.lowerLrMayHelp)
      .sort((a, b) => others(a) - others(b))
      .slice(0, SECOND_ROUND);
    for (const fix of retried) {
      const base = candidatesFor(finding, input.context).find((c) => c.id === fix.id);
      const combined = base && withLowerLr(base, input.context);
      if (!combined) continue;
      tally.change({ of: 1 });
      secondRound.push(tryCandidate(combined, appliedFix(combined, input.text), finding, index, shared, tally));
    }
  }
  fixes.push(...(await Promise.all(secondRound)).filter((f): f is VerifiedFix => f !== null));
  return rank(fixes);
}

/**
 * The first round: every candidate of every verdict among `findings` (index: its place there), with its fixed text;
 * a candidate that changes nothing is left out. The first seed's candidates start from it (analyze.ts), before the
 * verification asks for the same runs.
 */
export function firstRoundCandidates(
  findings: Finding[],
  context: FixContext,
): { candidate: Candidate; finding: Finding; index: number; fixed: string }[] {
  const round: { candidate: Candidate; finding: Finding; index: number; fixed: string }[] = [];
  findings.forEach((finding, index) => {
    if (!isVerdict(finding)) return;
    for (const candidate of candidatesFor(finding, context)) {
      const fixed = appliedFix(candidate, context.text);
      if (fixed !== context.text) round.push({ candidate, finding, index, fixed });
    }
  });
  return round;
}

/** Infos (a seed-dependent problem, a loss that does not fall) are not verdicts: nothing to verify. */
export function isVerdict(finding: Finding): boolean {
  return finding.severity !== 'info' && (finding.source === 'measured' || finding.kind === 'poor-init');
}

/** Problems a lower learning rate addresses. */
const TOO_FAST: ReadonlySet<FindingKind> = new Set([
  'divergence',
  'learning-rate-high',
  'exploding',
  'exploding-through-time',
]);

/** Candidates of a finding the second round combines with a lower learning rate. */
const SECOND_ROUND = 2;

/** `candidate` (`after`: the text it makes) measured and judged, on the first seed and, if it holds, the others. */
async function tryCandidate(
  candidate: Candidate,
  after: string,
  finding: Finding,
  index: number,
  input: VerifyInput,
  tally: ProgressTally,
): Promise<VerifiedFix | null> {
  const edit = diffEdit(input.text, after);
  if (edit === null || input.signal?.cancelled) {
    tally.change({ tried: 1 });
    return null;
  }
  const outcome = await input.run(candidateJob(input.job, finding, input.thresholds, after));
  const others = input.others ?? [];
  // With other seeds to confirm on, the loss against the unfixed run is judged on the medians over all of them.
  const verification = judge(finding, input.before, outcome, input.thresholds, { perSeedLoss: others.length === 0 });
  const confirming = verification.status === 'fixed' && others.length > 0 && !input.signal?.cancelled;
  tally.change({ tried: 1, confirming: confirming ? 1 : 0 });
  if (confirming) {
    await confirmOnOtherSeeds(verification, finding, after, others, input);
    tally.change({ confirming: -1 });
  }
  return {
    finding: index,
    id: candidate.id,
    title: candidate.title,
    layers: candidate.layers,
    edit,
    verification,
    preferred: false,
  };
}

/**
 * The candidate applied to the text, remembered: the first seed's candidates are applied when their runs start
 * early (analyze.ts) and again when the verification judges them, and a per-layer edit of a 30-layer spec re-parses
 * the text for every layer (≈ 30 ms on the way from the first seed's verdict to the first candidate's run). Keyed by
 * what decides the result: the candidate's id, its title (which names its numbers), its layers, and the text.
 */
export function appliedFix(candidate: Candidate, text: string): string {
  const key = `${candidate.id}\u0000${candidate.title}\u0000${candidate.layers.join(',')}\u0000${text}`;
  return APPLIED.get(key, () => candidate.apply(text));
}

/** Candidates of a few analyses (a finding has up to 10; the second round adds a few). */
const APPLIED = new Memo<string, string>(64);

/**
 * A candidate's run on the first seed. A fix for vanishing or exploding gradients stops as soon as the problem is
 * sure to remain over the run (detect.ts settled): a hopeless candidate costs about half a run. Confirmations on the
 * other seeds run in full (their losses are compared).
 */
export function candidateJob(job: Omit<MeasureJob, 'text'>, finding: Finding, t: Thresholds, text: string): MeasureJob {
  if (finding.kind !== 'vanishing' && finding.kind !== 'exploding') return { ...job, text };
  const thresholds = {
    vanishingRatio: t.vanishingRatio,
    vanishingAbsolute: t.vanishingAbsolute,
    explodingRatio: t.explodingRatio,
    explodingAbsolute: t.explodingAbsolute,
  };
  return { ...job, text, stopOnceSettled: { kind: finding.kind, thresholds } };
}

/** The first seed fixed: the same fix on every other seed; one that does not hold there is "improved". */
async function confirmOnOtherSeeds(
  verification: Verification,
  finding: Finding,
  text: string,
  others: { seed: number; before: TrainResult }[],
  input: VerifyInput,
): Promise<void> {
  const outcomes = await Promise.all(others.map((o) => input.run({ ...input.job, seed: o.seed, text })));
  const judged = outcomes.map((o, i) => judge(finding, others[i]!.before, o, input.thresholds, { perSeedLoss: false }));
  const of = others.length + 1;
  verification.seedLosses.push(...judged.map((v) => v.lossAfter));
  if (judged.some((v) => v.status === 'unverified')) {
    verification.status = 'unverified';
    verification.effect += `; fixed on the first seed, the time budget ran out before the other ${of - 1}`;
    verification.seeds = { fixed: 1, of };
    return;
  }
  const fixed = 1 + judged.filter((v) => v.status === 'fixed').length;
  verification.seeds = { fixed, of };
  verification.clear = verification.clear && judged.every((v) => v.clear);
  const lossBefore = median([verification.lossBefore, ...judged.map((v) => v.lossBefore)]);
  const lossAfter = median(verification.seedLosses);
  if (fixed === of && !(Number.isFinite(lossBefore) && lossAfter >= lossBefore)) {
    verification.effect += `; fixed on all ${of} seeds`;
    return;
  }
  if (fixed === of) {
    verification.status = 'improved';
    verification.effect += `; the problem is gone on all ${of} seeds, but the median final loss ${formatValue(lossAfter)} is not below the unfixed ${formatValue(lossBefore)}`;
    return;
  }
  verification.status = 'improved';
  const failed = judged.find((v) => v.status !== 'fixed')!;
  verification.effect += `; fixed on ${fixed} of ${of} seeds (another: ${failed.effect})`;
  verification.remaining = [...new Set([...verification.remaining, ...failed.remaining])];
}

/**
 * Sorts each finding's fixes by status, then by how many problems remain after it (a fix of the root cause clears
 * the problems that followed from it too), then by the measured effect (the median final loss over the seeds, to two
 * significant digits), then by how small the edit is; marks the best fixed one as preferred.
 */
export function rank(fixes: VerifiedFix[]): VerifiedFix[] {
  const sorted = [...fixes].sort(
    (a, b) =>
      a.finding - b.finding ||
      STATUS_RANK[a.verification.status] - STATUS_RANK[b.verification.status] ||
      a.verification.remaining.length - b.verification.remaining.length ||
      Number(b.verification.clear) - Number(a.verification.clear) ||
      lossKey(a) - lossKey(b) ||
      editSize(a) - editSize(b),
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
  const m = median(fix.verification.seedLosses);
  return Number.isNaN(m) ? Number.MAX_VALUE : Number(m.toPrecision(2));
}

/** The median of the finite values (NaN when there are none). */
function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/** Characters the edit removes and inserts. */
function editSize(fix: VerifiedFix): number {
  return fix.edit.length + fix.edit.content.length;
}

/**
 * One seed's run of a fix against the unfixed run of that seed. `perSeedLoss: false` leaves the comparison with the
 * unfixed run's final loss to the caller, which compares the medians over every seed (confirmOnOtherSeeds).
 */
export function judge(
  finding: Finding,
  before: TrainResult,
  outcome: MeasureOutcome,
  t: Thresholds,
  options: { perSeedLoss?: boolean } = {},
): Verification {
  const metricBefore = findingMetric(finding.kind, before);
  const lossBefore = finalLoss(before, outcome.ok ? outcome.result : null);
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
    seeds: { fixed: 0, of: 1 },
    seedLosses: [],
    clear: false,
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
  const problems = (r: TrainResult, loss: LossName): Finding[] =>
    detectMeasured(r, t, loss).filter((f) => f.severity !== 'info');
  // A run stopped once its problem was certain (candidateJob) is judged on that problem alone: the rules of the
  // others (a loss that has not fallen yet) would misread a run cut at half its steps.
  const decided = after.stopped?.reason === 'decided' ? after.stopped : null;
  const remainingFindings = problems(after, outcome.config.loss).filter((f) => !decided || f.kind === finding.kind);
  const remaining = [...new Set(remainingFindings.map((f) => f.kind))];
  const beforeKinds = problemKindsOf(before, outcome.config.loss, t);
  const added = remainingFindings.filter((f) => f.kind !== finding.kind && !beforeKinds.has(f.kind));
  const metricAfter = findingMetric(finding.kind, after);
  const lossAfter = finalLoss(after, before);
  let effect = `${METRIC_LABEL[finding.kind]} ${formatValue(metricBefore)} → ${formatValue(metricAfter)}; loss ${formatValue(lossBefore)} → ${formatValue(lossAfter)}`;
  if (added.length > 0) effect += `; new: ${added.map((f) => FINDING_TITLES[f.kind]).join(', ')}`;
  if (decided) {
    const did = finding.kind === 'exploding' ? 'exploded' : 'vanished';
    effect += `; stopped after step ${decided.step} of ${outcome.config.training.steps}: the gradient ${did} on more than half of the steps the rule judges`;
  }
  // A run that ends non-finite, above the loss it started from, or above the unfixed run's, did not fix anything.
  const trained =
    Number.isFinite(lossAfter) &&
    !(lossAfter > firstLoss(after, before)) &&
    !(options.perSeedLoss !== false && Number.isFinite(lossBefore) && lossAfter >= lossBefore);
  let status: VerificationStatus;
  if (added.some((f) => f.severity === 'error') || !Number.isFinite(lossAfter)) status = 'worse';
  else if (!remaining.includes(finding.kind) && trained && added.length === 0) status = 'fixed';
  else status = improvedEnough(finding.kind, metricBefore, metricAfter) ? 'improved' : 'not-fixed';
  const lowerLrMayHelp =
    status !== 'fixed' && !remaining.includes(finding.kind) && (!trained || added.some((f) => TOO_FAST.has(f.kind)));
  return {
    status,
    effect,
    metricBefore,
    metricAfter,
    lossBefore,
    lossAfter,
    remaining,
    ...(lowerLrMayHelp ? { lowerLrMayHelp } : {}),
    after: digest(after),
    seeds: { fixed: status === 'fixed' ? 1 : 0, of: 1 },
    seedLosses: [lossAfter],
    // Clear of every problem the unfixed run had, not only this one: the preferred fix is applied for all of them.
    clear: [...new Set([finding.kind, ...beforeKinds])].every((k) => clearOf(k, findingMetric(k, after), t)),
  };
}

/**
 * The unfixed run's problem kinds: every candidate on its seed is judged against them, so they are detected once
 * per run, loss and thresholds object (one per verification).
 */
function problemKindsOf(run: TrainResult, loss: LossName, t: Thresholds): ReadonlySet<FindingKind> {
  let known = PROBLEM_KINDS.get(run);
  if (!known) PROBLEM_KINDS.set(run, (known = []));
  let entry = known.find((k) => k.loss === loss && k.t === t);
  if (!entry) {
    const found = detectMeasured(run, t, loss).filter((f) => f.severity !== 'info');
    known.push((entry = { loss, t, kinds: new Set(found.map((f) => f.kind)) }));
  }
  return entry.kinds;
}

const PROBLEM_KINDS = new WeakMap<TrainResult, { loss: LossName; t: Thresholds; kinds: ReadonlySet<FindingKind> }[]>();

/**
 * The loss a fix is judged by: on the fixed probe set at the last recording when both runs have it (256 samples in
 * evaluation mode: a batch of one makes the tail of the training loss a coin toss), else the mean of the last 5% of
 * the training losses.
 */
function finalLoss(run: TrainResult, other: TrainResult | null): number {
  const probe = probeLosses(run, other);
  return probe ? probe[probe.length - 1]! : tailMean(run.loss);
}

/** The loss the run started from, measured the same way as finalLoss. */
function firstLoss(run: TrainResult, other: TrainResult | null): number {
  const probe = probeLosses(run, other);
  return probe ? probe[0]! : (run.loss[0] ?? Infinity);
}

function probeLosses(run: TrainResult, other: TrainResult | null): number[] | null {
  const probed = (r: TrainResult): boolean => {
    const p = r.probeLoss;
    return p !== undefined && p.length > 0 && p.length === r.recordedSteps.length && !Number.isNaN(p[p.length - 1]!);
  };
  return probed(run) && (other === null || probed(other)) ? run.probeLoss! : null;
}

const METRIC_LABEL: Record<FindingKind, string> = {
  vanishing: 'first-layer gradient ratio',
  exploding: 'first-layer gradient ratio',
  'poor-init': 'first-layer gradient ratio',
  divergence: 'final loss',
  'dead-relu': 'largest dead-unit fraction',
  saturation: 'largest saturated fraction',
  'output-saturation': 'saturated output fraction',
  'learning-rate-high': 'median update ratio',
  'learning-rate-low': 'median update ratio',
  'not-learning': 'final loss',
  'vanishing-through-time': 'gradient ratio first/last time step',
  'exploding-through-time': 'gradient ratio first/last time step',
  'gate-saturation': 'largest saturated gate fraction',
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
      return lastMax(result, (l) => (l === result.layers.length - 1 ? [] : result.series[l]!.saturatedFraction));
    case 'output-saturation':
      return result.series[result.layers.length - 1]?.saturatedFraction[result.recordedSteps.length - 1] ?? NaN;
    case 'vanishing-through-time':
      return extreme(
        timeRatios(result).map((r) => r.ratio),
        Math.min,
      );
    case 'exploding-through-time':
      return extreme(
        timeRatios(result).map((r) => r.ratio),
        Math.max,
      );
    case 'gate-saturation':
      return lastMax(result, (l) => gateMaxima(result, l));
    case 'learning-rate-high':
    case 'learning-rate-low':
      return medianOf(
        result.layers.flatMap((info, l) =>
          info.hasWeights ? result.series[l]!.updateRatio.filter(Number.isFinite) : [],
        ),
      );
  }
}

/** The smallest or largest value (NaN without one): the time ratio of the worst recurrent layer. */
function extreme(values: number[], pick: (...v: number[]) => number): number {
  return values.length === 0 ? NaN : pick(...values);
}

/** Per recording, layer l's most saturated gate (empty for layers without gates). */
function gateMaxima(result: TrainResult, l: number): number[] {
  const gates = Object.values(result.series[l]!.gateSaturation ?? {});
  if (gates.length === 0) return [];
  return result.recordedSteps.map((_, k) => Math.max(...gates.map((g) => g[k] ?? NaN)));
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

/** Whether a fixed run's number is far from its rule's threshold (Verification.clear). */
function clearOf(kind: FindingKind, after: number, t: Thresholds): boolean {
  switch (kind) {
    case 'vanishing':
      return after >= 10 * t.vanishingRatio;
    case 'dead-relu':
      // NaN: no ReLU left that could die.
      return Number.isNaN(after) || after <= t.deadFraction / 2;
    case 'saturation':
    case 'output-saturation':
    case 'gate-saturation':
      return Number.isNaN(after) || after <= t.saturatedFraction / 2;
    // NaN: no recurrent layer left (a fix may remove the problem's cause altogether).
    case 'vanishing-through-time':
      return Number.isNaN(after) || after >= 10 * t.timeVanishingRatio;
    case 'exploding-through-time':
      return Number.isNaN(after) || after * 10 <= t.timeExplodingRatio;
    default:
      return true;
  }
}

/** A fix that moves the metric at least 10× toward health counts as an improvement even if the finding remains. */
function improvedEnough(kind: FindingKind, before: number, after: number): boolean {
  if (!Number.isFinite(before) || !Number.isFinite(after)) return false;
  if (kind === 'vanishing' || kind === 'vanishing-through-time' || kind === 'learning-rate-low')
    return after > 0 && after >= before * 10;
  if (
    kind === 'exploding' ||
    kind === 'exploding-through-time' ||
    kind === 'learning-rate-high' ||
    kind === 'divergence'
  )
    return after * 10 <= before;
  return after < before * 0.5;
}
