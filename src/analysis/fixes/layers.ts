/**
 * Repairs of the recurrent, conv and LayerNorm layers (issue 15), as text → text transformations like the rest of
 * the catalogue (catalog.ts): each is offered only where it applies and verified by training it (verify.ts).
 *   - SimpleRNN → LSTM or GRU: a gated carry that passes the gradient through time with the forget (update) gate's
 *     gain instead of σ_u²·E[φ′²] (Hochreiter & Schmidhuber 1997; Cho et al. 2014).
 *   - An orthogonal recurrent kernel (norm-preserving, Saxe et al. 2014; Henaff et al. 2016), or an identity one
 *     (IRNN, Le et al. 2015); or both kernels back to Keras' defaults (Glorot input kernel, orthogonal recurrent
 *     kernel): gates whose pre-activations start far beyond ±5 never learn.
 *   - Shorter sequences: fewer steps for the gradient to cross (the data section's "length", halved).
 *   - Pre-LN: a LayerNorm after each residual block (post-LN, x ← LN(x + f(x))) divides the gradient by the block's
 *     output spread at every block; moved to the front of the branch (x + f(LN(x))) the skip carries it unchanged
 *     (Xiong et al. 2020, "On Layer Normalization in the Transformer Architecture").
 */
import type { LayerConfig, ModelConfig, RecurrentConfig } from '../../engine/config';
import { parse } from 'jsonc-parser';
import { compactJson, eolOf, lastFirst, nodeAt, setValue } from './edit';

export type LayerFixId =
  | 'lstm'
  | 'gru'
  | 'orthogonal-recurrent'
  | 'identity-recurrent'
  | 'recurrent-defaults'
  | 'shorter-sequences'
  | 'pre-ln';

export interface LayerFix {
  id: LayerFixId;
  title: string;
  layers: string[];
  apply(text: string): string;
}

/** Every layer config of the model, residual branches included, in spec order. */
export function allLayers(config: ModelConfig): LayerConfig[] {
  const out: LayerConfig[] = [];
  const walk = (layers: readonly LayerConfig[]): void => {
    for (const l of layers) {
      out.push(l);
      if (l.kind === 'residual') walk(l.layers);
    }
  };
  walk(config.layers);
  return out;
}

function recurrentLayers(config: ModelConfig, paths: readonly string[]): RecurrentConfig[] {
  return allLayers(config).filter(
    (l): l is RecurrentConfig =>
      (l.kind === 'simple_rnn' || l.kind === 'lstm' || l.kind === 'gru') && paths.includes(l.path),
  );
}

/** The default recurrent kernel: orthogonal with gain 1. */
function isUnitOrthogonal(layer: RecurrentConfig): boolean {
  return layer.recurrentInit.name === 'orthogonal' && layer.recurrentInit.scale === 1;
}

/** "/layers/0" or "/layers/0 and /layers/2". */
function names(paths: string[]): string {
  return paths.length <= 2 ? paths.join(' and ') : `${paths[0]}–${paths[paths.length - 1]} (${paths.length} layers)`;
}

/** Applies an edit per pointer from the end of the document, so earlier pointers stay valid. */
function eachLastFirst(text: string, pointers: string[], edit: (t: string, p: string) => string): string {
  let out = text;
  for (const p of lastFirst(text, pointers)) out = edit(out, p);
  return out;
}

