/**
 * The fix catalogue, keyed by finding kind. A candidate is a pure text → text transformation built from jsonc-parser
 * edits; `buildFix` turns it into one minimal TextEdit on the original text.
 */
import type { LayerInfo } from '../../engine/stats';
import type { Finding, FindingKind } from '../findings';
import { outputLayerIndex } from '../summary';
import { OPTIMIZER_DEFAULTS } from '../../spec/names';
import { edgeOfChaosSigmaW } from './edge-of-chaos';
import { diffEdit, setValue, wrapNode, type TextEdit } from './edit';
import { layerFix, type LayerFixId } from './layers';
import { sizeFix, type SizeFixId } from './size';
import {
  addBatchNorm,
  biasInitOf,
  initLabel,
  initName,
  isSaturatingName,
  matchingInit,
  round,
  setEach,
  switchToAdam,
} from './spec-edits';
import {
  ACTIVATED,
  activationOf,
  denseActivation,
  describeLayers,
  fanInOf,
  hiddenWeightedLayers,
  info,
  keepsShape,
  type LayerTable,
} from './targets';

export { describeLayers, hiddenWeightedLayers } from './targets';
export { matchingInit } from './spec-edits';

export type FixId = BaseFixId | `${BaseFixId}+lower-lr`;

type BaseFixId =
  | 'relu-he'
  | 'leaky-relu'
  | 'match-init'
  | 'batchnorm'
  | 'residual'
  | 'lower-lr'
  | 'raise-lr'
  | 'clip-norm'
  | 'adam'
  | 'zero-bias'
  | 'elu'
  | 'selu-lecun'
  | 'edge-of-chaos'
  | 'bce-output'
  | 'linear-output'
  | 'clip-norm+lower-lr'
  | 'relu-he+lower-lr'
  | 'default-lr'
  | LayerFixId
  | SizeFixId;

/** The spec's text, its configs and the layer table of the measured run (widths, activations), in spec order. */
export interface FixContext extends LayerTable {
  text: string;
}

export interface Candidate {
  id: FixId;
  title: string;
  /** Layers the fix changes (JSON Pointers); empty for model-wide settings. */
  layers: string[];
  apply(text: string): string;
}

/**
 * What is tried for each kind (AutoTrainer's repairs, ICSE'21, and VGNet's own): initialisation problems are fixed
 * by initialisation (symmetry and scale are not learning-rate problems), dying ReLU by activations that keep a
 * gradient below 0, and combinations where one change is not enough. Every candidate is measured; the ranking is
 * by the measured effect, then by the size of the edit.
 */
export const FIXES_BY_FINDING: Record<FindingKind, BaseFixId[]> = {
  vanishing: [
    'match-init',
    'edge-of-chaos',
    'relu-he',
    'batchnorm',
    'residual',
    'pre-ln',
    'adam',
    'raise-lr',
    'fewer-layers',
    'fewer-wider',
    'fewer-wider+larger-batch',
    'default-lr',
  ],
  exploding: [
    'match-init',
    'edge-of-chaos',
    'batchnorm',
    'pre-ln',
    'clip-norm',
    'lower-lr',
    'default-lr',
    'clip-norm+lower-lr',
  ],
  divergence: ['lower-lr', 'default-lr', 'clip-norm', 'clip-norm+lower-lr', 'match-init', 'adam', 'relu-he+lower-lr'],
  'dead-relu': [
    'leaky-relu',
    'elu',
    'selu-lecun',
    'widen',
    'match-init',
    'zero-bias',
    'lower-lr',
    'default-lr',
    'fewer-layers',
    'fewer-wider',
    'larger-batch',
    'fewer-wider+larger-batch',
  ],
  saturation: ['match-init', 'relu-he', 'edge-of-chaos', 'batchnorm', 'recurrent-defaults', 'lower-lr'],
  'output-saturation': ['bce-output', 'linear-output', 'match-init', 'lower-lr'],
  'poor-init': ['match-init'],
  'learning-rate-high': ['lower-lr', 'default-lr', 'clip-norm'],
  'learning-rate-low': ['raise-lr', 'adam'],
  'not-learning': [],
  // Through time the recurrent layer itself is the deep network: a gated carry, a norm-preserving kernel, fewer steps.
  'vanishing-through-time': ['lstm', 'gru', 'orthogonal-recurrent', 'identity-recurrent', 'shorter-sequences'],
  // Pascanu et al. 2013: clip the gradient norm; or stop the growth at its source.
  'exploding-through-time': [
    'clip-norm',
    'orthogonal-recurrent',
    'recurrent-defaults',
    'lstm',
    'gru',
    'lower-lr',
    'clip-norm+lower-lr',
    'shorter-sequences',
  ],
  'gate-saturation': ['recurrent-defaults', 'clip-norm', 'lower-lr', 'default-lr', 'clip-norm+lower-lr'],
};

