/** `vgnet fix --apply` writes one fix: which one, when several findings each have a preferred fix (issue 14). */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/analysis/analyze';
import type { VerifiedFix } from '../../src/analysis/verify';
import { chooseFixes } from '../../src/cli/fix';

function fix(finding: number, id: string, remaining: string[], clear: boolean): VerifiedFix {
  return {
    finding,
    id,
    title: id,
    layers: [],
    edit: { offset: 0, length: 0, content: id },
    preferred: true,
    verification: { status: 'fixed', remaining, clear },
  } as unknown as VerifiedFix;
}

function report(fixes: VerifiedFix[]): Report {
  const findings = [
    { kind: 'divergence', severity: 'error' },
    { kind: 'saturation', severity: 'warning' },
  ];
  return { findings, fixes } as unknown as Report;
}

describe('chooseFixes', () => {
  it('prefers a fix clear of every threshold to one that only just passes, whatever its finding', () => {
    const chosen = chooseFixes(report([fix(0, 'adam', [], false), fix(1, 'batchnorm', [], true)]));
    expect(chosen.map((f) => f.id)).toEqual(['batchnorm']);
  });

  it('keeps the most severe finding first among fixes equally clear', () => {
    expect(chooseFixes(report([fix(0, 'adam', [], true), fix(1, 'batchnorm', [], true)]))[0]!.id).toBe('adam');
    expect(chooseFixes(report([fix(0, 'adam', [], false), fix(1, 'batchnorm', [], false)]))[0]!.id).toBe('adam');
  });

  it('a fix that leaves a problem behind comes after one that leaves none, clear or not', () => {
    const chosen = chooseFixes(report([fix(0, 'clip-norm', ['saturation'], true), fix(1, 'batchnorm', [], false)]));
    expect(chosen.map((f) => f.id)).toEqual(['batchnorm']);
    expect(chooseFixes(report([fix(0, 'clip-norm', ['saturation'], true)]))[0]!.id).toBe('clip-norm');
  });
});
