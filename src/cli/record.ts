/**
 * The `--json` record: a stable, documented format (docs/cli.md). NaN and ±Infinity become null (JSON has neither).
 */
import type { ModelConfig } from '../engine/config';
import type { TrainResult } from '../engine/stats';
import { summarize } from '../analysis/summary';

export const RECORD_FORMAT = 'vgnet-record/1';

export function buildRecord(file: string, name: string, config: ModelConfig, result: TrainResult): unknown {
  return {
    format: RECORD_FORMAT,
    spec: file,
    name,
    config,
    summary: summarize(result),
    layers: result.layers,
    recordedSteps: result.recordedSteps,
    series: result.series,
    loss: result.loss,
    accuracy: result.accuracy,
    stepsRun: result.stepsRun,
    stopped: result.stopped,
    timeMs: result.timeMs,
  };
}
