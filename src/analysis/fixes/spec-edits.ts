/**
 * The text edits the catalogue's fixes are made of (catalog.ts): switching the optimizer member by member, inserting
 * BatchNorm, reading an init or a bias as written. Comments and layout survive (edit.ts).
 */
import { ALL_OPTIMIZER_KEYS, OPTIMIZER_KEYS } from '../../spec/names';
import { insertAfterElement, lastFirst, nodeAt, setMembers, setValue } from './edit';
import { activationOf, type LayerTable } from './targets';

/**
 * Adam at lr 0.001 (Kingma & Ba 2015's default), member by member so comments in "optimizer" survive; options Adam
 * has no use for (momentum, nesterov, rho) go, Adam's own (beta1, beta2, eps) and unknown keys stay as written.
 */
export function switchToAdam(text: string): string {
  const optimizer = nodeAt(text, '/optimizer');
  if (optimizer?.type !== 'object') return setValue(text, '/optimizer', { type: 'adam', lr: 0.001 });
  const keys = (optimizer.children ?? [])
    .map((p) => p.children?.[0]?.value)
    .filter((k): k is string => typeof k === 'string');
  const known: readonly string[] = ALL_OPTIMIZER_KEYS;
  const drop = keys.filter((k) => known.includes(k) && !OPTIMIZER_KEYS.adam.includes(k));
  return setMembers(text, '/optimizer', { type: 'adam', lr: 0.001 }, drop);
}

/** Applies a per-layer edit from the end of the document backwards so earlier pointers stay valid. */
export function setEach(text: string, layers: string[], edit: (text: string, pointer: string) => string): string {
  let out = text;
  for (const p of lastFirst(text, layers)) out = edit(out, p);
  return out;
}

/** dense(act) → dense(linear), batchnorm, activation(act): normalised pre-activations (Ioffe & Szegedy 2015). */
export function addBatchNorm(text: string, layers: string[], ctx: LayerTable): string {
  return setEach(text, layers, (t, p) => {
    const activation = activationOf(ctx, p) ?? 'linear';
    if (activation === 'linear') return insertAfterElement(t, p, [{ type: 'batchnorm' }]);
    const inserted = insertAfterElement(t, p, [
      { type: 'batchnorm' },
      { type: 'activation', activation: activationValue(t, p) },
    ]);
    return setValue(inserted, `${p}/activation`, 'linear');
  });
}

/** The activation as written (string or object form), so options like alpha survive the move. */
export function activationValue(text: string, pointer: string): unknown {
  const node = nodeAt(text, `${pointer}/activation`);
  if (!node) return 'linear';
  try {
    return JSON.parse(text.slice(node.offset, node.offset + node.length));
  } catch {
    return 'linear';
  }
}

export function isSaturatingName(activation: string | null): boolean {
  return (
    activation === 'sigmoid' || activation === 'tanh' || activation === 'hard_sigmoid' || activation === 'softsign'
  );
}

export function initName(text: string, pointer: string): string | null {
  const node = nodeAt(text, `${pointer}/init`);
  if (!node) return null;
  if (node.type === 'string') return node.value as string;
  const name = node.children?.find((c) => c.children?.[0]?.value === 'name')?.children?.[1];
  return typeof name?.value === 'string' ? name.value : null;
}

export function biasInitOf(text: string, pointer: string): number {
  const node = nodeAt(text, `${pointer}/biasInit`);
  return typeof node?.value === 'number' ? node.value : 0;
}

export function initLabel(name: string): string {
  return name === 'he_normal' ? 'He' : name === 'glorot_uniform' ? 'Glorot' : name;
}

export function round(x: number): number {
  return Number(x.toPrecision(3));
}

/** Activations that get He init (matchingInit). */
const RELU_FAMILY = new Set(['relu', 'leaky_relu', 'prelu', 'elu', 'selu', 'gelu', 'swish']);

/**
 * The init that matches an activation: LeCun normal for SELU (Klambauer et al. 2017), He for the ReLU family,
 * Glorot otherwise (Glorot & Bengio 2010; He et al. 2015).
 */
export function matchingInit(activation: string | null): string {
  if (activation === 'selu') return 'lecun_normal';
  return activation !== null && RELU_FAMILY.has(activation) ? 'he_normal' : 'glorot_uniform';
}
