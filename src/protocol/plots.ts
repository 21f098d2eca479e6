/**
 * The plots panel's message protocol: the only module shared by the extension host and the webview. Plain data and
 * hand-written guards, no imports: messages are checked on receipt on both sides (a webview message is untrusted
 * input to the host; a host message could be from an older extension version after a window reload).
 *
 * Numbers the training run left NaN or ±Infinity are null here: messages and webview state travel as JSON.
 */

/** A finite number, or null where the source had NaN/±Infinity. */
export type Num = number | null;

export interface PlotThresholds {
  /** Layer/output gradient-norm ratio below which a layer vanishes (the lower band). */
  vanishingRatio: number;
  /** …above which it explodes (the upper band). */
  explodingRatio: number;
  saturatedFraction: number;
  deadFraction: number;
}

export interface PlotLayer {
  /** JSON Pointer of the layer in the spec, e.g. "/layers/4/layers/0". */
  path: string;
  kind: string;
  /** "dense 32→32 sigmoid". */
  description: string;
  hasWeights: boolean;
  /** Kinds of the findings naming this layer (e.g. "vanishing"), in report order, without repeats. */
  flags: string[];
  /** Predicted weight-gradient norm relative to the output layer's (static mean-field prediction). */
  predictedRatio: Num;
  /** Weight-gradient norm at each of PlotModel.recordedSteps; empty without a run or without weights. */
  gradNorm: Num[];
  /** Fraction of saturated (sigmoid/tanh) / dead (ReLU) units at each recorded step; empty when not applicable. */
  saturatedFraction: Num[];
  deadFraction: Num[];
  /** Recurrent layers of a measured run: the gradient through time (absent otherwise, and in older models). */
  throughTime?: PlotThroughTime;
  /** LSTM/GRU: per gate name ("input", "forget", …), its saturated fraction at each recorded step. */
  gateSaturation?: Record<string, Num[]>;
  /** Conv layers with a ReLU-family activation: which filters are dead over training. */
  channels?: PlotChannels;
}

/** ‖∂L/∂h_t‖ over the time steps t = 0 … T−1 of a recurrent layer, at a few training steps. */
export interface PlotThroughTime {
  /** The training steps with a curve: a few of PlotModel.recordedSteps, evenly spaced, first and last included. */
  trainingSteps: number[];
  /** One array per training step, each of length T (the sequence length). */
  gradNorm: Num[][];
}

/** Dead filters of a conv layer over training. */
export interface PlotChannels {
  filters: number;
  /** Number of dead filters at each of PlotModel.recordedSteps. */
  deadCount: Num[];
  /** The filter × step strip: the training steps it shows (a subset of recordedSteps, first and last included)… */
  stripSteps: number[];
  /** …and at each of them, per filter, 1 when dead, 0 when not. */
  dead: number[][];
}

/** A curve over training steps: steps[i] ↔ values[i]. */
export interface PlotCurve {
  steps: number[];
  values: Num[];
}

export interface PlotFinding {
  kind: string;
  title: string;
  severity: 'error' | 'warning' | 'info';
  source: 'measured' | 'predicted';
  layers: string[];
  message: string;
}

/** The fixed spec's run in brief (analysis/verify RunDigest): layers with weights of the FIXED spec. */
export interface PlotRunDigest {
  layers: string[];
  gradNormStart: Num[];
  gradNormEnd: Num[];
  loss: PlotCurve;
}

export interface PlotFix {
  /** Index into PlotModel.findings. */
  finding: number;
  title: string;
  /** 'fixed' | 'improved' | 'not-fixed' | 'worse' | 'failed' | 'unverified'. */
  status: string;
  /** "first-layer gradient ratio 3e-9 → 0.4; loss 0.69 → 0.08". */
  effect: string;
  preferred: boolean;
  after: PlotRunDigest | null;
}

