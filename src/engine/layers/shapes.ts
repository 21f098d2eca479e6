/**
 * Per-sample output shapes of layer configs, without building anything: what the layers' constructors compute, for
 * the memory estimate and the layer table of an unbuilt model. Throws where a layer cannot take its input shape.
 */
import type { LayerConfig, Shape } from '../config';
import { windowGeometry, windowOutputShape } from './conv-geometry';

export function layerOutputShape(config: LayerConfig, input: Shape): Shape {
  switch (config.kind) {
    case 'dense':
      return [config.units];
    case 'conv1d':
    case 'conv2d':
      return windowOutputShape(windowGeometry(config, input), config.filters, config.kernel.length);
    case 'maxpool':
    case 'avgpool':
      return windowOutputShape(windowGeometry(config, input), input[0]!, config.pool.length);
    case 'flatten':
      return [shapeSize(input)];
    case 'global_avgpool':
      return [input[0]!];
    case 'simple_rnn':
    case 'lstm':
    case 'gru':
      return config.returnSequences ? [input[0]!, config.units] : [config.units];
    case 'residual':
      return chainOutputShape(config.layers, input);
    case 'batchnorm':
    case 'activation':
    case 'dropout':
    case 'layernorm':
      return input;
  }
}

/** The shape after a chain of layers. */
export function chainOutputShape(configs: LayerConfig[], input: Shape): Shape {
  let shape = input;
  for (const config of configs) shape = layerOutputShape(config, shape);
  return shape;
}

export function shapeSize(shape: Shape): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}