/** The fix `id` for the layers a finding names (`targets`), or null where it does not apply. */
export function layerFix(
  id: LayerFixId,
  targets: readonly string[],
  text: string,
  config: ModelConfig,
): LayerFix | null {
  switch (id) {
    case 'lstm':
    case 'gru':
      return gatedFix(id, targets, config);
    case 'orthogonal-recurrent': {
      const layers = recurrentLayers(config, targets)
        .filter((l) => !isUnitOrthogonal(l))
        .map((l) => l.path);
      if (layers.length === 0) return null;
      return {
        id,
        layers,
        title: `Initialise the recurrent kernel of ${names(layers)} orthogonal (gain 1: every step preserves the gradient's norm)`,
        apply: (t) => eachLastFirst(t, layers, (t2, p) => setValue(t2, `${p}/recurrentInit`, 'orthogonal')),
      };
    }
    case 'identity-recurrent': {
      const layers = recurrentLayers(config, targets)
        .filter((l) => l.kind === 'simple_rnn' && l.recurrentInit.name !== 'identity')
        .map((l) => l.path);
      if (layers.length === 0) return null;
      return {
        id,
        layers,
        title: `Initialise the recurrent kernel of ${names(layers)} to the identity (IRNN, Le et al. 2015: h_t starts as h_{t−1} plus the input)`,
        apply: (t) => eachLastFirst(t, layers, (t2, p) => setValue(t2, `${p}/recurrentInit`, 'identity')),
      };
    }
    case 'recurrent-defaults': {
      const layers = recurrentLayers(config, targets)
        .filter((l) => l.init.name !== 'glorot_uniform' || !isUnitOrthogonal(l))
        .map((l) => l.path);
      if (layers.length === 0) return null;
      return {
        id,
        layers,
        title: `Use the default initialisers of ${names(layers)} (Glorot input kernel, orthogonal recurrent kernel)`,
        apply: (t) =>
          eachLastFirst(t, layers, (t2, p) =>
            setValue(setValue(t2, `${p}/recurrentInit`, 'orthogonal'), `${p}/init`, 'glorot_uniform'),
          ),
      };
    }
    case 'shorter-sequences':
      return shorterSequences(targets, text);
    case 'pre-ln':
      return preLayerNorm(config);
  }
}

/** SimpleRNN → LSTM/GRU: the type changes, "activation" goes (gated layers take none); every other key stays. */
function gatedFix(id: 'lstm' | 'gru', targets: readonly string[], config: ModelConfig): LayerFix | null {
  const layers = recurrentLayers(config, targets)
    .filter((l) => l.kind === 'simple_rnn')
    .map((l) => l.path);
  if (layers.length === 0) return null;
  const what =
    id === 'lstm'
      ? 'an LSTM (its forget gate carries the gradient through time)'
      : 'a GRU (its update gate carries the gradient through time)';
  return {
    id,
    layers,
    title: `Make ${names(layers)} ${what}`,
    apply: (t) =>
      eachLastFirst(t, layers, (t2, p) => {
        const typed = setValue(t2, `${p}/type`, id);
        return removeMember(typed, `${p}/activation`);
      }),
  };
}

/**
 * Removes the member at `pointer` with its comma, as written: jsonc-parser's removal would re-lay out a one-line
 * object over several lines. The comma after it goes when there is one, else the one before it.
 */
function removeMember(text: string, pointer: string): string {
  const property = nodeAt(text, pointer)?.parent;
  if (property?.type !== 'property') return text;
  const start = property.offset;
  const end = property.offset + property.length;
  const after = /^\s*,[ \t]*/.exec(text.slice(end));
  if (after) return text.slice(0, start) + text.slice(end + after[0].length);
  const before = /,\s*$/.exec(text.slice(0, start));
  return before ? text.slice(0, before.index) + text.slice(end) : text.slice(0, start) + text.slice(end);
}

/**
 * Removes the array element at `pointer` with its comma, as written (jsonc-parser's removal re-lays out the elements
 * after it): a whole line when the element has its own line, else the element and the comma after (or before) it.
 */
function removeElement(text: string, pointer: string): string {
  const node = nodeAt(text, pointer);
  if (!node) return text;
  const start = node.offset;
  const end = node.offset + node.length;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const after = /^[ \t]*,?[ \t]*(\r?\n)?/.exec(text.slice(end))![0];
  const ownLine = text.slice(lineStart, start).trim() === '' && after.endsWith('\n') && after.includes(',');
  if (ownLine) return text.slice(0, lineStart) + text.slice(end + after.length);
  const comma = /^\s*,[ \t]*/.exec(text.slice(end));
  if (comma) return text.slice(0, start) + text.slice(end + comma[0].length);
  const before = /,\s*$/.exec(text.slice(0, start));
  return before ? text.slice(0, before.index) + text.slice(end) : text.slice(0, start) + text.slice(end);
}