/** What the panel draws for one spec: a compact, JSON-friendly projection of an analysis Report. */
export interface PlotModel {
  /** The spec's URI (string form) and the document version analysed (null when read from disk). */
  uri: string;
  version: number | null;
  /**
   * Fingerprint of the analysed text (null when unknown): after a window reload the extension has only the static
   * analysis, and the webview keeps its saved measured model while the text is still the same.
   */
  textHash: string | null;
  name: string;
  status: string;
  /** Budget cut, internal error, data problem: worth showing. */
  message: string | null;
  /** A training run exists (otherwise only the static prediction is drawn). */
  measured: boolean;
  stepsRun: number;
  /** Why training ended early, or null. */
  stopped: string | null;
  /** The reference layer of the gradient ratios (the output layer), or null. */
  outputPath: string | null;
  thresholds: PlotThresholds;
  /** Every layer, in spec order (the x positions of the per-layer charts). */
  layers: PlotLayer[];
  recordedSteps: number[];
  loss: PlotCurve;
  /** Classification accuracy (empty for regression), on the same steps as the loss. */
  accuracy: PlotCurve;
  findings: PlotFinding[];
  fixes: PlotFix[];
  /** Who measured the run: null for VGNet's engine, else a recorded run's engine ("pytorch 2.3.0"). */
  engine: string | null;
  /** With `engine`: VGNet's own run of the same spec in brief (the compare view's other side), when there is one. */
  reference: PlotRunDigest | null;
}

/** A running analysis, streamed while the worker trains (analysis/measure RunProgress, projected). */
export interface PlotProgress {
  uri: string;
  stepsRun: number;
  totalSteps: number;
  /** Pointers of the layers with weights, and their gradient norms at each recorded step. */
  layers: string[];
  recordedSteps: number[];
  gradNorm: Num[][];
  loss: PlotCurve;
}

/** Host → webview. */
export type HostMessage =
  | { type: 'model'; model: PlotModel }
  | { type: 'progress'; progress: PlotProgress }
  | { type: 'highlight'; uri: string; layer: string | null }
  | { type: 'empty'; reason: string }
  | { type: 'theme' };

export type ExportFormat = 'csv' | 'json' | 'png';

/** Webview → host. */
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'revealLayer'; uri: string; path: string }
  | { type: 'export'; format: 'csv' | 'json'; fileName: string; content: string }
  | { type: 'export'; format: 'png'; fileName: string; dataUrl: string };

/** What the webview keeps with vscode.setState (survives hiding; handed to the serializer after a reload). */
export interface PlotState {
  version: 1;
  model: PlotModel | null;
  /** The finding the compare chart shows, and whether it compares step 0 or the end of training. */
  compareFinding: number | null;
  compareAt: 'start' | 'end';
}

export const PLOTS_VIEW_TYPE = 'vgnet.plots';

/** What the panel says while it follows no spec (the host's 'empty' message and the webview's first paint). */
export const NO_SPEC_TEXT = 'Open a *.vgnet.json spec to see its gradient plots.';

/** Largest export the host accepts from the webview (characters): far above any real model's data. */
export const MAX_EXPORT_CHARS = 32 * 1024 * 1024;

// ---- guards ----------------------------------------------------------------------------------------------------

type Guard<T> = (value: unknown) => value is T;

const isString: Guard<string> = (v): v is string => typeof v === 'string';
const isBoolean: Guard<boolean> = (v): v is boolean => typeof v === 'boolean';
const isFiniteNumber: Guard<number> = (v): v is number => typeof v === 'number' && Number.isFinite(v);
const isNum: Guard<Num> = (v): v is Num => v === null || isFiniteNumber(v);
const isBit: Guard<number> = (v): v is number => v === 0 || v === 1;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nullable<T>(guard: Guard<T>): Guard<T | null> {
  return (v): v is T | null => v === null || guard(v);
}

/** An optional field: absent, or valid (messages from an older host, state from an older webview lack it). */
function optional<T>(guard: Guard<T>): Guard<T | undefined> {
  return (v): v is T | undefined => v === undefined || guard(v);
}

