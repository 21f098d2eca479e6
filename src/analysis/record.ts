/**
 * Reading a run record (`vgnet-record/1`: VGNet's own `--json`, an exported PyTorch program's `--record`, or the
 * Python recorder's) back into a TrainResult the detectors take. Records come from outside: every field is
 * checked, and a bad one is an error at its place in the file (offset of the JSON node), never an exception.
 */
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import type { LayerKind, LossName } from '../engine/config';
import type { LayerInfo, LayerSeries, StopReason, TrainResult } from '../engine/stats';
import { LAYER_TYPES } from '../spec/names';

export const RECORD_FORMAT = 'vgnet-record/1';
/** Records larger than this are refused before they are parsed. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
const MAX_LAYERS = 100_000;
const MAX_STEPS = 10_000_000;

export interface RecordedRun {
  result: TrainResult;
  /** The loss function the run trained with, when the record says (the detectors' loss-specific rules need it). */
  lossFunction: LossName | null;
  /** Which engine produced it ("vgnet", "pytorch 2.3.0", …). */
  engine: string;
  /** The spec file the record names, if any (informational). */
  spec: string | null;
}

export type RecordRead =
  { ok: true; run: RecordedRun } | { ok: false; message: string; offset: number; length: number };

// Every kind the engine builds (the spec's layer types).
const KINDS: ReadonlySet<string> = new Set<LayerKind>(LAYER_TYPES);
const LOSSES: ReadonlySet<string> = new Set<LossName>(['mse', 'bce', 'crossentropy']);
const SERIES_KEYS = [
  'gradNorm',
  'biasGradNorm',
  'weightNorm',
  'updateRatio',
  'outputGradNorm',
  'activationMean',
  'activationStd',
  'saturatedFraction',
  'deadFraction',
  'nonFiniteCount',
] as const satisfies readonly (keyof LayerSeries)[];

