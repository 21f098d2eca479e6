/**
 * The fixed probe set (issue 14): dead-unit and saturation fractions are measured on the same samples at every
 * recording (about PROBE_POINTS of them per run), in evaluation mode, not on the step's mini-batch. A mini-batch of one sample makes every inactive
 * unit "dead for the whole batch"; a probe of 256 samples evenly spaced over the data set does not, and it is the
 * same set whatever the batch size or the batch order.
 *
 * The probe model is a second build of the same config for PROBE_SAMPLES rows, sharing the training model's
 * parameters and running statistics (no copies): after an update, a forward pass in evaluation mode measures the
 * network as it now is.
 */
import type { Dataset } from './config';
import type { Model } from './model';

/** At most this many samples (all of them when the data set is smaller). */
export const PROBE_SAMPLES = 256;

/**
 * The probe runs at about this many recordings of a run (evenly spaced, always the first and the last): a forward
 * pass of 256 rows at every recording cost as much as the training itself on small batches, and the fractions
 * change slowly. The recordings in between have no unit fractions (NaN: a gap in the plot).
 */
export const PROBE_POINTS = 24;

/** Every how many recordings the probe runs, for a run of `steps` steps recorded every `recordEvery`. */
export function probeEvery(steps: number, recordEvery: number): number {
  const recordings = Math.ceil(Math.max(1, steps) / Math.max(1, recordEvery));
  return Math.max(1, Math.ceil(recordings / PROBE_POINTS));
}

/** How many samples a data set of `samples` probes with. */
export function probeSize(samples: number): number {
  return Math.max(1, Math.min(PROBE_SAMPLES, samples));
}

/** The probe's sample indices: floor(i·n/P) for i < P (evenly spaced; exact in integers). */
export function probeRows(samples: number): Uint32Array {
  const count = probeSize(samples);
  const rows = new Uint32Array(count);
  for (let i = 0; i < count; i++) rows[i] = Math.floor((i * samples) / count);
  return rows;
}

/** Copies the probe's rows and their targets into a model built for probeSize(samples) rows (fixed after). */
export function fillProbeInput(model: Model, data: Dataset): void {
  const rows = probeRows(data.samples);
  const f = data.features;
  const x = model.input;
  for (let r = 0; r < rows.length; r++) {
    const sample = rows[r]!;
    for (let j = 0; j < f; j++) x[r * f + j] = data.x[sample * f + j]!;
  }
  const t = model.targetWidth;
  for (let r = 0; r < rows.length; r++) for (let k = 0; k < t; k++) model.target[r * t + k] = data.y[rows[r]! * t + k]!;
}
