import { describe, expect, it } from 'vitest';
import { MAX_SPEC_CHARS } from '../../../src/extension/core/documents';
import { DocumentResults } from '../../../src/extension/core/results';
import { analyzeSnapshot } from '../../../src/extension/core/snapshot';
import { DEFAULT_THRESHOLDS } from '../../../src/analysis/thresholds';
import { SPEC, snapshot } from './fixtures';

describe('analyzeSnapshot', () => {
  it('parses, validates and predicts a spec, and keeps the parsed spec for locating layers', () => {
    const analysed = analyzeSnapshot(snapshot(), DEFAULT_THRESHOLDS);
    expect(analysed.report.status).toBe('ok');
    expect(analysed.report.prediction?.layers.map((l) => l.path)).toEqual(['/layers/0', '/layers/1', '/layers/2']);
    expect(analysed.locator.layerPaths).toEqual(['/layers/0', '/layers/1', '/layers/2']);
  });

  it('answers malformed text with diagnostics, not an exception', () => {
    const analysed = analyzeSnapshot(snapshot('{"layers": [ {"type": }'), DEFAULT_THRESHOLDS);
    expect(analysed.report.diagnostics.some((d) => d.code === 'syntax')).toBe(true);
    expect(analysed.report.findings).toEqual([]);
  });

  it('skips a file past the size cap with one notice and no parse', () => {
    const huge = `${SPEC}${' '.repeat(MAX_SPEC_CHARS)}`;
    const analysed = analyzeSnapshot(snapshot(huge), DEFAULT_THRESHOLDS);
    expect(analysed.report.diagnostics).toHaveLength(1);
    expect(analysed.report.diagnostics[0]!.message).toMatch(/VGNet skips this file/);
    expect(analysed.locator.layerPaths).toEqual([]);
  });
});

describe('DocumentResults.latestView (files that are not open)', () => {
  it('shows the measured analysis when there is one, else the static one', () => {
    const results = new DocumentResults();
    expect(results.latestView()).toBeNull();
    results.setStatic(analyzeSnapshot(snapshot(), DEFAULT_THRESHOLDS));
    expect(results.latestView()!.measured).toBe(false);
  });
});