/** Sequences this short are not shortened further. */
const MIN_LENGTH = 4;

/**
 * Halves the data section's "length" (the generated sequences' steps), and the model input's step count when the
 * spec writes it as a shape whose first entry is that length.
 */
function shorterSequences(targets: readonly string[], text: string): LayerFix | null {
  const node = nodeAt(text, '/data/length');
  if (node?.type !== 'number' || typeof node.value !== 'number' || node.value < MIN_LENGTH) return null;
  const length = node.value;
  const half = Math.floor(length / 2);
  const input = nodeAt(text, '/input');
  const writesSteps = input?.type === 'array' && input.children?.[0]?.value === length;
  return {
    id: 'shorter-sequences',
    layers: [...targets],
    title: `Halve the sequences (data length ${length} → ${half}): fewer steps for the gradient to cross`,
    apply: (t) => {
      const shorter = setValue(t, '/data/length', half);
      return writesSteps ? setValue(shorter, '/input/0', half) : shorter;
    },
  };
}

/** Each residual block directly followed by a LayerNorm in the same list (post-LN), as [block, layernorm] pointers. */
function postLnPairs(config: ModelConfig): { block: string; norm: string }[] {
  const pairs: { block: string; norm: string }[] = [];
  const walk = (layers: readonly LayerConfig[]): void => {
    layers.forEach((l, i) => {
      const next = layers[i + 1];
      if (l.kind === 'residual') {
        if (next?.kind === 'layernorm') pairs.push({ block: l.path, norm: next.path });
        walk(l.layers);
      }
    });
  };
  walk(config.layers);
  return pairs;
}

/**
 * Post-LN → pre-LN: each LayerNorm that follows a residual block moves to the front of that block's branch, written
 * as it was (its eps kept). The later pair first, and in a pair the LayerNorm (after the block) before the block's
 * branch, so every pointer still in use stays valid.
 */
function preLayerNorm(config: ModelConfig): LayerFix | null {
  const pairs = postLnPairs(config);
  if (pairs.length === 0) return null;
  const norms = new Map(pairs.map((p) => [p.norm, p.block]));
  return {
    id: 'pre-ln',
    layers: pairs.map((p) => p.block),
    title: `Pre-LN: move the LayerNorm after ${pairs.length === 1 ? 'the residual block' : `each of ${pairs.length} residual blocks`} to the front of its branch (x + f(LN(x)): the skip carries the gradient unchanged)`,
    apply: (t) =>
      eachLastFirst(t, [...norms.keys()], (t2, norm) => {
        const node = nodeAt(t2, norm);
        if (!node) return t2;
        const written: unknown = parse(t2.slice(node.offset, node.offset + node.length));
        const removed = removeElement(t2, norm);
        return insertFirst(removed, `${norms.get(norm)!}/layers`, written);
      }),
  };
}

/** Inserts `value` as the first element of the array at `pointer`, on its own line when the array's first element is. */
function insertFirst(text: string, pointer: string, value: unknown): string {
  const array = nodeAt(text, pointer);
  const first = array?.children?.[0];
  if (!array || array.type !== 'array') return text;
  if (!first) return setValue(text, pointer, [value]);
  const lineStart = text.lastIndexOf('\n', first.offset - 1) + 1;
  const before = text.slice(lineStart, first.offset);
  const ownLine = before.trim() === '';
  const separator = ownLine ? `,${eolOf(text)}${before}` : ', ';
  return text.slice(0, first.offset) + compactJson(value) + separator + text.slice(first.offset);
}
