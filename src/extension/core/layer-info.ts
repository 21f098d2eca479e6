/**
 * The layer table of a model without training it: what the fix catalogue needs (widths, shapes, activations, which
 * layers have weights) when there is no measured run yet. Same order and fields as TrainResult.layers
 * (src/engine/model.ts).
 */
import type { LayerConfig, ModelConfig, Shape } from '../../engine/config';
import { layerOutputShape, shapeSize } from '../../engine/layers/shapes';
import type { LayerInfo } from '../../engine/stats';

export function layerInfoFromConfig(config: ModelConfig): LayerInfo[] {
  const out: LayerInfo[] = [];
  appendLayers(config.layers, config.inputShape ?? [config.input], -1, out);
  return out;
}

/** Appends the layers depth-first (a residual block before its branch); returns the shape after them. */
function appendLayers(layers: LayerConfig[], inputShape: Shape, parent: number, out: LayerInfo[]): Shape {
  let shape = inputShape;
  for (const layer of layers) {
    const index = out.length;
    const outputShape = layerOutputShape(layer, shape);
    out.push({
      path: layer.path,
      kind: layer.kind,
      inputWidth: shapeSize(shape),
      outputWidth: shapeSize(outputShape),
      inputShape: [...shape],
      outputShape: [...outputShape],
      activation: activationName(layer),
      parameterCount: parameterCount(layer, shape, outputShape),
      hasWeights: layer.kind === 'residual' ? layer.projection : 'init' in layer,
      parent,
    });
    if (layer.kind === 'residual') appendLayers(layer.layers, shape, index, out);
    shape = outputShape;
  }
  return shape;
}

/** The activation the engine layer applies itself (dense, conv, activation layers), else null. */
function activationName(layer: LayerConfig): string | null {
  const k = layer.kind;
  return k === 'dense' || k === 'activation' || k === 'conv1d' || k === 'conv2d' ? layer.activation.name : null;
}

/** Trainable parameters the layer owns directly (a residual block: only its projection). */
function parameterCount(layer: LayerConfig, input: Shape, output: Shape): number {
  const inputWidth = shapeSize(input);
  const outputWidth = shapeSize(output);
  switch (layer.kind) {
    case 'dense':
      return inputWidth * layer.units + layer.units;
    case 'conv1d':
    case 'conv2d': {
      const area = layer.kernel.reduce((a, k) => a * k, 1);
      return layer.filters * input[0]! * area + layer.filters;
    }
    case 'batchnorm':
      // γ and β per unit: a feature, or a channel of [C, …] input
      return 2 * (input.length >= 2 ? input[0]! : inputWidth);
    case 'residual':
      // the projection is a bias-free input × branch-output matrix on the skip path
      return layer.projection ? inputWidth * outputWidth : 0;
    default:
      return 0;
  }
}
