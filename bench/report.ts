/** Turns the benchmark's results into the printed tables and the JSON record. Pure: returns strings and data. */
import type { ContenderId, Timing } from './measure';
import type { StepCheck, Workload } from './workloads';

/** Step-0 checks agree when loss and first/last weight-gradient norms are within this relative error. */
export const CHECK_TOLERANCE = 1e-3;

export const CONTENDER_LABELS: Record<ContenderId, string> = {
  engine: 'engine',
  engine2: 'engine wasm, 2 threads',
  engineJs: 'engine JS',
  naive: 'naive',
  tfjs: 'TF.js wasm',
  torch: 'PyTorch',
};

export interface WorkloadResult {
  workload: Workload;
  flopsPerStep: number;
  timings: Map<ContenderId, Timing>;
  checks: Map<ContenderId, StepCheck>;
}

export interface CheckVerdict {
  /** Largest relative difference to the reference over loss, first and last gradient norm, per contender. */
  relativeError: Map<ContenderId, number>;
  ok: boolean;
}

export function relativeError(value: number, reference: number): number {
  if (value === reference) return 0;
  return Math.abs(value - reference) / Math.max(Math.abs(reference), Number.MIN_VALUE);
}

/** Compares every contender's step-0 check with the naive one (the plainest code, float64 sums). */
export function verdict(checks: Map<ContenderId, StepCheck>): CheckVerdict {
  const reference = checks.get('naive');
  const errors = new Map<ContenderId, number>();
  if (!reference) return { relativeError: errors, ok: false };
  for (const [id, check] of checks) {
    if (id === 'naive') continue;
    errors.set(
      id,
      Math.max(
        relativeError(check.loss, reference.loss),
        relativeError(check.firstGradNorm, reference.firstGradNorm),
        relativeError(check.lastGradNorm, reference.lastGradNorm),
      ),
    );
  }
  const ok = errors.size > 0 && [...errors.values()].every((e) => e <= CHECK_TOLERANCE);
  return { relativeError: errors, ok };
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

export function gflops(flops: number, ms: number | undefined): number {
  return ms === undefined ? NaN : flops / (ms * 1e6);
}

function formatGflops(value: number): string {
  return Number.isFinite(value) ? value.toFixed(value >= 10 ? 1 : 2) : '—';
}

/** How many times faster the engine is than `other` (other ms / engine ms). */
function formatRatio(engineMs: number | undefined, otherMs: number | undefined): string {
  if (engineMs === undefined || otherMs === undefined) return '—';
  const ratio = otherMs / engineMs;
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}×`;
}

function formatCheck(checks: Map<ContenderId, StepCheck>): string {
  const v = verdict(checks);
  if (v.relativeError.size === 0) return '—';
  const worst = Math.max(...v.relativeError.values());
  return `${v.ok ? '✓' : '✗'} ${worst.toExponential(0)}`;
}

function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * Median ms/step of every contender and the engine's speed-up over each (other ms / engine ms). When the 2-thread
 * engine ran, three more columns: its ms, PyTorch ms / its ms, and one-thread engine ms / its ms (its speed-up).
 */
export function mainTable(results: WorkloadResult[]): string {
  const twoThreads = results.some((r) => r.timings.has('engine2'));
  const header = [
    'workload',
    'engine ms',
    'GFLOP/s',
    'engine JS ms',
    'naive ms',
    'TF.js wasm ms',
    'PyTorch ms',
    'vs PyTorch',
    'vs TF.js',
    'vs naive',
    'vs engine JS',
    'step-0 check',
    ...(twoThreads ? ['2 threads ms', '2 threads vs PyTorch', '2 threads vs engine'] : []),
  ];
  const rows = results.map((r) => {
    const ms = (id: ContenderId): number | undefined => r.timings.get(id)?.msPerStep;
    const engine = ms('engine');
    return [
      r.workload.name,
      formatMs(engine),
      formatGflops(gflops(r.flopsPerStep, engine)),
      formatMs(ms('engineJs')),
      formatMs(ms('naive')),
      formatMs(ms('tfjs')),
      formatMs(ms('torch')),
      formatRatio(engine, ms('torch')),
      formatRatio(engine, ms('tfjs')),
      formatRatio(engine, ms('naive')),
      formatRatio(engine, ms('engineJs')),
      formatCheck(r.checks),
      ...(twoThreads
        ? [formatMs(ms('engine2')), formatRatio(ms('engine2'), ms('torch')), formatRatio(ms('engine2'), engine)]
        : []),
    ];
  });
  return markdownTable(header, rows);
}

/**
 * Issue 7's speed goals, judged on this run's ratios: the engine within 2× of PyTorch on W1 and W2 (ratio ≥ 0.5),
 * at least as fast on W4, at least 5× faster than TF.js on W1–W3. `engine`: which engine contender is judged
 * ('engine2': the same goals for the engine with its helper thread).
 */
export function goalsLine(results: WorkloadResult[], engineId: ContenderId = 'engine'): string {
  const ratio = (name: string, id: ContenderId): number | undefined => {
    const r = results.find((result) => result.workload.name === name);
    const engine = r?.timings.get(engineId)?.msPerStep;
    const other = r?.timings.get(id)?.msPerStep;
    return engine === undefined || other === undefined ? undefined : other / engine;
  };
  const goals: Array<[string, ContenderId, number]> = [
    ['W1', 'torch', 0.5],
    ['W2', 'torch', 0.5],
    ['W4', 'torch', 1],
    ['W1', 'tfjs', 5],
    ['W2', 'tfjs', 5],
    ['W3', 'tfjs', 5],
  ];
  const verdicts = goals.flatMap(([name, id, needed]) => {
    const value = ratio(name, id);
    if (value === undefined) return [];
    return [
      `${name} vs ${CONTENDER_LABELS[id]} ${formatRatio(1, value)} (goal ≥ ${needed}×) ${value >= needed ? '✓' : '✗'}`,
    ];
  });
  const label = engineId === 'engine' ? 'goals' : `goals (${CONTENDER_LABELS[engineId]})`;
  return verdicts.length === 0 ? `${label}: nothing to judge` : `${label}: ${verdicts.join('; ')}`;
}

export function gflopsTable(results: WorkloadResult[]): string {
  const twoThreads = results.some((r) => r.timings.has('engine2'));
  const ids: ContenderId[] = [
    'engine',
    ...(twoThreads ? ['engine2' as const] : []),
    'engineJs',
    'naive',
    'tfjs',
    'torch',
  ];
  const header = [
    'workload',
    'model',
    'MFLOP/step',
    ...ids.map((id) => `${CONTENDER_LABELS[id]} GFLOP/s`),
    'steps/round',
  ];
  const rows = results.map((r) => [
    r.workload.name,
    describeWorkload(r.workload),
    (r.flopsPerStep / 1e6).toFixed(1),
    ...ids.map((id) => formatGflops(gflops(r.flopsPerStep, r.timings.get(id)?.msPerStep))),
    ids
      .filter((id) => r.timings.has(id))
      .map((id) => roundsText(id, r.timings.get(id)!))
      .join(', '),
  ]);
  return markdownTable(header, rows);
}

/** "engine 18×5": steps per round × rounds measured. */
function roundsText(id: ContenderId, t: Timing): string {
  return t.stepZeroOnly ? `${id} step 0 only` : `${id} ${t.stepsPerRound}×${t.samples.length}`;
}

export function describeWorkload(w: Workload): string {
  return `${w.input}→${w.hiddenLayers}×${w.hiddenUnits} ${w.hiddenActivation}→${w.outputs} ${w.loss}, B=${w.batch}`;
}

/** One line per workload: the reference values and each contender's relative difference. */
export function checkLine(name: string, checks: Map<ContenderId, StepCheck>): string {
  const reference = checks.get('naive');
  if (!reference) return `${name} step-0 check: no naive reference`;
  const v = verdict(checks);
  const others = [...v.relativeError].map(
    ([id, e]) => `${CONTENDER_LABELS[id]} ${e.toExponential(1)} ${e <= CHECK_TOLERANCE ? '✓' : '✗'}`,
  );
  return (
    `${name} step-0 check: loss ${reference.loss.toPrecision(7)}, ‖∇W first‖ ${reference.firstGradNorm.toPrecision(5)}, ` +
    `‖∇W last‖ ${reference.lastGradNorm.toPrecision(5)}; max rel. diff vs naive: ${others.join(', ') || 'nothing to compare'}`
  );
}

export function toJson(results: WorkloadResult[]): unknown[] {
  return results.map((r) => ({
    workload: r.workload,
    flopsPerStep: r.flopsPerStep,
    contenders: Object.fromEntries(
      [...r.timings].map(([id, t]) => [
        id,
        {
          msPerStep: t.msPerStep,
          gflops: gflops(r.flopsPerStep, t.msPerStep),
          stepsPerRound: t.stepsPerRound,
          stepZeroOnly: t.stepZeroOnly,
          samplesMsPerStep: t.samples,
          check: r.checks.get(id) ?? null,
        },
      ]),
    ),
    checkRelativeError: Object.fromEntries(verdict(r.checks).relativeError),
    checkOk: verdict(r.checks).ok,
  }));
}
