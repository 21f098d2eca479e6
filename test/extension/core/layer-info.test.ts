import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { layerInfoFromConfig } from '../../../src/extension/core/layer-info';
import { parseSpec } from '../../../src/spec';
import { buildModel } from '../../engine/helpers';

// The reference is the engine itself: a built Model describes its layers (src/engine/model.ts layerInfo()).
const examples = ['residual-rescue', 'batchnorm-rescue', 'deep-sigmoid', 'dying-relu'];

describe('layerInfoFromConfig', () => {
  for (const name of examples) {
    it(`matches the engine's layer table for examples/${name}`, () => {
      const config = parseSpec(fs.readFileSync(`examples/${name}.vgnet.json`, 'utf8')).config;
      expect(config).not.toBeNull();
      expect(layerInfoFromConfig(config!)).toEqual(buildModel(config!, 4).layerInfo());
    });
  }

  it('covers a residual block with a projection and a dropout layer', () => {
    const text = JSON.stringify({
      version: 1,
      input: 3,
      loss: 'mse',
      data: { source: 'sine' },
      layers: [
        { type: 'dense', units: 4 },
        {
          type: 'residual',
          projection: true,
          layers: [
            { type: 'dense', units: 6, activation: 'relu' },
            { type: 'dropout', rate: 0.1 },
          ],
        },
        { type: 'dense', units: 1 },
      ],
    });
    const parsed = parseSpec(text);
    expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(layerInfoFromConfig(parsed.config!)).toEqual(buildModel(parsed.config!, 4).layerInfo());
  });
});
