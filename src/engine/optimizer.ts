/**
 * Optimisers with PyTorch's update rules (torch.optim, single-tensor path; the loops are in update-rules.ts and,
 * as SIMD, in wasm/update-codegen.ts). Weight decay is added to the gradient of weight matrices (dense weights,
 * residual projections) inside the update, as `weight_decay` does; never to biases, BatchNorm γ/β or prelu
 * slopes. State buffers live in the arena. An update can also measure ‖W‖² before it and ‖ΔW‖² of it per tensor
 * (for updateRatio), in float64.
 */
import type { Arena } from './arena';
import { JS_BACKEND, type Backend } from './backend';
import type { OptimizerConfig } from './config';
import type { ParamTensor } from './layers/layer';
import { adagradUpdate, adamUpdate } from './update-rules';
import type { AdagradStep, AdamStep, RmspropStep, SgdStep, UpdateNorms } from './update-rules';

export function isDecayed(p: ParamTensor): boolean {
  return p.name === 'weight' || p.name === 'projection';
}

export class Optimizer {
  /** ‖data‖² of each tensor before the last measured update. */
  readonly normSqBefore: Float64Array;
  /** ‖Δdata‖² of each tensor in the last measured update. */
  readonly deltaNormSq: Float64Array;
  /** Number of updates applied (Adam's t). */
  private stepCount = 0;
  /** sgd: momentum buffer; adam: first moment m; rmsprop: square average v. Null when the rule keeps none. */
  private readonly first: Array<Float32Array | null> = [];
  /** adam: second moment v; rmsprop: momentum buffer. */
  private readonly second: Array<Float32Array | null> = [];
  /** Per-step hyper-parameters, reused (no allocation per step). */
  private readonly sgdStep: SgdStep;
  private readonly adamStep: AdamStep;
  private readonly rmspropStep: RmspropStep;
  private readonly adagradStep: AdagradStep;
  private readonly adamwStep: AdamStep;
  private readonly norms: UpdateNorms = { before: 0, delta: 0 };

  constructor(
    private readonly config: OptimizerConfig,
    private readonly weightDecay: number,
    private readonly params: ParamTensor[],
    arena: Arena,
    private readonly backend: Backend = JS_BACKEND,
  ) {
    this.normSqBefore = new Float64Array(params.length);
    this.deltaNormSq = new Float64Array(params.length);
    const needsFirst = config.type !== 'sgd' || config.momentum !== 0;
    const needsSecond =
      config.type === 'adam' || config.type === 'adamw' || (config.type === 'rmsprop' && config.momentum > 0);
    for (const p of params) {
      const first = needsFirst ? arena.alloc(p.data.length) : null;
      // Adagrad's accumulator starts at initial_accumulator_value (the arena is zeroed).
      if (first && config.type === 'adagrad') first.fill(config.initialAccumulator ?? 0);
      this.first.push(first);
      this.second.push(needsSecond ? arena.alloc(p.data.length) : null);
    }
    const { lr, momentum, nesterov, beta1, beta2, eps, rho } = config;
    this.sgdStep = { lr, decay: 0, momentum, nesterov, firstStep: true };
    this.adamStep = { decay: 0, beta1, beta2, eps, stepSize: lr, sqrtCorrection2: 1 };
    this.rmspropStep = { lr, decay: 0, rho, eps, momentum };
    this.adagradStep = { lr, decay: 0, eps };
    this.adamwStep = { ...this.adamStep, shrink: 0 };
  }

  /** Applies one update to every parameter from its (already clipped) gradient; measures the norms when asked. */
  step(measureNorms = true): void {
    this.stepCount++;
    const t = this.stepCount;
    this.sgdStep.firstStep = t === 1;
    this.adamStep.stepSize = this.config.lr / (1 - Math.pow(this.config.beta1, t));
    this.adamStep.sqrtCorrection2 = Math.sqrt(1 - Math.pow(this.config.beta2, t));
    this.adamwStep.stepSize = this.adamStep.stepSize;
    this.adamwStep.sqrtCorrection2 = this.adamStep.sqrtCorrection2;
    const norms = measureNorms ? this.norms : null;
    for (let i = 0; i < this.params.length; i++) {
      this.update(i, isDecayed(this.params[i]!) ? this.weightDecay : 0, norms);
      if (norms) {
        this.normSqBefore[i] = norms.before;
        this.deltaNormSq[i] = norms.delta;
      }
    }
  }

  private update(i: number, decay: number, norms: UpdateNorms | null): void {
    const { data, grad } = this.params[i]!;
    switch (this.config.type) {
      case 'sgd':
        this.sgdStep.decay = decay;
        return this.backend.sgd(data, grad, this.first[i] ?? null, this.sgdStep, norms);
      case 'adam':
        this.adamStep.decay = decay;
        return this.backend.adam(data, grad, this.first[i]!, this.second[i]!, this.adamStep, norms);
      case 'rmsprop':
        this.rmspropStep.decay = decay;
        return this.backend.rmsprop(data, grad, this.first[i]!, this.second[i] ?? null, this.rmspropStep, norms);
      // Reference loops (update-rules.ts) on the arena's views: no SIMD version of these two yet.
      case 'adagrad':
        this.adagradStep.decay = decay;
        return adagradUpdate(data, grad, this.first[i]!, this.adagradStep, norms);
      case 'adamw':
        // L2 (training.weightDecay) is refused with adamw by the spec; its own decay is decoupled.
        this.adamwStep.shrink = isDecayed(this.params[i]!) ? this.config.lr * (this.config.weightDecay ?? 0.01) : 0;
        return adamUpdate(data, grad, this.first[i]!, this.second[i]!, this.adamwStep, norms);
      default:
        throw new Error(`unknown optimizer "${this.config.type as string}"`);
    }
  }
}
