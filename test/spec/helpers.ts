/** Test helpers: positions computed independently of src/spec (by searching the text), and diagnostic lookup. */
import { expect } from 'vitest';
import { lineCol, type ParsedSpec, type SpecDiagnostic } from '../../src/spec';

/** "line:col" (1-based) of the n-th occurrence of `needle`, by plain string search. */
export function positionOf(text: string, needle: string, occurrence = 1): string {
  let index = -1;
  for (let i = 0; i < occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`needle ${JSON.stringify(needle)} #${occurrence} not in text`);
  }
  const lines = text.slice(0, index).split('\n');
  return `${lines.length}:${lines[lines.length - 1]!.length + 1}`;
}

/** "line:col" where a diagnostic starts. */
export function at(text: string, d: SpecDiagnostic): string {
  const { line, col } = lineCol(text, d.offset);
  return `${line}:${col}`;
}

/** The one diagnostic with `code` (fails the test when there are none or several). */
export function only(parsed: ParsedSpec, code: string): SpecDiagnostic {
  const found = parsed.diagnostics.filter((d) => d.code === code);
  expect(found, `diagnostics with code ${code}: ${JSON.stringify(parsed.diagnostics, null, 1)}`).toHaveLength(1);
  return found[0]!;
}

/** The text a diagnostic covers. */
export function covered(text: string, d: SpecDiagnostic): string {
  return text.slice(d.offset, d.offset + d.length);
}

/** A valid spec with one part replaced: `spec({ loss: '"mse"' })`. Values are raw JSON text. */
export function spec(
  parts: Partial<Record<'input' | 'layers' | 'loss' | 'optimizer' | 'training' | 'data', string>> = {},
): string {
  const all: Record<string, string | undefined> = {
    input: '2',
    layers:
      '[\n    { "type": "dense", "units": 8, "activation": "relu" },\n    { "type": "dense", "units": 1, "activation": "sigmoid" }\n  ]',
    loss: '"bce"',
    ...parts,
    data: parts.data ?? '{ "source": "moons" }',
  };
  const order = ['input', 'layers', 'loss', 'optimizer', 'training', 'data'];
  const members = order.filter((key) => all[key] !== undefined).map((key) => `  "${key}": ${all[key]}`);
  return `{\n${members.join(',\n')}\n}\n`;
}
