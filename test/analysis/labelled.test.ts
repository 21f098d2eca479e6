/**
 * Precision and recall of the measured verdicts on a labelled set of specs (test/analysis/labelled-specs.ts).
 * Prints the per-kind table; fails if any kind drops below 0.9 precision or recall.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze';
import type { FindingKind } from '../../src/analysis/findings';
import { inProcessExecutor } from '../../src/analysis/measure';
import { labelledSpecs } from './labelled-specs';

const noFiles = { readText: () => ({ error: 'no files' }) };

describe('verdicts on the labelled set', () => {
  it('precision and recall per finding kind ≥ 0.9, and no warning on any healthy spec', async () => {
    const counts = new Map<FindingKind, { tp: number; fp: number; fn: number }>();
    const count = (k: FindingKind) => counts.get(k) ?? (counts.set(k, { tp: 0, fp: 0, fn: 0 }), counts.get(k)!);
    const mistakes: string[] = [];
    const specs = labelledSpecs();
    for (const spec of specs) {
      const report = await analyze(spec.text, { executor: inProcessExecutor(noFiles), verifyFixes: false });
      expect(report.status, spec.name).toBe('ok');
      const found = new Set(
        report.findings.filter((f) => f.severity !== 'info' && f.source === 'measured').map((f) => f.kind),
      );
      for (const k of new Set([...found, ...spec.labels])) {
        if (spec.optional.includes(k)) continue;
        const c = count(k);
        const expected = spec.labels.includes(k);
        if (expected && found.has(k)) c.tp++;
        else if (found.has(k)) {
          c.fp++;
          mistakes.push(`${spec.name}: unexpected ${k}`);
        } else {
          c.fn++;
          mistakes.push(`${spec.name}: missed ${k}`);
        }
      }
    }
    const rows = [...counts].map(([k, c]) => {
      const precision = c.tp / Math.max(1, c.tp + c.fp);
      const recall = c.tp / Math.max(1, c.tp + c.fn);
      return { kind: k, tp: c.tp, fp: c.fp, fn: c.fn, precision: +precision.toFixed(2), recall: +recall.toFixed(2) };
    });
    console.log(
      `labelled specs: ${specs.length}\n${rows.map((r) => JSON.stringify(r)).join('\n')}\n${mistakes.join('\n')}`,
    );
    for (const r of rows) {
      expect(r.precision, r.kind).toBeGreaterThanOrEqual(0.9);
      expect(r.recall, r.kind).toBeGreaterThanOrEqual(0.9);
    }
  }, 300_000);
});
