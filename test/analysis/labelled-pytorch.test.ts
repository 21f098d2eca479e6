/**
 * A fast subset of the PyTorch-labelled benchmark (bench/labelled: labels measured in PyTorch by label.py, never by
 * VGNet): VGNet's 3-seed verdicts must agree with PyTorch's on every clear label of these specs, so a regression in
 * the engine, the probe set or the rules fails CI. The full benchmark is `npm run bench:verdicts`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze';
import { inProcessExecutor } from '../../src/analysis/measure';

const DIR = path.join(__dirname, '../../bench/labelled');
const KINDS = ['divergence', 'vanishing', 'exploding', 'dead-relu', 'saturation', 'output-saturation'] as const;

interface Spec {
  name: string;
  family: string;
  half: string;
  spec: { layers: unknown[] };
}
type Labels = Record<string, { label: Record<string, 'yes' | 'no' | 'ambiguous'> }>;

/** Per family, the first three held-out specs of at most 16 layers (fast to train on three seeds). */
function subset(): { spec: Spec; label: Record<string, string> }[] {
  const specs = JSON.parse(fs.readFileSync(path.join(DIR, 'specs.json'), 'utf8')) as Spec[];
  const labels = JSON.parse(fs.readFileSync(path.join(DIR, 'labels.json'), 'utf8')) as Labels;
  const taken = new Map<string, number>();
  const out: { spec: Spec; label: Record<string, string> }[] = [];
  for (const s of specs) {
    const label = labels[s.name]?.label;
    if (!label || s.half !== 'held-out' || s.spec.layers.length > 16) continue;
    if ((taken.get(s.family) ?? 0) >= 3) continue;
    taken.set(s.family, (taken.get(s.family) ?? 0) + 1);
    out.push({ spec: s, label });
  }
  return out;
}

const noFiles = { readText: () => ({ error: 'no files' }) };

describe('verdicts agree with PyTorch on a subset of the labelled benchmark', () => {
  it('every clear label of 3 held-out specs per family', { timeout: 600_000 }, async () => {
    const cases = subset();
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const disagreements: string[] = [];
    let clear = 0;
    for (const { spec, label } of cases) {
      const report = await analyze(JSON.stringify(spec.spec), {
        executor: inProcessExecutor(noFiles),
        verifyFixes: false,
        timeBudgetMs: 600_000,
      });
      expect(report.status, spec.name).toBe('ok');
      for (const kind of KINDS) {
        if (label[kind] === 'ambiguous') continue;
        clear++;
        const vgnet = report.findings.some((f) => f.kind === kind && f.severity !== 'info');
        if (vgnet !== (label[kind] === 'yes')) disagreements.push(`${spec.name}: ${kind} PyTorch ${label[kind]}`);
      }
    }
    console.log(`${cases.length} specs, ${clear} clear labels, ${disagreements.length} disagreements`);
    expect(disagreements).toEqual([]);
  });
});
