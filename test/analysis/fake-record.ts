/** Hand-built training records for detector tests: a plain stack of layers (dense unless told) with chosen statistics. */
import type { LayerKind } from '../../src/engine/config';
import type { LayerInfo, LayerSeries, TrainResult } from '../../src/engine/stats';

export interface FakeLayer {
  activation?: string;
  /** gradNorm per recorded step (or one value for all steps). */
  gradNorm: number[] | number;
  dead?: number[] | number;
  saturated?: number[] | number;
  updateRatio?: number[] | number;
  nonFinite?: number;
  /** Default 'dense'. */
  kind?: LayerKind;
  /** Recurrent layers: ‖∂L/∂h_t‖ over the time steps, per recorded step (or one array for all steps). */
  timeGradNorm?: number[][] | number[];
  /** LSTM/GRU: per gate, the saturated fraction per recorded step (or one value for all steps). */
  gates?: Record<string, number[] | number>;
  /** Conv layers: per filter dead (1) or not (0), per recorded step (or one array for all steps). */
  channelDead?: number[][] | number[];
}

/** One array per recorded step: `v` as given when it already is one per step, else repeated. */
function perStep(v: number[][] | number[], recorded: number): number[][] {
  return Array.isArray(v[0]) ? (v as number[][]) : Array.from({ length: recorded }, () => [...(v as number[])]);
}

export function fakeRecord(
  layers: FakeLayer[],
  options: { steps?: number; loss?: number[]; stopped?: TrainResult['stopped'] } = {},
): TrainResult {
  const recorded = options.steps ?? 5;
  const recordedSteps = Array.from({ length: recorded }, (_, i) => i * 10);
  const series = (v: number[] | number | undefined, fallback: number): number[] =>
    Array.isArray(v) ? v : Array.from({ length: recorded }, () => v ?? fallback);
  const infos: LayerInfo[] = layers.map((l, i) => ({
    path: `/layers/${i}`,
    kind: l.kind ?? 'dense',
    inputWidth: 8,
    outputWidth: 8,
    activation: l.activation ?? 'relu',
    parameterCount: 72,
    hasWeights: true,
    parent: -1,
  }));
  const all: LayerSeries[] = layers.map((l) => ({
    ...(l.timeGradNorm ? { timeGradNorm: perStep(l.timeGradNorm, recorded) } : {}),
    ...(l.gates
      ? { gateSaturation: Object.fromEntries(Object.entries(l.gates).map(([g, v]) => [g, series(v, NaN)])) }
      : {}),
    ...(l.channelDead ? { channelDead: perStep(l.channelDead, recorded) } : {}),
    gradNorm: series(l.gradNorm, 1),
    biasGradNorm: series(undefined, 0.1),
    weightNorm: series(undefined, 1),
    updateRatio: series(l.updateRatio, 1e-3),
    outputGradNorm: series(undefined, 1),
    activationMean: series(undefined, 0),
    activationStd: series(undefined, 1),
    saturatedFraction: series(l.saturated, NaN),
    deadFraction: series(l.dead, NaN),
    nonFiniteCount: series(l.nonFinite, 0),
  }));
  const steps = recordedSteps[recorded - 1]! + 1;
  const loss = options.loss ?? Array.from({ length: steps }, (_, i) => 1 / (1 + i / 10));
  return {
    layers: infos,
    recordedSteps,
    series: all,
    loss,
    accuracy: [],
    stepsRun: loss.length,
    stopped: options.stopped ?? null,
    timeMs: 1,
  };
}
