/**
 * Optimizer updates as WebAssembly SIMD: the update rules of update-rules.ts (PyTorch's torch.optim, single-tensor
 * path) in float32 lanes. Parameters: (w, g, ...state arrays, n, measure, slot, ...float32 hyper-parameters, decay).
 * Weight decay is added to the gradient first (g += decay·w, decay 0 for tensors that are not decayed). When
 * `measure` ≠ 0 the update also sums ‖w‖² before it and ‖Δw‖² of it in float64 and stores both doubles at `slot`
 * (the trainer needs them only on recorded steps, so the other steps skip that work).
 *   sgd(w, g, n, measure, slot, lr, decay)                                       w −= lr·g
 *   sgdMomentum / sgdNesterov(w, g, buf, n, measure, slot, lr, bufMomentum, momentum, decay)
 *       buf = bufMomentum·buf + g (bufMomentum is 0 on the first step: buf = g); w −= lr·buf, or lr·(g + μ·buf)
 *   adam(w, g, m, v, n, measure, slot, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, sqrtCorrection2, eps, decay)
 *   rmsprop(w, g, v, n, measure, slot, lr, rho, oneMinusRho, eps, decay)
 *   rmspropMomentum(w, g, v, buf, n, measure, slot, lr, rho, oneMinusRho, eps, momentum, decay)
 */
import {
  addSquaresF64,
  type I,
  i32Params,
  loadFloats,
  mapVectors,
  storeFloats,
  sumF64Lanes,
  type V,
  locals,
} from './codegen-helpers';
import { FunctionBuilder, type ExportedFunction, type Expr } from './emitter';

/** What a rule sees for one vector of lanes: the old weights, the decayed gradient, its state vectors. */
interface Lanes {
  f: FunctionBuilder;
  wOld: V;
  grad: V;
  /** Receives the new weights. */
  wNew: V;
  state: V[];
  /** Hyper-parameters splatted to four lanes, by name. */
  h: Record<string, V>;
  /** Stores state[i] back to its array. */
  storeState(i: number): void;
}

type Rule = (lanes: Lanes) => void;

export function updateFunctions(): ExportedFunction[] {
  return [
    { name: 'sgd', builder: updateFunction(0, ['lr'], sgd) },
    { name: 'sgdMomentum', builder: updateFunction(1, ['lr', 'bufMomentum', 'momentum'], sgdMomentum(false)) },
    { name: 'sgdNesterov', builder: updateFunction(1, ['lr', 'bufMomentum', 'momentum'], sgdMomentum(true)) },
    {
      name: 'adam',
      builder: updateFunction(
        2,
        ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'stepSize', 'sqrtCorrection2', 'eps'],
        adam,
      ),
    },
    { name: 'rmsprop', builder: updateFunction(1, ['lr', 'rho', 'oneMinusRho', 'eps'], rmsprop(false)) },
    {
      name: 'rmspropMomentum',
      builder: updateFunction(2, ['lr', 'rho', 'oneMinusRho', 'eps', 'momentum'], rmsprop(true)),
    },
  ];
}

/** w −= lr·g */
const sgd: Rule = ({ f, wOld, grad, wNew, h }) => {
  f.set(wNew, f.f32x4Sub(f.get(wOld), f.f32x4Mul(f.get(h.lr!), f.get(grad))));
};

/** buf = bufMomentum·buf + g; w −= lr·(nesterov ? g + μ·buf : buf) */
function sgdMomentum(nesterov: boolean): Rule {
  return ({ f, wOld, grad, wNew, state, h, storeState }) => {
    const buf = state[0]!;
    f.set(buf, f.f32x4Add(f.f32x4Mul(f.get(h.bufMomentum!), f.get(buf)), f.get(grad)));
    storeState(0);
    if (nesterov) f.set(grad, f.f32x4Add(f.get(grad), f.f32x4Mul(f.get(h.momentum!), f.get(buf))));
    else f.set(grad, f.get(buf));
    f.set(wNew, f.f32x4Sub(f.get(wOld), f.f32x4Mul(f.get(h.lr!), f.get(grad))));
  };
}

