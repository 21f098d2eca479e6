/** A small, hand-written PlotModel: two layers, two recorded steps, one finding with one verified fix. */
import type { PlotModel } from '../../src/protocol/plots';

export function sampleModel(): PlotModel {
  return {
    uri: 'file:///a.vgnet.json',
    version: 3,
    textHash: 'a-1',
    name: 'a',
    status: 'ok',
    message: null,
    measured: true,
    stepsRun: 3,
    stopped: null,
    outputPath: '/layers/1',
    thresholds: { vanishingRatio: 1e-3, explodingRatio: 70, saturatedFraction: 0.5, deadFraction: 0.7 },
    layers: [
      {
        path: '/layers/0',
        kind: 'dense',
        description: 'dense 2→4 sigmoid',
        hasWeights: true,
        flags: ['vanishing'],
        predictedRatio: 1e-4,
        gradNorm: [1e-6, 2e-6],
        saturatedFraction: [0, 0.1],
        deadFraction: [],
      },
      {
        path: '/layers/1',
        kind: 'dense',
        description: 'dense 4→1 sigmoid',
        hasWeights: true,
        flags: [],
        predictedRatio: 1,
        gradNorm: [0.1, null],
        saturatedFraction: [],
        deadFraction: [],
      },
    ],
    recordedSteps: [0, 2],
    loss: { steps: [0, 1, 2], values: [0.7, 0.69, null] },
    accuracy: { steps: [0, 1, 2], values: [0.5, 0.5, 0.6] },
    findings: [
      {
        kind: 'vanishing',
        title: 'vanishing gradient',
        severity: 'warning',
        source: 'measured',
        layers: ['/layers/0'],
        message: 'm',
      },
    ],
    fixes: [
      {
        finding: 0,
        title: 'Switch to ReLU',
        status: 'fixed',
        effect: 'e',
        preferred: true,
        after: { layers: ['/layers/0'], gradNormStart: [0.1], gradNormEnd: [0.2], loss: { steps: [0], values: [0.5] } },
      },
    ],
    engine: null,
    reference: null,
  };
}
