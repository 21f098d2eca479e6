/**
 * The CLI and the editor place every finding at the same spot: for every finding of every example (predicted and
 * measured), the `file:line:col` the CLI prints is where the editor's first diagnostic of that finding starts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze, analyzeStatic, type Report } from '../../src/analysis/analyze';
import type { Finding } from '../../src/analysis/findings';
import { inProcessExecutor } from '../../src/analysis/measure';
import { yielding } from '../support/yielding';
import { formatFindings } from '../../src/cli/report-text';
import { buildDiagnostics } from '../../src/extension/core/diagnostics';
import { DocumentResults } from '../../src/extension/core/results';
import { EMPTY_LOCATOR } from '../../src/extension/core/snapshot';
import { folderFileAccess } from '../../src/node/files';
import { LineIndex } from '../../src/spec/line-index';

const EXAMPLES = path.join(__dirname, '../../examples');
const NAMES = fs
  .readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.vgnet.json'))
  .sort();

/** [line, col] (1-based) of each finding's line in the CLI output, in finding order. */
function cliPositions(file: string, text: string, report: Report): Array<[number, number]> {
  const pattern = new RegExp(`^${file.replace(/[.]/g, '\\.')}:(\\d+):(\\d+): `);
  return formatFindings(file, text, report)
    .split('\n')
    .flatMap((line) => {
      const m = pattern.exec(line);
      return m ? [[Number(m[1]), Number(m[2])] as [number, number]] : [];
    });
}

/** [line, col] (1-based) of the first editor diagnostic of each finding the editor shows as it is. */
function editorPositions(text: string, report: Report, measured: boolean): Map<Finding, [number, number]> {
  const results = new DocumentResults();
  const analyzed = { snapshot: { version: 1, text }, report, locator: report.spec ?? EMPTY_LOCATOR };
  if (measured) results.setMeasured(analyzed);
  else results.setStatic(analyzed);
  const view = results.view(analyzed.snapshot)!;
  const diagnostics = buildDiagnostics(view, new LineIndex(text));
  return new Map(
    view.findings.map((finding, index) => {
      const first = diagnostics.find((d) => d.finding === index)!;
      return [finding, [first.range.start.line + 1, first.range.start.character + 1]];
    }),
  );
}

let compared = 0;

describe('CLI and editor agree on where each finding is', () => {
  afterAll(() => expect(compared).toBeGreaterThan(10));

  for (const name of NAMES) {
    it(name, async () => {
      const text = fs.readFileSync(path.join(EXAMPLES, name), 'utf8');
      const predicted = analyzeStatic(text);
      const measured = await analyze(text, {
        executor: yielding(inProcessExecutor(folderFileAccess(EXAMPLES))),
        verifyFixes: false,
        timeBudgetMs: 120_000,
        from: predicted,
      });
      expect(measured.status).toBe('ok');
      for (const [report, isMeasured] of [
        [predicted, false],
        [measured, true],
      ] as const) {
        const cli = cliPositions(name, text, report);
        expect(cli).toHaveLength(report.findings.length);
        // The editor merges predictions into measurements: compare every finding it shows unchanged.
        const editor = editorPositions(text, report, isMeasured);
        report.findings.forEach((finding, i) => {
          if (finding.source === 'measured' || !isMeasured) expect(editor.get(finding), finding.kind).toEqual(cli[i]);
          if (editor.has(finding)) compared++;
        });
      }
    });
  }

  it('puts model-wide findings on the learning rate in both', async () => {
    const text = fs.readFileSync(path.join(EXAMPLES, 'high-lr-diverges.vgnet.json'), 'utf8');
    const report = await analyze(text, {
      executor: yielding(inProcessExecutor(folderFileAccess(EXAMPLES))),
      verifyFixes: false,
    });
    const lr = report.spec!.locate('/optimizer/lr')!;
    const at = new LineIndex(text).positionAt(lr.offset);
    const divergence = report.findings.findIndex((f) => f.kind === 'divergence');
    expect(divergence).toBeGreaterThanOrEqual(0);
    expect(cliPositions('high-lr-diverges.vgnet.json', text, report)[divergence]).toEqual([
      at.line + 1,
      at.character + 1,
    ]);
  });
});
