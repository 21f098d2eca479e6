import { describe, expect, it } from 'vitest';
import { median, rotate, timeRoundRobin } from '../../bench/measure';
import type { Contender, ContenderId, TimingPlan } from '../../bench/measure';
import { formatMs, goalsLine, mainTable, relativeError, verdict } from '../../bench/report';
import type { StepCheck, Workload } from '../../bench/workloads';

/** A contender whose steps "take" a fixed time: run() reports steps × msPerStep without waiting. */
function fakeContender(id: ContenderId, msPerStep: number, log: string[]): Contender & { stepsRun: number } {
  const fake = {
    id,
    stepsRun: 0,
    async check() {
      return { check: { loss: 1, firstGradNorm: 1, lastGradNorm: 1 }, ms: msPerStep * 3 };
    },
    async run(steps: number) {
      fake.stepsRun += steps;
      log.push(id);
      return steps * msPerStep;
    },
    async dispose() {},
  };
  return fake;
}

const plan: TimingPlan = { rounds: 4, targetMs: 100, warmupMs: 50, budgetMs: 10_000, stepZeroFallback: true };

describe('timeRoundRobin', () => {
  it('measures the per-step time, sizes rounds to the target and rotates the order', async () => {
    const log: string[] = [];
    const fast = fakeContender('engine', 0.5, log);
    const medium = fakeContender('naive', 20, log);
    const timings = await timeRoundRobin(
      [
        { contender: fast, firstStepMs: 5 },
        { contender: medium, firstStepMs: 60 },
      ],
      plan,
    );
    expect(timings.get('engine')!.msPerStep).toBeCloseTo(0.5, 9);
    expect(timings.get('engine')!.stepsPerRound).toBe(200);
    expect(timings.get('naive')!.stepsPerRound).toBe(5);
    expect(timings.get('naive')!.samples).toHaveLength(4);
    // After the warm-up runs, rounds alternate with a rotating first contender.
    const measured = log.slice(log.length - 8);
    expect(measured).toEqual(['engine', 'naive', 'naive', 'engine', 'engine', 'naive', 'naive', 'engine']);
  });

  it('gives a slow contender one step per round, fewer rounds within its budget, and no extra warm-up', async () => {
    const log: string[] = [];
    const slow = fakeContender('naive', 4000, log);
    const timings = await timeRoundRobin([{ contender: slow, firstStepMs: 4000 }], plan);
    const timing = timings.get('naive')!;
    expect(timing.stepsPerRound).toBe(1);
    expect(timing.samples).toHaveLength(2); // floor(10 000 ms budget / 4 000 ms a round)
    expect(slow.stepsRun).toBe(2);
  });

  it('uses the step-0 time alone when a slow contender cannot afford one round (quick runs)', async () => {
    const log: string[] = [];
    const slow = fakeContender('naive', 4000, log);
    const timings = await timeRoundRobin([{ contender: slow, firstStepMs: 4000 }], { ...plan, budgetMs: 1000 });
    expect(timings.get('naive')).toMatchObject({ msPerStep: 4000, samples: [4000], stepZeroOnly: true });
    expect(slow.stepsRun).toBe(0);
    const full = await timeRoundRobin([{ contender: slow, firstStepMs: 4000 }], {
      ...plan,
      budgetMs: 1000,
      stepZeroFallback: false,
    });
    expect(full.get('naive')).toMatchObject({ samples: [4000], stepZeroOnly: false });
    expect(slow.stepsRun).toBe(1);
  });
});

