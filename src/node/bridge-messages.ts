/** Requests and answers of the bridge worker (bridge-worker.ts): file work of import, export and records. */
import type { RecordedRun } from '../analysis/record';
import type { ExportRequest, ExportResult } from './export-files';
import type { ImportResult } from './import-files';

export type BridgeRequest =
  | { kind: 'export'; request: ExportRequest }
  /** Read and check a run record (size cap, format), resolving the spec it names beside it. */
  | { kind: 'read-record'; file: string }
  /** vgnet import: a Keras JSON, .keras or ONNX file → a spec (and parameters file) beside it. */
  | { kind: 'import'; file: string; out: string | null; force: boolean };

export type BridgeResponse =
  | { kind: 'export'; result: ExportResult }
  | { kind: 'read-record'; ok: true; run: RecordedRun; specFile: string | null }
  | { kind: 'read-record'; ok: false; message: string }
  | { kind: 'import'; result: ImportResult }
  | { kind: 'failed'; message: string };
