/** How a layer's shape is written in the hover and the plots panel. */
import type { LayerInfo } from '../../engine/stats';

/** "1×28×28→16×26×26" from a record's per-sample shapes; "32→32" from the widths when it has none (older records). */
export function shapeText(info: LayerInfo): string {
  const side = (shape: number[] | undefined, width: number): string =>
    shape && shape.length > 0 ? shape.join('×') : String(width);
  return `${side(info.inputShape, info.inputWidth)}→${side(info.outputShape, info.outputWidth)}`;
}