class RecordError extends Error {
  constructor(
    readonly pointer: (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

export function readRecord(text: string): RecordRead {
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const shift = clean === text ? 0 : 1;
  let value: unknown;
  try {
    value = JSON.parse(clean);
  } catch (err) {
    return { ok: false, message: `not JSON: ${(err as Error).message}`, offset: 0, length: 0 };
  }
  try {
    return { ok: true, run: checkRecord(value) };
  } catch (err) {
    if (!(err instanceof RecordError)) throw err;
    const node = locate(clean, err.pointer);
    const where = err.pointer.length > 0 ? `/${err.pointer.join('/')}` : 'the record';
    return {
      ok: false,
      message: `${where}: ${err.message}`,
      offset: (node?.offset ?? 0) + shift,
      length: node?.length ?? 0,
    };
  }
}

function locate(text: string, pointer: (string | number)[]): Node | undefined {
  const root = parseTree(text);
  if (!root) return undefined;
  for (let n = pointer.length; n >= 0; n--) {
    const node = findNodeAtLocation(root, pointer.slice(0, n));
    if (node) return node.parent?.type === 'property' ? node.parent : node;
  }
  return root;
}

function checkRecord(v: unknown): RecordedRun {
  const r = object(v, []);
  if (r.format !== RECORD_FORMAT)
    throw new RecordError(['format'], `expected "format": "${RECORD_FORMAT}", got ${short(r.format)}`);
  const layers = array(r.layers, ['layers'], MAX_LAYERS).map((l, i) => layerInfo(l, i));
  const stepsRun = integer(r.stepsRun, ['stepsRun'], 0, MAX_STEPS);
  const recordedSteps = array(r.recordedSteps, ['recordedSteps'], MAX_STEPS).map((s, i) =>
    integer(s, ['recordedSteps', i], 0, Math.max(0, stepsRun - 1)),
  );
  recordedSteps.forEach((s, i) => {
    if (i > 0 && s <= recordedSteps[i - 1]!)
      throw new RecordError(['recordedSteps', i], `steps must increase (${recordedSteps[i - 1]} then ${s})`);
  });
  const seriesList = array(r.series, ['series'], MAX_LAYERS);
  if (seriesList.length !== layers.length)
    throw new RecordError(['series'], `${seriesList.length} series for ${layers.length} layers`);
  const series = seriesList.map((s, i) => layerSeries(s, i, recordedSteps.length));
  const loss = numbers(r.loss, ['loss'], MAX_STEPS);
  if (loss.length !== stepsRun) throw new RecordError(['loss'], `${loss.length} losses for ${stepsRun} steps run`);
  const accuracy = r.accuracy === undefined ? [] : numbers(r.accuracy, ['accuracy'], MAX_STEPS);
  if (accuracy.length !== 0 && accuracy.length !== stepsRun)
    throw new RecordError(['accuracy'], `${accuracy.length} accuracies for ${stepsRun} steps run`);
  const lossFunction = r.lossFunction === undefined || r.lossFunction === null ? null : r.lossFunction;
  if (lossFunction !== null && (typeof lossFunction !== 'string' || !LOSSES.has(lossFunction)))
    throw new RecordError(['lossFunction'], `expected mse, bce, crossentropy or null, got ${short(lossFunction)}`);
  const result: TrainResult = {
    layers,
    recordedSteps,
    series,
    loss,
    accuracy,
    stepsRun,
    stopped: stopped(r.stopped, stepsRun),
    timeMs: r.timeMs === undefined || r.timeMs === null ? 0 : finite(r.timeMs, ['timeMs']),
  };
  return {
    result,
    lossFunction: lossFunction as LossName | null,
    engine: typeof r.engine === 'string' ? r.engine.slice(0, 200) : 'vgnet',
    spec: typeof r.spec === 'string' ? r.spec.slice(0, 4096) : null,
  };
}

function layerInfo(v: unknown, i: number): LayerInfo {
  const at = (key: string): (string | number)[] => ['layers', i, key];
  const l = object(v, ['layers', i]);
  if (typeof l.path !== 'string' || l.path.length === 0 || l.path.length > 1000)
    throw new RecordError(at('path'), "expected the layer's path (a non-empty string)");
  if (typeof l.kind !== 'string' || !KINDS.has(l.kind))
    throw new RecordError(at('kind'), `expected one of ${[...KINDS].join(', ')}, got ${short(l.kind)}`);
  if (l.activation !== null && typeof l.activation !== 'string')
    throw new RecordError(at('activation'), 'expected an activation name or null');
  if (typeof l.hasWeights !== 'boolean') throw new RecordError(at('hasWeights'), 'expected true or false');
  return {
    path: l.path,
    kind: l.kind as LayerKind,
    inputWidth: integer(l.inputWidth, at('inputWidth'), 0, 2 ** 31),
    outputWidth: integer(l.outputWidth, at('outputWidth'), 0, 2 ** 31),
    // Absent in records written before shapes were recorded (and in other engines' records).
    ...(l.inputShape === undefined ? {} : { inputShape: shape(l.inputShape, at('inputShape')) }),
    ...(l.outputShape === undefined ? {} : { outputShape: shape(l.outputShape, at('outputShape')) }),
    activation: l.activation,
    parameterCount: integer(l.parameterCount, at('parameterCount'), 0, 2 ** 53),
    hasWeights: l.hasWeights,
    parent: integer(l.parent, at('parent'), -1, i - 1),
  };
}

/** A per-sample shape: 1 to 4 positive integers. */
function shape(v: unknown, at: (string | number)[]): number[] {
  const a = array(v, at, 4);
  if (a.length === 0) throw new RecordError(at, 'expected a shape (1 to 4 sizes)');
  return a.map((d, k) => integer(d, [...at, k], 1, 2 ** 31));
}

function layerSeries(v: unknown, i: number, length: number): LayerSeries {
  const s = object(v, ['series', i]);
  const out = {} as LayerSeries;
  for (const key of SERIES_KEYS) {
    const values = numbers(s[key], ['series', i, key], MAX_STEPS);
    if (values.length !== length)
      throw new RecordError(['series', i, key], `${values.length} values for ${length} recorded steps`);
    out[key] = values;
  }
  if (s.channelDead !== undefined) out.channelDead = channelFlags(s.channelDead, ['series', i, 'channelDead'], length);
  // Recurrent layers (the PyTorch export's recorder writes them as the engine does): ‖∂L/∂h_t‖ for every time step
  // at each recorded step, and LSTM/GRU gate saturation per gate name.
  if (s.timeGradNorm !== undefined && s.timeGradNorm !== null) {
    const rows = array(s.timeGradNorm, ['series', i, 'timeGradNorm'], MAX_STEPS).map((row, k) =>
      numbers(row, ['series', i, 'timeGradNorm', k], MAX_STEPS),
    );
    if (rows.length !== length)
      throw new RecordError(['series', i, 'timeGradNorm'], `${rows.length} entries for ${length} recorded steps`);
    out.timeGradNorm = rows;
  }
  if (s.gateSaturation !== undefined && s.gateSaturation !== null) {
    const gates = object(s.gateSaturation, ['series', i, 'gateSaturation']);
    const read: Record<string, number[]> = {};
    for (const [gate, v] of Object.entries(gates).slice(0, 16)) {
      const values = numbers(v, ['series', i, 'gateSaturation', gate], MAX_STEPS);
      if (values.length !== length)
        throw new RecordError(
          ['series', i, 'gateSaturation', gate],
          `${values.length} values for ${length} recorded steps`,
        );
      read[gate] = values;
    }
    out.gateSaturation = read;
  }
  return out;
}

/** Conv layers' per-filter dead flags: one list of 0/1 per recorded step ([] where nothing was measured). */
function channelFlags(v: unknown, at: (string | number)[], length: number): number[][] {
  const steps = array(v, at, MAX_STEPS);
  if (steps.length !== length) throw new RecordError(at, `${steps.length} entries for ${length} recorded steps`);
  return steps.map((flags, k) =>
    numbers(flags, [...at, k], 2 ** 20).map((f, j) => {
      if (f !== 0 && f !== 1) throw new RecordError([...at, k, j], `expected 0 or 1, got ${short(f)}`);
      return f;
    }),
  );
}

function stopped(v: unknown, stepsRun: number): TrainResult['stopped'] {
  if (v === null || v === undefined) return null;
  const s = object(v, ['stopped']);
  const reasons: StopReason[] = ['non-finite', 'cancelled', 'budget', 'decided'];
  if (typeof s.reason !== 'string' || !(reasons as string[]).includes(s.reason))
    throw new RecordError(['stopped', 'reason'], `expected one of ${reasons.join(', ')}`);
  return {
    step: integer(s.step, ['stopped', 'step'], 0, stepsRun),
    reason: s.reason as StopReason,
    detail: typeof s.detail === 'string' ? s.detail.slice(0, 1000) : '',
  };
}

function object(v: unknown, at: (string | number)[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new RecordError(at, `expected an object, got ${short(v)}`);
  return v as Record<string, unknown>;
}

function array(v: unknown, at: (string | number)[], max: number): unknown[] {
  if (!Array.isArray(v)) throw new RecordError(at, `expected an array, got ${short(v)}`);
  if (v.length > max) throw new RecordError(at, `${v.length} entries, more than the ${max} a record may have`);
  return v;
}

/** Numbers, with null for NaN/±Infinity (JSON has neither) read back as NaN. */
function numbers(v: unknown, at: (string | number)[], max: number): number[] {
  const a = array(v, at, max);
  const out = new Array<number>(a.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (x === null) out[i] = NaN;
    else if (typeof x === 'number') out[i] = x;
    else throw new RecordError([...at, i], `expected a number or null, got ${short(x)}`);
  }
  return out;
}

function integer(v: unknown, at: (string | number)[], min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new RecordError(at, `expected an integer from ${min} to ${max}, got ${short(v)}`);
  return v;
}

function finite(v: unknown, at: (string | number)[]): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RecordError(at, `expected a number, got ${short(v)}`);
  return v;
}

function short(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
