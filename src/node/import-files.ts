/**
 * `vgnet import` on disk, for the CLI and the editor's bridge worker: read a Keras JSON, `.keras` archive or ONNX
 * file (size-capped), import it (src/bridge), check that the spec it wrote validates, and write the spec — and for
 * ONNX the stored weights as its parameters file — beside it through the safe writer. Never overwrites unless forced.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { importKeras, ImportError } from '../bridge/import-keras';
import { importOnnx } from '../bridge/import-onnx';
import { writeSpec, type ImportedSpec } from '../bridge/spec-writer';
import { parseSpec } from '../spec';
import { readParameters } from '../spec/parameters';
import { writeAtomically } from './atomic';
import { readZipMember, ZipError } from './zip';

const MAX_JSON_BYTES = 16 * 1024 * 1024;
const MAX_ONNX_BYTES = 512 * 1024 * 1024;

export type ImportResult =
  | { ok: true; spec: string; parameters: string | null; layers: number; notes: string[] }
  /** internal: the import produced a spec that does not validate (our bug, exit 3). */
  | { ok: false; message: string; internal?: boolean };

export function importModelFile(file: string, out: string | null, force: boolean): ImportResult {
  const base = path.basename(file);
  const stem = base.replace(/\.(json|keras|onnx)$/i, '');
  const target = out ?? path.join(path.dirname(file), `${stem}.vgnet.json`);
  const kind = /\.onnx$/i.test(base) ? 'onnx' : /\.keras$/i.test(base) ? 'keras' : 'json';
  let bytes: Uint8Array;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return { ok: false, message: `${file}: not a file` };
    const cap = kind === 'onnx' ? MAX_ONNX_BYTES : kind === 'keras' ? MAX_ONNX_BYTES : MAX_JSON_BYTES;
    if (stat.size > cap)
      return {
        ok: false,
        message: `${file}: ${(stat.size / 1e6).toFixed(0)} MB, more than the ${cap / 1e6} MB imported`,
      };
    bytes = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, message: code === 'ENOENT' ? `${file}: no such file` : `${file}: ${(err as Error).message}` };
  }
  const parametersName = `${path.basename(target).replace(/\.vgnet\.json$|\.json$/i, '')}.vgnet-init.json`;
  let spec: ImportedSpec;
  let parameters: Record<string, Record<string, unknown>> | null = null;
  try {
    if (kind === 'onnx') {
      const imported = importOnnx(bytes, base, parametersName);
      spec = { ...imported.spec, parameters: parametersName };
      parameters = imported.parameters;
    } else {
      const text =
        kind === 'keras'
          ? new TextDecoder().decode(readZipMember(bytes, 'config.json', MAX_JSON_BYTES))
          : new TextDecoder().decode(bytes);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        return { ok: false, message: `${file}: not JSON: ${(err as Error).message}` };
      }
      // A TF.js model.json keeps the Keras JSON under modelTopology (and the weights in shards, not read).
      const topology = (json as { modelTopology?: unknown }).modelTopology;
      spec = importKeras(topology ?? json, base);
    }
  } catch (err) {
    if (err instanceof ImportError || err instanceof ZipError) return { ok: false, message: `${file}: ${err.message}` };
    throw err;
  }
  const text = writeSpec(spec);
  const parsed = parseSpec(text);
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || parsed.config === null)
    return {
      ok: false,
      internal: true,
      message: `${file}: the imported spec does not validate (${errors[0]?.message ?? 'no model'}); please report it with the file`,
    };
  const parametersText = parameters
    ? JSON.stringify({ format: 'vgnet-init/1', spec: path.basename(target), parameters })
    : null;
  if (parametersText !== null) {
    const check = readParameters(parametersText, parametersName, parsed.config);
    if ('error' in check) return { ok: false, internal: true, message: `${file}: ${check.error}` };
  }
  const parametersTarget = path.join(path.dirname(target), parametersName);
  for (const t of parametersText !== null ? [target, parametersTarget] : [target]) {
    if (!force && fs.existsSync(t))
      return { ok: false, message: `'${t}' exists (use --force to replace it, or -o another file)` };
  }
  const error =
    (parametersText !== null ? writeAtomically(parametersTarget, parametersText, { force }) : null) ??
    writeAtomically(target, text, { force });
  if (error) return { ok: false, message: error };
  return {
    ok: true,
    spec: target,
    parameters: parametersText !== null ? parametersTarget : null,
    layers: parsed.layerPaths.length,
    notes: spec.notes,
  };
}