/** Initialisers with a fixed scale (not fitted to the layer's fans): zeros, constant, uniform, normal. */
const FIXED_SCALE_INITS: ReadonlySet<string> = new Set(['zeros', 'constant', 'uniform', 'normal', 'ones']);

/**
 * Gradient-flow problems are caused along the whole backward path, not only where they show: a layer's gradient
 * vanishes because of every saturating layer between it and the output. So network-wide fixes for these kinds
 * target every hidden dense layer; the others target the layers the finding names.
 */
const PATH_WIDE: ReadonlySet<FindingKind> = new Set([
  'vanishing',
  'exploding',
  'saturation',
  'poor-init',
  'dead-relu',
  'divergence',
  'output-saturation',
]);

/** Fixes of recurrent layers (fixes/layers.ts), which a finding's path-wide targets would not reach. */
const RECURRENT_FIXES: ReadonlySet<BaseFixId> = new Set([
  'lstm',
  'gru',
  'orthogonal-recurrent',
  'identity-recurrent',
  'recurrent-defaults',
]);

/** Candidates for a finding; layer-scoped fixes apply to the affected layers (or only to `onlyLayer`). */
export function candidatesFor(finding: Finding, ctx: FixContext, onlyLayer?: string): Candidate[] {
  const targets =
    onlyLayer !== undefined
      ? [onlyLayer]
      : PATH_WIDE.has(finding.kind)
        ? hiddenWeightedLayers(ctx.layers)
        : finding.layers;
  // The path-wide dense/conv targets leave recurrent layers out: their own fixes also take the layers named.
  const named = onlyLayer !== undefined ? targets : [...new Set([...targets, ...finding.layers])];
  const out: Candidate[] = [];
  for (const id of FIXES_BY_FINDING[finding.kind]) {
    const candidate = makeCandidate(id, RECURRENT_FIXES.has(id) ? named : targets, ctx);
    if (candidate) out.push(candidate);
  }
  return out;
}

/** Every dense layer except the output layer, in spec order. */
export function hiddenDenseLayers(layers: LayerInfo[]): string[] {
  const output = outputLayerIndex(layers);
  return layers.filter((l, i) => l.kind === 'dense' && i !== output).map((l) => l.path);
}

/** The output layer, when its initialiser has a fixed scale (zeros, U(±3) …): re-initialised with the rest. */
function outputWithFixedInit(ctx: FixContext): string[] {
  const out = outputLayerIndex(ctx.layers);
  if (out < 0 || ctx.layers[out]!.kind !== 'dense') return [];
  const p = ctx.layers[out]!.path;
  return FIXED_SCALE_INITS.has(initName(ctx.text, p) ?? '') ? [p] : [];
}

/**
 * The linear output's re-initialisation of a fixed-scale output layer (N(0, 4²) …): a saturated output's weights are
 * what saturated it; without the squashing they make outputs of that scale, which mse then punishes — on the
 * calibration half a linear output that kept its N(0, 4²) weights ended at 6–170× the unfixed loss. (Binary
 * cross-entropy needs none: its gradient p − y does not vanish for large logits, and re-initialising them cost
 * output-saturation-16 its only verified fix.)
 */
function outputReinit(ctx: FixContext): { title: string; apply: (text: string) => string } {
  const output = outputWithFixedInit(ctx);
  if (output.length === 0) return { title: '', apply: (t) => t };
  const init = matchingInit('linear');
  return {
    title: `, and re-initialise it with ${initLabel(init)} init`,
    apply: (t) => setEach(t, output, (t2, p) => setValue(t2, `${p}/init`, init)),
  };
}

/** Switches `layers` to `activation` (and, when given, `init`); the output layer's fixed-scale init is matched. */
function activationSwitch(
  id: FixId,
  ctx: FixContext,
  dense: string[],
  from: (activation: string | null) => boolean,
  activation: string,
  init: string | null,
  label: string,
): Candidate | null {
  const layers = dense.filter((p) => {
    const a = activationOf(ctx, p);
    return from(a) && (a !== activation || (init !== null && initName(ctx.text, p) !== init));
  });
  if (layers.length === 0) return null;
  const output = init !== null ? outputWithFixedInit(ctx) : [];
  return {
    id,
    layers: [...layers, ...output],
    title: `Switch ${describeLayers(layers)} to ${label}`,
    apply: (t) => {
      let out = setEach(t, layers, (t2, p) => {
        const switched = setValue(t2, `${p}/activation`, activation);
        return init === null ? switched : setValue(switched, `${p}/init`, init);
      });
      for (const p of output) out = setValue(out, `${p}/init`, matchingInit(activationOf(ctx, p)));
      return out;
    },
  };
}