describe('helpers', () => {
  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('rotate', () => {
    expect(rotate([1, 2, 3], 1)).toEqual([2, 3, 1]);
    expect(rotate([1, 2, 3], 5)).toEqual([3, 1, 2]);
  });

  it('verdict passes within 1e-3 relative of the naive reference and fails beyond', () => {
    const reference: StepCheck = { loss: 2, firstGradNorm: 1e-19, lastGradNorm: 3 };
    const close: StepCheck = { loss: 2.0001, firstGradNorm: 1.0001e-19, lastGradNorm: 3 };
    const far: StepCheck = { loss: 2, firstGradNorm: 1.01e-19, lastGradNorm: 3 };
    expect(
      verdict(
        new Map([
          ['naive', reference],
          ['engine', close],
        ]),
      ).ok,
    ).toBe(true);
    const bad = verdict(
      new Map([
        ['naive', reference],
        ['engine', close],
        ['tfjs', far],
      ]),
    );
    expect(bad.ok).toBe(false);
    expect(bad.relativeError.get('tfjs')).toBeCloseTo(0.01, 6);
    expect(relativeError(0, 0)).toBe(0);
  });

  it('the main table shows ratios as other / engine and dashes for missing contenders', () => {
    const workload: Workload = {
      name: 'W9',
      input: 1,
      hiddenLayers: 1,
      hiddenUnits: 1,
      hiddenActivation: 'relu',
      outputs: 1,
      loss: 'mse',
      batch: 1,
    };
    const timing = (ms: number) => ({ msPerStep: ms, samples: [ms], stepsPerRound: 1, stepZeroOnly: false });
    const table = mainTable([
      {
        workload,
        flopsPerStep: 2e6,
        timings: new Map([
          ['engine', timing(2)],
          ['naive', timing(10)],
        ]),
        checks: new Map(),
      },
    ]);
    const row = table
      .split('\n')[2]!
      .split('|')
      .map((cell) => cell.trim());
    // workload, engine ms, GFLOP/s (2e6 flops / 2 ms = 1 GFLOP/s), engine JS, naive, TF.js, PyTorch, ratios…
    expect(row.slice(1, 12)).toEqual(['W9', '2.00', '1.00', '—', '10.0', '—', '—', '—', '—', '5.00×', '—']);
    expect(formatMs(0.1234)).toBe('0.123');
  });

  it('judges the issue-7 goals from the ratios: within 2× of PyTorch on W1, as fast on W4, 5× TF.js', () => {
    const workload = (name: string): Workload => ({
      name,
      input: 1,
      hiddenLayers: 1,
      hiddenUnits: 1,
      hiddenActivation: 'relu',
      outputs: 1,
      loss: 'mse',
      batch: 1,
    });
    const timing = (ms: number) => ({ msPerStep: ms, samples: [ms], stepsPerRound: 1, stepZeroOnly: false });
    const line = goalsLine([
      {
        workload: workload('W1'),
        flopsPerStep: 1,
        checks: new Map(),
        timings: new Map([
          ['engine', timing(4)],
          ['torch', timing(2.5)],
          ['tfjs', timing(40)],
        ]),
      },
      {
        workload: workload('W4'),
        flopsPerStep: 1,
        checks: new Map(),
        timings: new Map([
          ['engine', timing(0.5)],
          ['torch', timing(0.4)],
        ]),
      },
    ]);
    expect(line).toContain('W1 vs PyTorch 0.63× (goal ≥ 0.5×) ✓');
    expect(line).toContain('W4 vs PyTorch 0.80× (goal ≥ 1×) ✗');
    expect(line).toContain('W1 vs TF.js wasm 10× (goal ≥ 5×) ✓');
    expect(line).not.toContain('W2');
  });
});

describe('timeRoundRobin failures', () => {
  it('keeps the samples of a contender that throws later and goes on with the others', async () => {
    const log: string[] = [];
    const steady = fakeContender('engine', 1, log);
    const flaky = fakeContender('torch', 1, log);
    let calls = 0;
    const run = flaky.run.bind(flaky);
    flaky.run = async (steps: number) => {
      // warm-up calls run until ≥ 50 ms (1, then 60 steps); the 2nd measured round fails
      if (++calls === 4) throw new Error('child died');
      return run(steps);
    };
    const lines: string[] = [];
    const timings = await timeRoundRobin(
      [
        { contender: steady, firstStepMs: 1 },
        { contender: flaky, firstStepMs: 1 },
      ],
      plan,
      (line) => lines.push(line),
    );
    expect(timings.get('engine')!.samples).toHaveLength(4);
    expect(timings.get('torch')!.samples).toHaveLength(1);
    expect(lines.some((line) => line.includes('torch stopped in round 2: child died'))).toBe(true);
  });
});
