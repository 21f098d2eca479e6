/**
 * Fixes of the network's size and the batch's (issue 14): widen too-narrow layers, keep fewer of too many, both at
 * once, and batches large enough that a step follows more than one sample.
 */
import { setValue } from './edit';
import { matchingInit, setEach } from './spec-edits';
import { activationOf, describeLayers, info, widthOf, type LayerTable } from './targets';

export type SizeFixId = 'widen' | 'fewer-layers' | 'fewer-wider' | 'larger-batch' | 'fewer-wider+larger-batch';

export interface SizeFix {
  id: SizeFixId;
  title: string;
  layers: string[];
  apply(text: string): string;
}

/** Narrower than this, a ReLU layer is likely to die whole (Lu et al. 2019, "Dying ReLU and initialization"). */
const NARROW_WIDTH = 16;

/**
 * Below this batch size one sample's gradient steers every step ('larger-batch'): on the calibration half, deep
 * narrow ReLU stacks at batch 1 whose only fix was fewer, wider layers with a lower learning rate lost it on another
 * seed, the per-sample steps killing units or spiking the loss even in the shorter stack.
 */
const SMALL_BATCH = 8;
const LARGER_BATCH = 32;

/** Hidden layers a too-deep plain stack keeps ('fewer-layers'). */
const KEPT_LAYERS = 3;

const isRelu = (a: string | null): boolean => a === 'relu' || a === 'relu6';

/** The size fix `id` for the dense/conv layers `dense` (the finding's targets), or null where it does not apply. */
export function sizeFix(id: SizeFixId, dense: string[], ctx: LayerTable): SizeFix | null {
  switch (id) {
    case 'widen':
      return widen(dense, ctx);
    case 'fewer-layers':
      return fewerLayers(ctx);
    case 'fewer-wider':
      return fewerWider(ctx);
    case 'larger-batch':
      return largerBatch(ctx);
    case 'fewer-wider+larger-batch': {
      const shorter = fewerWider(ctx);
      const batch = largerBatch(ctx);
      if (!shorter || !batch) return null;
      return {
        id,
        layers: shorter.layers,
        title: `${shorter.title}, and train on batches of ${LARGER_BATCH} (was ${ctx.config.training.batchSize})`,
        apply: (t) => batch.apply(shorter.apply(t)),
      };
    }
  }
}

function widen(dense: string[], ctx: LayerTable): SizeFix | null {
  const layers = dense.filter((p) => (widthOf(ctx, p)?.width ?? Infinity) < NARROW_WIDTH);
  if (layers.length === 0) return null;
  const unit = layers.every((p) => widthOf(ctx, p)?.key === 'filters') ? 'filters' : 'units';
  return {
    id: 'widen',
    layers,
    title: `Widen ${describeLayers(layers)} to ${NARROW_WIDTH * 2} ${unit}`,
    apply: (t) => setEach(t, layers, (t2, p) => setValue(t2, `${p}/${widthOf(ctx, p)!.key}`, NARROW_WIDTH * 2)),
  };
}

/** The hidden layers of a plain dense stack deep enough to keep KEPT_LAYERS of them, else null. */
function deepDenseStack(ctx: LayerTable): string[] | null {
  if (!ctx.config.layers.every((l) => l.kind === 'dense')) return null;
  const hidden = ctx.config.layers.slice(0, -1).map((l) => l.path);
  return hidden.length < 2 * KEPT_LAYERS ? null : hidden;
}

/** A plain stack of dense layers deeper than it needs: keep the first KEPT_LAYERS hidden ones. */
function fewerLayers(ctx: LayerTable): SizeFix | null {
  const hidden = deepDenseStack(ctx);
  if (!hidden) return null;
  const removed = hidden.slice(KEPT_LAYERS);
  return {
    id: 'fewer-layers',
    layers: removed,
    title: `Remove ${describeLayers(removed)}: ${KEPT_LAYERS} hidden layers instead of ${hidden.length}`,
    apply: (t) => setEach(t, removed, (t2, p) => setValue(t2, p, undefined)),
  };
}

/**
 * A too-deep stack that is also too narrow: fewer layers alone leave units that die whole, widening alone leaves
 * the depth. Keep KEPT_LAYERS hidden layers, widen the narrow ones with the matching init, and let the kept ReLUs
 * leak (a dead unit stays dead; a leaky one recovers).
 */
function fewerWider(ctx: LayerTable): SizeFix | null {
  const hidden = deepDenseStack(ctx);
  if (!hidden) return null;
  const kept = hidden.slice(0, KEPT_LAYERS);
  const width = NARROW_WIDTH * 2;
  const narrow = kept.filter((p) => (info(ctx, p)?.outputWidth ?? width) < width);
  if (narrow.length === 0) return null;
  const removed = hidden.slice(KEPT_LAYERS);
  const relus = kept.filter((p) => isRelu(activationOf(ctx, p)));
  const leak = relus.length > 0 ? `, ${describeLayers(relus)} leaky ReLU` : '';
  return {
    id: 'fewer-wider',
    layers: [...kept, ...removed],
    title: `Keep ${KEPT_LAYERS} hidden layers of ${hidden.length} (remove ${describeLayers(removed)}), widen ${describeLayers(narrow)} to ${width} units with the matching init${leak}`,
    apply: (t) => {
      const shorter = setEach(t, removed, (t2, p) => setValue(t2, p, undefined));
      const leaky = setEach(shorter, relus, (t2, p) => setValue(t2, `${p}/activation`, 'leaky_relu'));
      return setEach(leaky, narrow, (t2, p) =>
        setValue(setValue(t2, `${p}/units`, width), `${p}/init`, matchingInit(activationOf(ctx, p))),
      );
    },
  };
}

function largerBatch(ctx: LayerTable): SizeFix | null {
  const batch = ctx.config.training.batchSize;
  if (!(batch < SMALL_BATCH)) return null;
  return {
    id: 'larger-batch',
    layers: [],
    title: `Train on batches of ${LARGER_BATCH} (was ${batch}): a step then follows more than one sample's gradient`,
    apply: (t) => setValue(t, '/training/batchSize', LARGER_BATCH),
  };
}
