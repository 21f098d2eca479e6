/**
 * `"input"`: the number of features of one sample (2), or its shape: [channels, length] or [steps, features] (rank 2,
 * which the layers read as their kind needs), [channels, height, width]. The model's flat width is the product.
 */
import type { Shape } from '../engine/config';
import { grouped } from './diagnostic-text';
import { LIMITS } from './names';
import { childPointer } from './pointer';
import { describeValue, readNumber, type NumberRule, type ObjectReader } from './reader';
import type { DiagnosticSink } from './sink';

export interface ResolvedInput {
  /** Features per sample (the product of the shape); NaN when unreadable (reported). */
  width: number;
  /** The per-sample shape ([width] for a number); null when unreadable. */
  shape: Shape | null;
  /** True when written as an array (ModelConfig.inputShape is then set). */
  shaped: boolean;
}

const UNREADABLE: ResolvedInput = { width: NaN, shape: null, shaped: false };
const DIMENSION: NumberRule = { integer: true, min: 1, limit: LIMITS.input };

export function resolveInput(top: ObjectReader, sink: DiagnosticSink): ResolvedInput {
  if (!top.require('input')) return UNREADABLE;
  const node = top.value('input');
  if (node === undefined) return UNREADABLE;
  const path = top.pointerOf('input');
  if (node.type === 'number') {
    const width = top.number('input', { integer: true, min: 1, limit: LIMITS.input }, NaN);
    return Number.isNaN(width) ? UNREADABLE : { width, shape: [width], shaped: false };
  }
  if (node.type !== 'array') {
    sink.error(
      node,
      path,
      'type',
      `"input" must be a positive integer (features per sample) or a shape such as [1, 28, 28]; not ${describeValue(node)}`,
    );
    return UNREADABLE;
  }
  const elements = node.children ?? [];
  if (elements.length === 0 || elements.length > LIMITS.inputAxes) {
    const got = elements.length === 0 ? 'this array is empty' : `this one has ${elements.length}`;
    sink.error(
      node,
      path,
      'range',
      `"input" as a shape has 1 to ${LIMITS.inputAxes} dimensions — [features], [channels, length] or [steps, features], [channels, height, width]; ${got}`,
    );
    return UNREADABLE;
  }
  const dims = elements.map((element, i) =>
    readNumber(element, childPointer(path, i), `"input" dimension ${i + 1}`, DIMENSION, sink),
  );
  if (dims.some((d) => d === undefined)) return UNREADABLE;
  const shape = dims as number[];
  const width = shape.reduce((product, d) => product * d, 1);
  if (width > LIMITS.input) {
    sink.error(
      node,
      path,
      'limit',
      `"input" [${shape.join(', ')}] is ${grouped(width)} features per sample; the limit is ${grouped(LIMITS.input)}`,
    );
    return UNREADABLE;
  }
  return { width, shape, shaped: true };
}
