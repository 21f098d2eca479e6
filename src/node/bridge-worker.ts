/**
 * One-shot worker for the editor's bridge commands: exporting a spec (loads its data: up to 50 M values) and
 * reading run records (up to 64 MB of JSON) off the extension host's thread. Started per task with heap limits by
 * bridge-tasks.ts; answers once; nothing is transferred (records are structured-cloned).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { readRecord } from '../analysis/record';
import { lineColIn } from '../spec';
import { LineIndex } from '../spec/line-index';
import type { BridgeRequest, BridgeResponse } from './bridge-messages';
import { writePytorchExport } from './export-files';
import { readRecordFile } from './files';
import { importModelFile } from './import-files';

function answer(request: BridgeRequest): BridgeResponse {
  switch (request.kind) {
    case 'export':
      return { kind: 'export', result: writePytorchExport(request.request) };
    case 'import':
      return { kind: 'import', result: importModelFile(request.file, request.out, request.force) };
    case 'read-record': {
      const source = readRecordFile(request.file);
      if ('error' in source) return { kind: 'read-record', ok: false, message: source.error };
      const read = readRecord(source.text);
      if (!read.ok) {
        const { line, col } = lineColIn(new LineIndex(source.text), read.offset);
        return {
          kind: 'read-record',
          ok: false,
          message: `${path.basename(request.file)}:${line}:${col}: ${read.message}`,
        };
      }
      return { kind: 'read-record', ok: true, run: read.run, specFile: specBeside(request.file, read.run.spec) };
    }
  }
}

/** The spec a record names, when it is a file in the record's own folder (never a path elsewhere). */
function specBeside(recordFile: string, named: string | null): string | null {
  if (named === null) return null;
  const candidate = path.join(path.dirname(recordFile), path.basename(named));
  return fs.existsSync(candidate) && fs.statSync(candidate).isFile() ? candidate : null;
}

try {
  parentPort?.postMessage(answer(workerData as BridgeRequest));
} catch (err) {
  parentPort?.postMessage({ kind: 'failed', message: (err as Error).message } satisfies BridgeResponse);
}
