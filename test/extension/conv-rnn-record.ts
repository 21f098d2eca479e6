/**
 * Hand-built training records with conv and recurrent layers (issue 15's series): a conv2d → flatten → dense stack
 * and an lstm → dense stack, with chosen per-filter dead flags, gradients through time and gate saturations.
 */
import type { LayerInfo, LayerSeries, TrainResult } from '../../src/engine/stats';
import { fakeRecord } from '../analysis/fake-record';

/** Recorded steps 0, 10, …, 10·(n−1). */
function record(layers: number, steps: number): TrainResult {
  return fakeRecord(
    Array.from({ length: layers }, () => ({ gradNorm: 1 })),
    { steps },
  );
}

function setLayer(result: TrainResult, i: number, info: Partial<LayerInfo>, series: Partial<LayerSeries> = {}): void {
  result.layers[i] = { ...result.layers[i]!, ...info };
  result.series[i] = { ...result.series[i]!, ...series };
}

/**
 * /layers/0 conv2d [1,8,8]→[4,6,6] relu with filter 2 dead from the second recorded step on and filter 3 from the
 * fourth; /layers/1 flatten (no weights); /layers/2 dense 144→1 (the output layer).
 */
export function convRecord(steps = 5): TrainResult {
  const result = record(3, steps);
  const dead = Array.from({ length: steps }, (_, i) => [0, 0, i >= 1 ? 1 : 0, i >= 3 ? 1 : 0]);
  setLayer(
    result,
    0,
    { kind: 'conv2d', inputWidth: 64, outputWidth: 144, inputShape: [1, 8, 8], outputShape: [4, 6, 6] },
    { gradNorm: result.series[0]!.gradNorm.map(() => 0.02), channelDead: dead },
  );
  setLayer(
    result,
    1,
    {
      kind: 'flatten',
      inputWidth: 144,
      outputWidth: 144,
      inputShape: [4, 6, 6],
      outputShape: [144],
      activation: null,
      hasWeights: false,
    },
    { gradNorm: result.series[1]!.gradNorm.map(() => NaN) },
  );
  setLayer(result, 2, { kind: 'dense', inputWidth: 144, outputWidth: 1, activation: 'linear' });
  return result;
}

/**
 * /layers/0 lstm [6,2]→[3] whose gradient through time falls tenfold per time step back from the end, more so as
 * training goes on (‖∂L/∂h_t‖ = (1 + step/10) · 10^(t−5)), forget gate saturating over training; /layers/1 dense.
 */
export function lstmRecord(steps = 5): TrainResult {
  const result = record(2, steps);
  const time = result.recordedSteps.map((step) => Array.from({ length: 6 }, (_, t) => (1 + step / 10) * 10 ** (t - 5)));
  const gates = {
    input: result.recordedSteps.map(() => 0.01),
    forget: result.recordedSteps.map((_, i) => i / 10),
    cell: result.recordedSteps.map(() => 0),
    output: result.recordedSteps.map(() => 0.02),
  };
  setLayer(
    result,
    0,
    { kind: 'lstm', inputWidth: 12, outputWidth: 3, inputShape: [6, 2], outputShape: [3], activation: null },
    { timeGradNorm: time, gateSaturation: gates },
  );
  setLayer(result, 1, { kind: 'dense', inputWidth: 3, outputWidth: 1, activation: 'linear' });
  return result;
}
