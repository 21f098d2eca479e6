/**
 * What an import produces, and its text: a readable `.vgnet.json` with a `//` comment on every layer naming the
 * source layer it came from, and the notes of the import (what was mapped how) at the top.
 */
export interface ImportedLayer {
  /** The layer as spec JSON (`type`, `units`, …), without `layers` for a residual block. */
  json: Record<string, unknown>;
  /** "dense_1 (Dense)": the source layer, shown as the line's comment. */
  source: string;
  /** A residual block's branch. */
  branch?: ImportedLayer[];
}

export interface ImportedSpec {
  name: string;
  description: string;
  /** Flat features, or a shape in VGNet's layout ([C, H, W], [C, L], [steps, features]). */
  input: number | number[];
  layers: ImportedLayer[];
  loss: string;
  optimizer: Record<string, unknown> | null;
  training: Record<string, unknown>;
  data: Record<string, unknown>;
  /** The initial-parameters file beside the spec (ONNX imports carry weights), or absent. */
  parameters?: string;
  /** Lines for the header comment: the source file, how ambiguous things were mapped. */
  notes: string[];
}

/** The spec's text: one layer per line (a residual block opens a nested list), keys in the docs' order. */
export function writeSpec(spec: ImportedSpec): string {
  const out: string[] = [];
  for (const note of spec.notes) out.push(`// ${note}`);
  out.push('{');
  out.push('  "version": 1,');
  out.push(`  "name": ${JSON.stringify(spec.name)},`);
  out.push(`  "description": ${JSON.stringify(spec.description)},`);
  out.push(`  "input": ${inline(spec.input)},`);
  out.push('  "layers": [');
  writeLayers(spec.layers, '    ', out);
  out.push('  ],');
  out.push(`  "loss": ${JSON.stringify(spec.loss)},`);
  if (spec.optimizer) out.push(`  "optimizer": ${inline(spec.optimizer)},`);
  out.push(`  "training": ${inline(spec.training)},`);
  out.push(`  "data": ${inline(spec.data)}${spec.parameters ? ',' : ''}`);
  if (spec.parameters) out.push(`  "parameters": ${JSON.stringify(spec.parameters)}`);
  out.push('}');
  return `${out.join('\n')}\n`;
}

function writeLayers(layers: readonly ImportedLayer[], indent: string, out: string[]): void {
  layers.forEach((layer, i) => {
    const comma = i < layers.length - 1 ? ',' : '';
    if (!layer.branch) {
      out.push(`${indent}${inline(layer.json)}${comma}  // ${layer.source}`);
      return;
    }
    const head = inline(layer.json).replace(/\}$/, '');
    out.push(`${indent}${head}${head.endsWith('{') ? '' : ', '}"layers": [  // ${layer.source}`);
    writeLayers(layer.branch, `${indent}  `, out);
    out.push(`${indent}]}${comma}`);
  });
}

/** `{"a": 1, "b": {"c": 2}}` on one line, with a space after each colon and comma (as the examples are written). */
function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}