function recordOf<T>(guard: Guard<T>): Guard<Record<string, T>> {
  return (v): v is Record<string, T> => isObject(v) && Object.values(v).every((item) => guard(item));
}

function arrayOf<T>(guard: Guard<T>): Guard<T[]> {
  return (v): v is T[] => Array.isArray(v) && v.every((item) => guard(item));
}

function oneOf<const T extends readonly string[]>(...values: T): Guard<T[number]> {
  return (v): v is T[number] => typeof v === 'string' && values.includes(v);
}

/** A guard for an object with exactly these checked fields (extra fields are tolerated and ignored). */
function shape<T>(fields: { [K in keyof T]-?: Guard<T[K]> }): Guard<T> {
  return (v): v is T =>
    isObject(v) && Object.entries(fields).every(([key, guard]) => (guard as Guard<unknown>)(v[key]));
}

const isCurve = shape<PlotCurve>({ steps: arrayOf(isFiniteNumber), values: arrayOf(isNum) });

const isThresholds = shape<PlotThresholds>({
  vanishingRatio: isFiniteNumber,
  explodingRatio: isFiniteNumber,
  saturatedFraction: isFiniteNumber,
  deadFraction: isFiniteNumber,
});

const isThroughTime = shape<PlotThroughTime>({
  trainingSteps: arrayOf(isFiniteNumber),
  gradNorm: arrayOf(arrayOf(isNum)),
});

const isChannels = shape<PlotChannels>({
  filters: isFiniteNumber,
  deadCount: arrayOf(isNum),
  stripSteps: arrayOf(isFiniteNumber),
  dead: arrayOf(arrayOf(isBit)),
});

const isLayer = shape<PlotLayer>({
  path: isString,
  kind: isString,
  description: isString,
  hasWeights: isBoolean,
  flags: arrayOf(isString),
  predictedRatio: isNum,
  gradNorm: arrayOf(isNum),
  saturatedFraction: arrayOf(isNum),
  deadFraction: arrayOf(isNum),
  throughTime: optional(isThroughTime),
  gateSaturation: optional(recordOf(arrayOf(isNum))),
  channels: optional(isChannels),
});

const isFinding = shape<PlotFinding>({
  kind: isString,
  title: isString,
  severity: oneOf('error', 'warning', 'info'),
  source: oneOf('measured', 'predicted'),
  layers: arrayOf(isString),
  message: isString,
});

const isDigest = shape<PlotRunDigest>({
  layers: arrayOf(isString),
  gradNormStart: arrayOf(isNum),
  gradNormEnd: arrayOf(isNum),
  loss: isCurve,
});

const isFix = shape<PlotFix>({
  finding: isFiniteNumber,
  title: isString,
  status: isString,
  effect: isString,
  preferred: isBoolean,
  after: nullable(isDigest),
});

const isModelShape = shape<PlotModel>({
  uri: isString,
  version: nullable(isFiniteNumber),
  textHash: nullable(isString),
  name: isString,
  status: isString,
  message: nullable(isString),
  measured: isBoolean,
  stepsRun: isFiniteNumber,
  stopped: nullable(isString),
  outputPath: nullable(isString),
  thresholds: isThresholds,
  layers: arrayOf(isLayer),
  recordedSteps: arrayOf(isFiniteNumber),
  loss: isCurve,
  accuracy: isCurve,
  findings: arrayOf(isFinding),
  fixes: arrayOf(isFix),
  engine: nullable(isString),
  reference: nullable(isDigest),
});

