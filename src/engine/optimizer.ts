/**
 * Optimisers with PyTorch's update rules (torch.optim, single-tensor path). Weight decay is added to the
 * gradient of weight matrices (dense weights, residual projections) inside the update, as `weight_decay` does;
 * never to biases, BatchNorm γ/β or prelu slopes. State buffers live in the arena.
 * Each update also measures ‖W‖² before it and ‖ΔW‖² of it per tensor (for updateRatio), in float64.
 */
import type { Arena } from './arena';
import type { OptimizerConfig } from './config';
import type { ParamTensor } from './layers/layer';

export function isDecayed(p: ParamTensor): boolean {
  return p.name === 'weight' || p.name === 'projection';
}

export class Optimizer {
  /** ‖data‖² of each tensor before the last update. */
  readonly normSqBefore: Float64Array;
  /** ‖Δdata‖² of each tensor in the last update. */
  readonly deltaNormSq: Float64Array;
  /** Number of updates applied (Adam's t). */
  private stepCount = 0;
  /** sgd: momentum buffer; adam: first moment m; rmsprop: square average v. */
  private readonly first: Float32Array[] = [];
  /** adam: second moment v; rmsprop: momentum buffer. */
  private readonly second: Float32Array[] = [];

  constructor(private readonly config: OptimizerConfig, private readonly weightDecay: number,
    private readonly params: ParamTensor[], arena: Arena) {
    this.normSqBefore = new Float64Array(params.length);
    this.deltaNormSq = new Float64Array(params.length);
    const needsFirst = config.type !== 'sgd' || config.momentum !== 0;
    const needsSecond = config.type === 'adam' || (config.type === 'rmsprop' && config.momentum !== 0);
    for (const p of params) {
      this.first.push(needsFirst ? arena.alloc(p.data.length) : p.grad.subarray(0, 0));
      this.second.push(needsSecond ? arena.alloc(p.data.length) : p.grad.subarray(0, 0));
    }
  }

  /** Applies one update to every parameter from its (already clipped) gradient. */
  step(): void {
    this.stepCount++;
    for (let t = 0; t < this.params.length; t++) {
      const p = this.params[t]!;
      const decay = isDecayed(p) ? this.weightDecay : 0;
      const data = p.data;
      let before = 0;
      for (let i = 0; i < data.length; i++) before += data[i]! * data[i]!;
      this.normSqBefore[t] = before;
      switch (this.config.type) {
        case 'sgd': this.deltaNormSq[t] = this.sgd(p, decay, this.first[t]!); break;
        case 'adam': this.deltaNormSq[t] = this.adam(p, decay, this.first[t]!, this.second[t]!); break;
        case 'rmsprop': this.deltaNormSq[t] = this.rmsprop(p, decay, this.first[t]!, this.second[t]!); break;
        default: throw new Error(`unknown optimizer "${this.config.type as string}"`);
      }
    }
  }

  /** g += λw; buf = μ·buf + g (buf = g on the first step); g = nesterov ? g + μ·buf : buf; w −= lr·g */
  private sgd(p: ParamTensor, decay: number, buf: Float32Array): number {
    const { lr, momentum, nesterov } = this.config;
    const { data: w, grad } = p;
    const first = this.stepCount === 1;
    let delta = 0;
    for (let i = 0; i < w.length; i++) {
      let g = grad[i]! + decay * w[i]!;
      if (momentum !== 0) {
        const b = first ? g : momentum * buf[i]! + g;
        buf[i] = b;
        g = nesterov ? g + momentum * b : b;
      }
      const old = w[i]!;
      w[i] = old - lr * g;
      const d = w[i]! - old;
      delta += d * d;
    }
    return delta;
  }

  /** m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; w −= lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + eps) */
  private adam(p: ParamTensor, decay: number, m: Float32Array, v: Float32Array): number {
    const { lr, beta1, beta2, eps } = this.config;
    const { data: w, grad } = p;
    const stepSize = lr / (1 - Math.pow(beta1, this.stepCount));
    const sqrtCorrection2 = Math.sqrt(1 - Math.pow(beta2, this.stepCount));
    let delta = 0;
    for (let i = 0; i < w.length; i++) {
      const g = grad[i]! + decay * w[i]!;
      m[i] = beta1 * m[i]! + (1 - beta1) * g;
      v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
      const denominator = Math.sqrt(v[i]!) / sqrtCorrection2 + eps;
      const old = w[i]!;
      w[i] = old - (stepSize * m[i]!) / denominator;
      const d = w[i]! - old;
      delta += d * d;
    }
    return delta;
  }

  /** v = ρv + (1−ρ)g²; a = √v + eps; momentum: buf = μ·buf + g/a, w −= lr·buf; else w −= lr·g/a */
  private rmsprop(p: ParamTensor, decay: number, v: Float32Array, buf: Float32Array): number {
    const { lr, rho, eps, momentum } = this.config;
    const { data: w, grad } = p;
    let delta = 0;
    for (let i = 0; i < w.length; i++) {
      const g = grad[i]! + decay * w[i]!;
      v[i] = rho * v[i]! + (1 - rho) * g * g;
      let update = g / (Math.sqrt(v[i]!) + eps);
      if (momentum > 0) {
        buf[i] = momentum * buf[i]! + update;
        update = buf[i]!;
      }
      const old = w[i]!;
      w[i] = old - lr * update;
      const d = w[i]! - old;
      delta += d * d;
    }
    return delta;
  }
}
