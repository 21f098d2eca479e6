/**
 * One parse per edit, one per save: the static analysis parses the text, the measured analysis and the fix
 * verification continue from its report. Counted on the user's text, outside the executor (whose job — in a
 * worker thread in the editor — is to parse and train what it is sent).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ host: [] as string[], inExecutor: false }));

vi.mock('../../src/spec', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/spec')>();
  return {
    ...original,
    parseSpec: (text: string) => {
      if (!calls.inExecutor) calls.host.push(text);
      return original.parseSpec(text);
    },
  };
});

const { analyze, verifyReportFixes } = await import('../../src/analysis/analyze');
const { inProcessExecutor } = await import('../../src/analysis/measure');
const { analyzeSnapshot } = await import('../../src/extension/core/snapshot');
const { DEFAULT_THRESHOLDS } = await import('../../src/analysis/thresholds');
const { folderFileAccess } = await import('../../src/node/files');
type Executor = import('../../src/analysis/measure').Executor;

const EXAMPLES = path.join(__dirname, '../../examples');
const inner = inProcessExecutor(folderFileAccess(EXAMPLES));
const executor: Executor = {
  run: async (job, signal, onProgress) => {
    calls.inExecutor = true;
    try {
      return await inner.run(job, signal, onProgress);
    } finally {
      calls.inExecutor = false;
    }
  },
};

describe('the spec text is parsed once per analysis', () => {
  it('edit → static; save → measured → verified fixes: one parse of the text on the host', async () => {
    const text = fs.readFileSync(path.join(EXAMPLES, 'deep-sigmoid.vgnet.json'), 'utf8');
    calls.host.length = 0;
    const analyzed = analyzeSnapshot({ version: 1, text }, DEFAULT_THRESHOLDS);
    expect(calls.host.filter((t) => t === text)).toHaveLength(1);
    const options = { executor, steps: 60, timeBudgetMs: 60_000, verifyFixes: false };
    const measured = await analyze(text, { ...options, from: analyzed.report });
    const verified = await verifyReportFixes(text, measured, options);
    expect(verified.fixes.length).toBeGreaterThan(0);
    expect(verified.spec).toBe(analyzed.report.spec);
    expect(calls.host.filter((t) => t === text)).toHaveLength(1);
  });

  it('the CLI path (analyze with fixes, then the findings text) parses once too', async () => {
    const { formatFindings } = await import('../../src/cli/report-text');
    const text = fs.readFileSync(path.join(EXAMPLES, 'dying-relu.vgnet.json'), 'utf8');
    calls.host.length = 0;
    const report = await analyze(text, { executor, steps: 60, timeBudgetMs: 60_000 });
    formatFindings('dying-relu.vgnet.json', text, report);
    expect(calls.host.filter((t) => t === text)).toHaveLength(1);
  });
});
