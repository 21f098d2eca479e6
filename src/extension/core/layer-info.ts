/**
 * The layer table of a model without training it: what the fix catalogue needs (widths, activations, which layers
 * have weights) when there is no measured run yet. Same order and fields as TrainResult.layers (src/engine/model.ts).
 */
import type { LayerConfig, ModelConfig } from '../../engine/config';
import type { LayerInfo } from '../../engine/stats';

export function layerInfoFromConfig(config: ModelConfig): LayerInfo[] {
  const out: LayerInfo[] = [];
  appendLayers(config.layers, config.input, -1, out);
  return out;
}

/** Appends the layers depth-first (a residual block before its branch); returns the width after them. */
function appendLayers(layers: LayerConfig[], inputWidth: number, parent: number, out: LayerInfo[]): number {
  let width = inputWidth;
  for (const layer of layers) {
    const base = { path: layer.path, kind: layer.kind, inputWidth: width, parent };
    switch (layer.kind) {
      case 'dense':
        out.push({
          ...base,
          outputWidth: layer.units,
          activation: layer.activation.name,
          parameterCount: width * layer.units + layer.units,
          hasWeights: true,
        });
        width = layer.units;
        break;
      case 'batchnorm':
        // gamma and beta per unit
        out.push({ ...base, outputWidth: width, activation: null, parameterCount: 2 * width, hasWeights: false });
        break;
      case 'activation':
        out.push({
          ...base,
          outputWidth: width,
          activation: layer.activation.name,
          parameterCount: 0,
          hasWeights: false,
        });
        break;
      case 'dropout':
        out.push({ ...base, outputWidth: width, activation: null, parameterCount: 0, hasWeights: false });
        break;
      case 'residual': {
        const index = out.length;
        const block: LayerInfo = {
          ...base,
          outputWidth: width,
          activation: null,
          parameterCount: 0,
          hasWeights: layer.projection,
        };
        out.push(block);
        const branchWidth = appendLayers(layer.layers, width, index, out);
        // the projection is a bias-free width × branchWidth matrix on the skip path
        if (layer.projection) block.parameterCount = width * branchWidth;
        block.outputWidth = branchWidth;
        width = branchWidth;
        break;
      }
    }
  }
  return width;
}
