/** Layer factory: turns resolved layer configs into a wired chain of layers. */
import type { LayerConfig } from '../config';
import { ActivationLayer } from './activation';
import { BatchNormLayer } from './batchnorm';
import { ConvLayer } from './conv';
import { DenseLayer } from './dense';
import { DropoutLayer } from './dropout';
import type { BuildContext, Layer, LayerWiring } from './layer';
import { LayerNormLayer } from './layernorm';
import { PoolLayer } from './pool';
import { RecurrentLayer } from './recurrent';
import { FlattenLayer, GlobalAvgPoolLayer } from './reshape';
import { ResidualLayer } from './residual';

export function buildLayer(config: LayerConfig, wiring: LayerWiring, ctx: BuildContext): Layer {
  switch (config.kind) {
    case 'dense':
      return new DenseLayer(config, wiring, ctx);
    case 'activation':
      return new ActivationLayer(config, wiring, ctx);
    case 'batchnorm':
      return new BatchNormLayer(config, wiring, ctx);
    case 'dropout':
      return new DropoutLayer(config, wiring, ctx);
    case 'residual':
      return new ResidualLayer(config, wiring, ctx, buildChain);
    case 'conv1d':
    case 'conv2d':
      return new ConvLayer(config, wiring, ctx);
    case 'maxpool':
    case 'avgpool':
      return new PoolLayer(config, wiring, ctx);
    case 'flatten':
      return new FlattenLayer(config, wiring);
    case 'global_avgpool':
      return new GlobalAvgPoolLayer(config, wiring, ctx);
    case 'layernorm':
      return new LayerNormLayer(config, wiring, ctx);
    case 'simple_rnn':
    case 'lstm':
    case 'gru':
      return new RecurrentLayer(config, wiring, ctx);
    default:
      throw new Error(`unknown layer kind "${(config as LayerConfig).kind}"`);
  }
}

/** Builds layers in order, each reading the previous one's output and writing its input gradient there. */
export function buildChain(configs: LayerConfig[], wiring: LayerWiring, ctx: BuildContext): Layer[] {
  const layers: Layer[] = [];
  let current = wiring;
  for (const config of configs) {
    const layer = buildLayer(config, current, ctx);
    layers.push(layer);
    current = {
      input: layer.output,
      inputGrad: layer.outputGrad,
      inputWidth: layer.outputWidth,
      inputShape: layer.outputShape,
    };
  }
  return layers;
}
