/**
 * Fair timing of several contenders on one workload: warm-up and calibration first, then round-robin rounds
 * (the order rotates every round) so drift in machine load hits every contender alike. Each measurement runs
 * enough steps to last about `targetMs`; slow contenders (one step longer than the target) run one step per
 * round and fewer rounds (at least one), within `budgetMs` per contender and workload; in quick runs, when even one
 * round does not fit, a slow contender's step-0 time is its only sample.
 */
import type { StepCheck } from './workloads';

export type ContenderId = 'engine' | 'engine2' | 'engineJs' | 'naive' | 'tfjs' | 'torch';

export interface Contender {
  id: ContenderId;
  /** Step 0 on the shared start (also the first warm-up step); returns its check and wall time. */
  check(): Promise<{ check: StepCheck; ms: number }>;
  /** Runs `steps` training steps; returns the milliseconds those steps took. */
  run(steps: number): Promise<number>;
  dispose(): Promise<void>;
}

export interface TimingPlan {
  rounds: number;
  /** Wanted duration of one measurement. */
  targetMs: number;
  /** Warm-up runs until one run lasts this long (skipped when step 0 alone took over SLOW_STEP_MS). */
  warmupMs: number;
  /** Most time one contender may spend in its measured rounds on one workload. */
  budgetMs: number;
  /** Whether a slow contender whose one round exceeds the budget may be timed by its step 0 alone. */
  stepZeroFallback: boolean;
}

export const FULL_PLAN: TimingPlan = {
  rounds: 5,
  targetMs: 600,
  warmupMs: 300,
  budgetMs: 25_000,
  stepZeroFallback: false,
};
export const QUICK_PLAN: TimingPlan = {
  rounds: 2,
  targetMs: 100,
  warmupMs: 50,
  budgetMs: 2_000,
  stepZeroFallback: true,
};

export interface Timing {
  /** Median over rounds of the per-step time. */
  msPerStep: number;
  /** Per-step time of every round. */
  samples: number[];
  stepsPerRound: number;
  /** True when the budget could not afford one round and step 0's own time is the only sample (quick runs). */
  stepZeroOnly: boolean;
}

interface Schedule {
  contender: Contender;
  stepsPerRound: number;
  rounds: number;
  samples: number[];
  stepZeroOnly: boolean;
}

/** Above this, step 0 has warmed the code up well enough and tells the step time (naive W3 takes seconds). */
const SLOW_STEP_MS = 1500;

/** Warms up (step 0 includes one-off compilation, so it is not trusted unless slow) and estimates one step's ms. */
async function warmUp(contender: Contender, firstStepMs: number, plan: TimingPlan): Promise<number> {
  if (isSlow(firstStepMs)) return firstStepMs;
  let steps = 1;
  for (;;) {
    collectGarbage();
    const ms = await contender.run(steps);
    if (ms >= plan.warmupMs || steps >= 1e7) return ms / steps;
    steps = Math.ceil(steps * Math.min(100, Math.max(2, (1.2 * plan.warmupMs) / Math.max(ms, 1e-3))));
  }
}

function isSlow(firstStepMs: number): boolean {
  return firstStepMs >= SLOW_STEP_MS;
}

function scheduleFor(contender: Contender, msPerStepEstimate: number, firstStepMs: number, plan: TimingPlan): Schedule {
  const stepsPerRound = Math.max(1, Math.round(plan.targetMs / msPerStepEstimate));
  const roundMs = stepsPerRound * msPerStepEstimate;
  const affordable = Math.min(plan.rounds, Math.floor(plan.budgetMs / roundMs));
  if (affordable === 0 && isSlow(firstStepMs) && plan.stepZeroFallback) {
    return { contender, stepsPerRound: 1, rounds: 0, samples: [firstStepMs], stepZeroOnly: true };
  }
  return { contender, stepsPerRound, rounds: Math.max(1, affordable), samples: [], stepZeroOnly: false };
}

/**
 * Round-robin timing of contenders that have already run their step-0 check (`firstStepMs` per contender).
 * A contender that throws (e.g. the PyTorch child died) is reported through `log` and keeps the samples it has.
 */
export async function timeRoundRobin(
  entries: Array<{ contender: Contender; firstStepMs: number }>,
  plan: TimingPlan,
  log: (line: string) => void = () => {},
): Promise<Map<ContenderId, Timing>> {
  const schedules: Schedule[] = [];
  for (const { contender, firstStepMs } of entries) {
    try {
      schedules.push(scheduleFor(contender, await warmUp(contender, firstStepMs, plan), firstStepMs, plan));
    } catch (error) {
      log(`  ${contender.id} dropped during warm-up: ${(error as Error).message}`);
    }
  }
  const maxRounds = Math.max(0, ...schedules.map((s) => s.rounds));
  for (let round = 0; round < maxRounds; round++) {
    log(`  round ${round + 1}/${maxRounds}`);
    for (const schedule of rotate(schedules, round)) {
      if (round < schedule.rounds) await measureRound(schedule, round, log);
    }
  }
  const timings = new Map<ContenderId, Timing>();
  for (const s of schedules) {
    timings.set(s.contender.id, {
      msPerStep: median(s.samples),
      samples: s.samples,
      stepsPerRound: s.stepsPerRound,
      stepZeroOnly: s.stepZeroOnly,
    });
  }
  return timings;
}

async function measureRound(schedule: Schedule, round: number, log: (line: string) => void): Promise<void> {
  collectGarbage();
  try {
    const ms = await schedule.contender.run(schedule.stepsPerRound);
    schedule.samples.push(ms / schedule.stepsPerRound);
  } catch (error) {
    schedule.rounds = round; // no further rounds for this contender
    log(`  ${schedule.contender.id} stopped in round ${round + 1}: ${(error as Error).message}`);
  }
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function rotate<T>(items: T[], by: number): T[] {
  if (items.length === 0) return [];
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/** A full collection outside the timed region (node --expose-gc), so no contender pays for another's garbage. */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}