/** A well-formed PlotModel whose parallel arrays agree in length (the charts index them together). */
export function isPlotModel(v: unknown): v is PlotModel {
  if (!isModelShape(v)) return false;
  const steps = v.recordedSteps.length;
  const perStep = (a: Num[]): boolean => a.length === 0 || a.length === steps;
  return (
    v.layers.every(
      (l) =>
        perStep(l.gradNorm) &&
        perStep(l.saturatedFraction) &&
        perStep(l.deadFraction) &&
        Object.values(l.gateSaturation ?? {}).every((g) => g.length === steps) &&
        (l.throughTime === undefined || throughTimeAligned(l.throughTime)) &&
        (l.channels === undefined || (l.channels.deadCount.length === steps && channelsAligned(l.channels))),
    ) &&
    curveAligned(v.loss) &&
    curveAligned(v.accuracy) &&
    v.fixes.every(
      (f) => f.finding >= 0 && f.finding < v.findings.length && (f.after === null || digestAligned(f.after)),
    ) &&
    (v.reference === null || digestAligned(v.reference))
  );
}

/** One curve per training step, all over the same time steps. */
function throughTimeAligned(t: PlotThroughTime): boolean {
  const length = t.gradNorm[0]?.length ?? 0;
  return t.gradNorm.length === t.trainingSteps.length && t.gradNorm.every((g) => g.length === length);
}

/** One strip column per strip step, each with one cell per filter. */
function channelsAligned(c: PlotChannels): boolean {
  return c.dead.length === c.stripSteps.length && c.dead.every((d) => d.length === c.filters);
}

function curveAligned(c: PlotCurve): boolean {
  return c.steps.length === c.values.length;
}

function digestAligned(d: PlotRunDigest): boolean {
  return d.gradNormStart.length === d.layers.length && d.gradNormEnd.length === d.layers.length && curveAligned(d.loss);
}

const isProgressShape = shape<PlotProgress>({
  uri: isString,
  stepsRun: isFiniteNumber,
  totalSteps: isFiniteNumber,
  layers: arrayOf(isString),
  recordedSteps: arrayOf(isFiniteNumber),
  gradNorm: arrayOf(arrayOf(isNum)),
  loss: isCurve,
});

export function isPlotProgress(v: unknown): v is PlotProgress {
  return (
    isProgressShape(v) &&
    v.gradNorm.length === v.layers.length &&
    v.gradNorm.every((g) => g.length === v.recordedSteps.length) &&
    curveAligned(v.loss)
  );
}

export function isHostMessage(v: unknown): v is HostMessage {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'model':
      return isPlotModel(v.model);
    case 'progress':
      return isPlotProgress(v.progress);
    case 'highlight':
      return isString(v.uri) && nullable(isString)(v.layer);
    case 'empty':
      return isString(v.reason);
    case 'theme':
      return true;
    default:
      return false;
  }
}

/** A bare file name the host may offer in a save dialog: no folders, no "..", a sensible length. */
export function isPlainFileName(v: unknown): v is string {
  return (
    typeof v === 'string' &&
    v.length > 0 &&
    v.length <= 200 &&
    !/[\\/:*?"<>|\u0000-\u001f]/.test(v) &&
    v !== '.' &&
    v !== '..'
  );
}

const PNG_DATA_URL = /^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/;

export function isWebviewMessage(v: unknown): v is WebviewMessage {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'ready':
      return true;
    case 'revealLayer':
      return isString(v.uri) && isString(v.path) && (v.path === '' || v.path.startsWith('/'));
    case 'export':
      return isPlainFileName(v.fileName) && isExportPayload(v);
    default:
      return false;
  }
}

function isExportPayload(v: Record<string, unknown>): boolean {
  if (v.format === 'csv' || v.format === 'json') return isString(v.content) && v.content.length <= MAX_EXPORT_CHARS;
  if (v.format === 'png')
    return isString(v.dataUrl) && v.dataUrl.length <= MAX_EXPORT_CHARS && PNG_DATA_URL.test(v.dataUrl);
  return false;
}

/** Webview state as restored (anything else, e.g. from an older version, is discarded). */
export function isPlotState(v: unknown): v is PlotState {
  return (
    isObject(v) &&
    v.version === 1 &&
    (v.model === null || isPlotModel(v.model)) &&
    nullable(isFiniteNumber)(v.compareFinding) &&
    (v.compareAt === 'start' || v.compareAt === 'end')
  );
}