/** m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; w −= stepSize·m / (√v/√(1−β₂ᵗ) + eps) */
const adam: Rule = ({ f, wOld, grad, wNew, state, h, storeState }) => {
  const [m, v] = [state[0]!, state[1]!];
  f.set(m, f.f32x4Add(f.f32x4Mul(f.get(h.beta1!), f.get(m)), f.f32x4Mul(f.get(h.oneMinusBeta1!), f.get(grad))));
  storeState(0);
  f.set(
    v,
    f.f32x4Add(
      f.f32x4Mul(f.get(h.beta2!), f.get(v)),
      f.f32x4Mul(f.f32x4Mul(f.get(h.oneMinusBeta2!), f.get(grad)), f.get(grad)),
    ),
  );
  storeState(1);
  const denominator = (): Expr<'v128'> =>
    f.f32x4Add(f.f32x4Div(f.f32x4Sqrt(f.get(v)), f.get(h.sqrtCorrection2!)), f.get(h.eps!));
  f.set(wNew, f.f32x4Sub(f.get(wOld), f.f32x4Div(f.f32x4Mul(f.get(h.stepSize!), f.get(m)), denominator())));
};

/** v = ρv + (1−ρ)g²; u = g/(√v + eps); momentum: buf = μ·buf + u, w −= lr·buf; else w −= lr·u */
function rmsprop(withMomentum: boolean): Rule {
  return ({ f, wOld, grad, wNew, state, h, storeState }) => {
    const v = state[0]!;
    f.set(
      v,
      f.f32x4Add(
        f.f32x4Mul(f.get(h.rho!), f.get(v)),
        f.f32x4Mul(f.f32x4Mul(f.get(h.oneMinusRho!), f.get(grad)), f.get(grad)),
      ),
    );
    storeState(0);
    f.set(grad, f.f32x4Div(f.get(grad), f.f32x4Add(f.f32x4Sqrt(f.get(v)), f.get(h.eps!))));
    if (withMomentum) {
      const buf = state[1]!;
      f.set(buf, f.f32x4Add(f.f32x4Mul(f.get(h.momentum!), f.get(buf)), f.get(grad)));
      storeState(1);
      f.set(grad, f.get(buf));
    }
    f.set(wNew, f.f32x4Sub(f.get(wOld), f.f32x4Mul(f.get(h.lr!), f.get(grad))));
  };
}

/** The loop around a rule: loads, decay, stores, and (when measuring) the two float64 norms. */
function updateFunction(stateCount: number, names: readonly string[], rule: Rule): FunctionBuilder {
  const f = new FunctionBuilder();
  const [w, g, ...rest] = i32Params(f, 2 + stateCount + 3);
  const statePointers = rest.slice(0, stateCount);
  const [n, measure, slot] = rest.slice(stateCount) as [I, I, I];
  const scalarParams = [...names, 'decay'].map((name) => [name, f.param('f32')] as const);
  const h: Record<string, V> = {};
  for (const [name] of scalarParams) h[name] = f.local('v128');
  const [wOld, grad, wNew, t, before0, before1, delta0, delta1] = locals(f, 'v128', 8);
  const state = statePointers.map(() => f.local('v128'));
  for (const [name, param] of scalarParams) f.set(h[name]!, f.f32x4Splat(f.get(param)));
  for (const acc of [before0, before1, delta0, delta1]) f.set(acc, f.v128Zero());
  const loop = (measuring: boolean): void =>
    mapVectors(f, n, [w!, g!, ...statePointers], (width) => {
      f.set(
        wOld,
        loadFloats(f, width, () => f.get(w!)),
      );
      f.set(
        grad,
        f.f32x4Add(
          loadFloats(f, width, () => f.get(g!)),
          f.f32x4Mul(f.get(h.decay!), f.get(wOld)),
        ),
      );
      statePointers.forEach((p, i) =>
        f.set(
          state[i]!,
          loadFloats(f, width, () => f.get(p)),
        ),
      );
      const storeState = (i: number): void => storeFloats(f, width, () => f.get(statePointers[i]!), state[i]!);
      rule({ f, wOld, grad, wNew, state, h, storeState });
      storeFloats(f, width, () => f.get(w!), wNew);
      if (!measuring) return;
      addSquaresF64(f, before0, before1, wOld, t);
      f.set(t, f.f32x4Sub(f.get(wNew), f.get(wOld)));
      f.set(grad, f.get(t)); // addSquaresF64 clobbers t
      addSquaresF64(f, delta0, delta1, grad, t);
    });
  f.ifElse(
    f.get(measure),
    () => {
      loop(true);
      f.f64Store(f.get(slot), sumF64Lanes(f, before0, before1));
      f.f64Store(f.get(slot), sumF64Lanes(f, delta0, delta1), 8);
    },
    () => loop(false),
  );
  return f;
}
