/**
 * The four contenders behind one interface, each starting from the same SharedStart (batch + parameters).
 */
import type { BackendName } from '../src/engine/backend';
import type { HostParallelGemm } from '../src/node/gemm-helper';
import { createTrainer } from '../src/engine/train';
import type { Trainer } from '../src/engine/train';
import type { Contender } from './measure';
import { NaiveMlp } from './naive';
import { TfjsMlp } from './tfjs';
import type { TorchProcess } from './torch';
import { LEARNING_RATE, denseShapes, toDataset, toModelConfig } from './workloads';
import type { SharedStart, StepCheck, Workload } from './workloads';

/**
 * Steps each engine trainer is configured for. The trainer preallocates per-step loss arrays (16 bytes a step),
 * so this is large but not huge; a new trainer is built, outside the timed region, if a run would go past it.
 */
const ENGINE_STEPS_PER_TRAINER = 200_000;

async function timed<T>(work: () => T | Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

export function naiveContender(w: Workload, start: SharedStart): Contender {
  const mlp = new NaiveMlp(w, start, LEARNING_RATE);
  return {
    id: 'naive',
    async check() {
      const { value, ms } = await timed(() => mlp.check(start.x, start.y));
      return { check: value, ms };
    },
    async run(steps) {
      const t0 = performance.now();
      for (let s = 0; s < steps; s++) mlp.step(start.x, start.y);
      return performance.now() - t0;
    },
    async dispose() {},
  };
}

export function tfjsContender(w: Workload, start: SharedStart): Contender {
  const mlp = new TfjsMlp(w, start, LEARNING_RATE);
  return {
    id: 'tfjs',
    async check() {
      const { value, ms } = await timed(() => mlp.check());
      return { check: value, ms };
    },
    async run(steps) {
      const t0 = performance.now();
      for (let s = 0; s < steps; s++) mlp.step();
      return performance.now() - t0;
    },
    async dispose() {
      mlp.dispose();
    },
  };
}

export function torchContender(w: Workload, start: SharedStart, torch: TorchProcess): Contender {
  return {
    id: 'torch',
    check: () => torch.setup(w.name, w, start, LEARNING_RATE),
    run: (steps) => torch.measure(w.name, steps),
    dispose: () => torch.drop(w.name),
  };
}

/**
 * The engine on its WebAssembly kernels ('engine'), the same with a helper thread inside large matrix products
 * ('engine2': `parallel`, TrainOptions.parallel), or on its pure-TypeScript fallback ('engineJs').
 */
export function engineContender(
  w: Workload,
  start: SharedStart,
  seed: number,
  backend: BackendName,
  parallel?: HostParallelGemm,
): Contender {
  const build = (): Trainer => {
    const trainer = createTrainer(toModelConfig(w, ENGINE_STEPS_PER_TRAINER, seed), toDataset(w, start), {
      backend,
      parallel,
    });
    if (trainer.backend !== backend) throw new Error(`the ${backend} backend is not available here`);
    if (parallel && !parallel.available) throw new Error('the gemm helper thread is not available');
    copyStartIntoEngine(trainer, w, start);
    return trainer;
  };
  let trainer = build();
  let stepsLeft = ENGINE_STEPS_PER_TRAINER;
  return {
    id: backend === 'js' ? 'engineJs' : parallel ? 'engine2' : 'engine',
    async check() {
      const { ms } = await timed(() => trainer.step());
      stepsLeft--;
      return { check: engineCheck(trainer), ms };
    },
    async run(steps) {
      if (steps > stepsLeft) {
        trainer = build();
        stepsLeft = ENGINE_STEPS_PER_TRAINER;
      }
      const t0 = performance.now();
      for (let s = 0; s < steps; s++) trainer.step();
      const ms = performance.now() - t0;
      stepsLeft -= steps;
      return ms;
    },
    async dispose() {},
  };
}

/**
 * Overwrites the engine's initial parameters with the shared ones. Trainer.parameters() returns copies, so this
 * writes into the model's live arena views (trainer.model.parameters()). Dense W is [out, in] in both.
 */
function copyStartIntoEngine(trainer: Trainer, w: Workload, start: SharedStart): void {
  const live = trainer.model.parameters();
  denseShapes(w).forEach((shape, l) => {
    const path = `/layers/${l}`;
    const weight = live.find((p) => p.path === path && p.name === 'weight');
    const bias = live.find((p) => p.path === path && p.name === 'bias');
    if (!weight || !bias || weight.shape[0] !== shape.outputs || weight.shape[1] !== shape.inputs) {
      throw new Error(`engine parameters of ${path} are not a [${shape.outputs}, ${shape.inputs}] weight and a bias`);
    }
    weight.data.set(start.weights[l]!);
    bias.data.set(start.biases[l]!);
  });
}

/** Step 0 is always recorded in full: loss[0] and the weight-gradient norms of the first and last dense layers. */
function engineCheck(trainer: Trainer): StepCheck {
  const result = trainer.result();
  const weighted = result.layers.flatMap((layer, i) => (layer.hasWeights ? [i] : []));
  const first = weighted[0]!;
  const last = weighted[weighted.length - 1]!;
  return {
    loss: result.loss[0]!,
    firstGradNorm: result.series[first]!.gradNorm[0]!,
    lastGradNorm: result.series[last]!.gradNorm[0]!,
  };
}