function makeCandidate(id: BaseFixId, targets: string[], ctx: FixContext): Candidate | null {
  // Dense and conv layers: the fixes below edit their activation, init, width and position alike.
  const dense = targets.filter((p) => ACTIVATED.has(info(ctx, p)?.kind ?? ''));
  const opt = ctx.config.optimizer;
  const range = describeLayers(dense);
  const isRelu = (a: string | null): boolean => a === 'relu' || a === 'relu6';
  switch (id) {
    case 'lstm':
    case 'gru':
    case 'orthogonal-recurrent':
    case 'identity-recurrent':
    case 'recurrent-defaults':
    case 'shorter-sequences':
    case 'pre-ln':
      return layerFix(id, targets, ctx.text, ctx.config);
    case 'widen':
    case 'fewer-layers':
    case 'fewer-wider':
    case 'larger-batch':
    case 'fewer-wider+larger-batch':
      return sizeFix(id, dense, ctx);
    case 'relu-he':
      return activationSwitch(id, ctx, dense, () => true, 'relu', 'he_normal', 'ReLU with He init');
    case 'leaky-relu':
      return activationSwitch(id, ctx, dense, isRelu, 'leaky_relu', null, 'leaky ReLU');
    case 'elu':
      return activationSwitch(id, ctx, dense, isRelu, 'elu', null, 'ELU');
    case 'selu-lecun':
      return activationSwitch(id, ctx, dense, isRelu, 'selu', 'lecun_normal', 'SELU with LeCun init');
    case 'relu-he+lower-lr': {
      const base = activationSwitch(id, ctx, dense, () => true, 'relu', 'he_normal', 'ReLU with He init');
      if (!base) return null;
      return {
        ...base,
        title: `${base.title}, and lower the learning rate ×0.1 (${opt.lr} → ${round(opt.lr * 0.1)})`,
        apply: (t) => setValue(base.apply(t), '/optimizer/lr', round(opt.lr * 0.1)),
      };
    }
    case 'match-init': {
      const layers = [...dense, ...outputWithFixedInit(ctx)].filter(
        (p, i, all) => all.indexOf(p) === i && initName(ctx.text, p) !== matchingInit(activationOf(ctx, p)),
      );
      if (layers.length === 0) return null;
      const names = [...new Set(layers.map((p) => matchingInit(activationOf(ctx, p))))];
      return {
        id,
        layers,
        title: `Use ${names.map(initLabel).join('/')} init for ${describeLayers(layers)}`,
        apply: (t) => setEach(t, layers, (t2, p) => setValue(t2, `${p}/init`, matchingInit(activationOf(ctx, p)))),
      };
    }
    case 'edge-of-chaos': {
      const scales = new Map<string, { sigma: number; std: number; activation: string }>();
      for (const p of dense) {
        const l = info(ctx, p);
        const a = l ? denseActivation(ctx.config, p) : null;
        if (!l || !a) continue;
        const sigma = edgeOfChaosSigmaW(a);
        if (sigma === null) continue;
        scales.set(p, { sigma, std: round(sigma / Math.sqrt(fanInOf(ctx, p))), activation: a.name });
      }
      const layers = [...scales.keys()];
      if (layers.length === 0) return null;
      const output = outputWithFixedInit(ctx);
      const names = [...new Set([...scales.values()].map((s) => `σ_w = ${s.sigma.toFixed(2)} (${s.activation})`))];
      return {
        id,
        layers: [...layers, ...output],
        title: `Edge-of-chaos init (χ = 1) for ${describeLayers(layers)}: N(0, σ_w²/fan_in) with ${names.join(', ')}`,
        apply: (t) => {
          let out = setEach(t, layers, (t2, p) =>
            setValue(t2, `${p}/init`, { name: 'normal', scale: scales.get(p)!.std }),
          );
          for (const p of output) out = setValue(out, `${p}/init`, matchingInit(activationOf(ctx, p)));
          return out;
        },
      };
    }
    case 'bce-output': {
      const out = ctx.layers[outputLayerIndex(ctx.layers)];
      if (!out || out.activation !== 'sigmoid' || ctx.config.loss !== 'mse' || out.outputWidth !== 1) return null;
      return {
        id,
        layers: [out.path],
        title: 'Train the sigmoid output with binary cross-entropy (the loss then takes its logits)',
        apply: (t) => setValue(t, '/loss', 'bce'),
      };
    }
    case 'linear-output': {
      const out = ctx.layers[outputLayerIndex(ctx.layers)];
      if (!out || out.kind !== 'dense' || !isSaturatingName(out.activation) || ctx.config.loss !== 'mse') return null;
      const reinit = outputReinit(ctx);
      return {
        id,
        layers: [out.path],
        title: `Make the output ${out.path} linear (mse needs no squashing)${reinit.title}`,
        apply: (t) => reinit.apply(setValue(t, `${out.path}/activation`, 'linear')),
      };
    }
    case 'clip-norm+lower-lr':
      return {
        id,
        layers: [],
        title: `Clip the gradient norm to 1.0 and lower the learning rate ×0.1 (${opt.lr} → ${round(opt.lr * 0.1)})`,
        apply: (t) => setValue(setValue(t, '/training/clipNorm', 1.0), '/optimizer/lr', round(opt.lr * 0.1)),
      };
    case 'batchnorm': {
      if (dense.length === 0) return null;
      return {
        id,
        layers: dense,
        title: `Add BatchNorm before the activation of ${range}`,
        apply: (t) => addBatchNorm(t, dense, ctx),
      };
    }
    case 'residual': {
      const layers = dense.filter((p) => {
        const l = info(ctx, p);
        return l !== undefined && keepsShape(l) && l.parent === -1;
      });
      if (layers.length === 0) return null;
      return {
        id,
        layers,
        title: `Wrap ${describeLayers(layers)} in residual blocks`,
        apply: (t) => setEach(t, layers, (t2, p) => wrapNode(t2, p, '{ "type": "residual", "layers": [', '] }')),
      };
    }
    case 'lower-lr':
      return {
        id,
        layers: [],
        title: `Lower the learning rate ×0.1 (${opt.lr} → ${round(opt.lr * 0.1)})`,
        apply: (t) => setValue(t, '/optimizer/lr', round(opt.lr * 0.1)),
      };
    case 'default-lr': {
      // A learning rate orders of magnitude too high: ×0.1 is not enough, the optimizer's usual rate is.
      const usual = OPTIMIZER_DEFAULTS[opt.type].lr;
      if (!(opt.lr >= 10 * usual) || round(opt.lr * 0.1) === usual) return null;
      return {
        id,
        layers: [],
        title: `Set the learning rate to ${opt.type}'s usual ${usual} (was ${opt.lr})`,
        apply: (t) => setValue(t, '/optimizer/lr', usual),
      };
    }
    case 'raise-lr':
      return {
        id,
        layers: [],
        title: `Raise the learning rate ×10 (${opt.lr} → ${round(opt.lr * 10)})`,
        apply: (t) => setValue(t, '/optimizer/lr', round(opt.lr * 10)),
      };
    case 'clip-norm':
      if (ctx.config.training.clipNorm !== null && ctx.config.training.clipNorm <= 1) return null;
      return {
        id,
        layers: [],
        title: 'Clip the gradient norm to 1.0',
        apply: (t) => setValue(t, '/training/clipNorm', 1.0),
      };
    case 'adam':
      if (opt.type === 'adam') return null;
      return { id, layers: [], title: 'Switch the optimizer to Adam (lr 0.001)', apply: (t) => switchToAdam(t) };
    case 'zero-bias': {
      const layers = targets.filter((p) => {
        const l = ctx.config && info(ctx, p);
        return l && ACTIVATED.has(l.kind) && biasInitOf(ctx.text, p) < 0;
      });
      if (layers.length === 0) return null;
      return {
        id,
        layers,
        title: `Start the biases of ${describeLayers(layers)} at 0`,
        apply: (t) => setEach(t, layers, (t2, p) => setValue(t2, `${p}/biasInit`, 0)),
      };
    }
  }
}

/**
 * The second round's combination (verify.ts): a candidate that removed its problem but let the training diverge or
 * run too fast, with the learning rate ×0.1 as well. Null when the candidate already lowers the rate.
 */
export function withLowerLr(candidate: Candidate, ctx: FixContext): Candidate | null {
  if (candidate.id.endsWith('lower-lr') || candidate.id === 'default-lr') return null;
  const lr = ctx.config.optimizer.lr;
  return {
    id: `${candidate.id as BaseFixId}+lower-lr`,
    layers: candidate.layers,
    title: `${candidate.title}, and lower the learning rate ×0.1 (${lr} → ${round(lr * 0.1)})`,
    apply: (t) => setValue(candidate.apply(t), '/optimizer/lr', round(lr * 0.1)),
  };
}

/** A candidate as a minimal edit on the original text. */
export function buildEdit(candidate: Candidate, text: string): TextEdit | null {
  return diffEdit(text, candidate.apply(text));
}
