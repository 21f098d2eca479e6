/**
 * The glue's whole pure path on a real run: analyse a deep sigmoid net, show its diagnostics, apply the preferred
 * verified fix the way the code action does (offsets → line/character range → replacement), analyse again.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/analysis/analyze';
import { RunCache } from '../../../src/analysis/cache';
import { inProcessExecutor } from '../../../src/analysis/measure';
import { buildDiagnostics } from '../../../src/extension/core/diagnostics';
import { verifiedActions } from '../../../src/extension/core/fixes';
import { LineIndex } from '../../../src/spec/line-index';
import { DocumentResults } from '../../../src/extension/core/results';
import { analyzeSnapshot } from '../../../src/extension/core/snapshot';
import { DEFAULT_THRESHOLDS } from '../../../src/analysis/thresholds';
import { parseSpec } from '../../../src/spec';

const layer = '    {"type": "dense", "units": 16, "activation": "sigmoid", "init": "glorot_uniform"},\n';
const SPEC = `// eight sigmoid layers: the gradient vanishes
{
  "version": 1,
  "input": 2,
  "layers": [
${layer.repeat(7)}    {"type": "dense", "units": 1, "activation": "sigmoid"}
  ],
  "loss": "bce",
  "optimizer": {"type": "sgd", "lr": 0.1},
  "training": {"steps": 60, "batchSize": 32, "seed": 1},
  "data": {"source": "moons", "samples": 256}
}
`;

const noFiles = { readText: () => ({ error: 'no files in this test' }) };

async function measured(text: string, version: number) {
  const results = new DocumentResults();
  const snapshot = { version, text };
  results.setStatic(analyzeSnapshot(snapshot, DEFAULT_THRESHOLDS));
  const report = await analyze(text, { executor: inProcessExecutor(noFiles), cache: new RunCache() });
  results.setMeasured({ snapshot, report, locator: parseSpec(text) });
  return results.view(snapshot)!;
}

describe('analyse → diagnostics → quick fix → analyse again', () => {
  it('removes the measured vanishing gradient with the preferred fix, keeping the comment', async () => {
    const before = await measured(SPEC, 1);
    const lines = new LineIndex(SPEC);
    const vanishing = buildDiagnostics(before, lines).filter((d) => d.code === 'vanishing' && d.origin === 'measured');
    expect(vanishing.length).toBeGreaterThan(0);
    // every layer diagnostic sits on its layer's "sigmoid"
    for (const d of vanishing)
      expect(SPEC.slice(lines.offsetAt(d.range.start), lines.offsetAt(d.range.end))).toBe('"sigmoid"');

    const index = before.findings.findIndex((f) => f.kind === 'vanishing' && f.source === 'measured');
    const preferred = verifiedActions(before, index).find((a) => a.preferred);
    expect(preferred, 'a verified fix that removes the vanishing gradient').toBeDefined();
    expect(preferred!.title).toMatch(/ — fixed: first-layer gradient ratio .+ → .+; loss .+ → .+$/);

    const range = lines.rangeOf(preferred!.edit.offset, preferred!.edit.length);
    const fixed =
      SPEC.slice(0, lines.offsetAt(range.start)) + preferred!.edit.content + SPEC.slice(lines.offsetAt(range.end));
    expect(fixed.startsWith('// eight sigmoid layers')).toBe(true);

    const after = await measured(fixed, 2);
    expect(after.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(after.findings.some((f) => f.kind === 'vanishing' && f.source === 'measured')).toBe(false);
  });
});
