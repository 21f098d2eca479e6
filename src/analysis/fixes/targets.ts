/**
 * What the fixes need to know about the layers they edit: the run's layer table beside the spec's configs (a conv
 * layer's fan-in, its filters, whether an identity skip can wrap it, its activation).
 */
import type { ActivationConfig, LayerConfig, ModelConfig } from '../../engine/config';
import type { LayerInfo } from '../../engine/stats';
import { outputLayerIndex } from '../summary';
import { allLayers } from './layers';

/** The spec's configs and the measured run's layer table, in spec order. */
export interface LayerTable {
  config: ModelConfig;
  layers: LayerInfo[];
}

/** Layers with an activation and an initialiser of their own: dense and conv. */
export const ACTIVATED: ReadonlySet<string> = new Set(['dense', 'conv1d', 'conv2d']);

/** Every dense or conv layer except the output layer, in spec order: what path-wide fixes change. */
export function hiddenWeightedLayers(layers: LayerInfo[]): string[] {
  const output = outputLayerIndex(layers);
  return layers.filter((l, i) => ACTIVATED.has(l.kind) && i !== output).map((l) => l.path);
}

/** The config of the layer at `pointer` (top level or inside residual blocks). */
export function configAt(ctx: LayerTable, pointer: string): LayerConfig | undefined {
  return allLayers(ctx.config).find((l) => l.path === pointer);
}

/** PyTorch's fan_in of a dense or conv layer: inputs, or input channels × kernel area. */
export function fanInOf(ctx: LayerTable, pointer: string): number {
  const l = info(ctx, pointer);
  const c = configAt(ctx, pointer);
  if (!l) return NaN;
  if (c?.kind === 'conv1d' || c?.kind === 'conv2d')
    return (l.inputShape?.[0] ?? 1) * c.kernel.reduce((a, k) => a * k, 1);
  return l.inputWidth;
}

/** Units of a dense layer, filters of a conv layer, and the key that sets them. */
export function widthOf(ctx: LayerTable, pointer: string): { width: number; key: 'units' | 'filters' } | null {
  const c = configAt(ctx, pointer);
  if (c?.kind === 'dense') return { width: c.units, key: 'units' };
  if (c?.kind === 'conv1d' || c?.kind === 'conv2d') return { width: c.filters, key: 'filters' };
  return null;
}

/** Whether the layer's output has its input's shape (an identity skip can wrap it). */
export function keepsShape(l: LayerInfo): boolean {
  if (l.inputWidth !== l.outputWidth) return false;
  return !l.inputShape || !l.outputShape || l.inputShape.join('×') === l.outputShape.join('×');
}

export function info(ctx: LayerTable, pointer: string): LayerInfo | undefined {
  return ctx.layers.find((l) => l.path === pointer);
}

/** The layer's activation name: the run's layer table, else the spec's (a conv layer's table may not name it). */
export function activationOf(ctx: LayerTable, pointer: string): string | null {
  return info(ctx, pointer)?.activation ?? denseActivation(ctx.config, pointer)?.name ?? null;
}

/** The dense or conv layer's activation config at `pointer` (top level or inside residual blocks). */
export function denseActivation(config: ModelConfig, pointer: string): ActivationConfig | null {
  const l = allLayers(config).find((x) => x.path === pointer);
  return l?.kind === 'dense' || l?.kind === 'conv1d' || l?.kind === 'conv2d' ? l.activation : null;
}

/** "/layers/0–/layers/13 (14 layers)" or a single pointer. */
export function describeLayers(pointers: string[]): string {
  if (pointers.length === 0) return 'no layers';
  if (pointers.length === 1) return pointers[0]!;
  return `${pointers[0]}–${pointers[pointers.length - 1]} (${pointers.length} layers)`;
}
