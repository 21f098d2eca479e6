import { describe, expect, it } from 'vitest';
import { describeFindings, statusDisplay } from '../../../src/extension/core/status';
import { DocumentResults } from '../../../src/extension/core/results';
import { analysed, finding, report, snapshot } from './fixtures';

function viewOf(rep: Parameters<typeof report>[0], measured: boolean) {
  const results = new DocumentResults();
  if (measured) results.setMeasured(analysed(report({ result: {} as never, ...rep })));
  else results.setStatic(analysed(report(rep)));
  return results.view(snapshot())!;
}

describe('status bar', () => {
  it('counts vanishing layers: "VGNet: 2 layers vanishing"', () => {
    const view = viewOf({ findings: [finding({ kind: 'vanishing', layers: ['/layers/0', '/layers/1'] })] }, true);
    const display = statusDisplay({ name: 'a.vgnet.json', view, running: false, restricted: false });
    expect(display.text).toBe('$(warning) VGNet: 2 layers vanishing');
    expect(display.tone).toBe('warning');
  });

  it('marks predictions and explains how to measure', () => {
    const view = viewOf(
      { findings: [finding({ kind: 'exploding', source: 'predicted', severity: 'info', layers: ['/layers/0'] })] },
      false,
    );
    const display = statusDisplay({ name: 'a', view, running: false, restricted: false });
    expect(display.text).toBe('$(info) VGNet: 1 layer exploding (predicted)');
    expect(display.tooltip).toContain('save or run');
  });

  it('says training diverged first and counts what it does not name', () => {
    const text = describeFindings([
      finding({ kind: 'vanishing', layers: ['/layers/0'] }),
      finding({ kind: 'divergence', severity: 'error', layers: [] }),
      finding({ kind: 'learning-rate-high', layers: ['/layers/0', '/layers/1'] }),
      finding({ kind: 'dead-relu', layers: ['/layers/1'] }),
    ]);
    expect(text).toBe('training diverged, 1 layer vanishing +2 more');
  });

  it('shows spec errors before any verdict', () => {
    const diag = { severity: 'error' as const, message: 'x', offset: 0, length: 1, path: '', code: 'syntax' };
    const view = viewOf(
      { diagnostics: [diag, diag], findings: [finding({ kind: 'vanishing', layers: ['/layers/0'] })] },
      false,
    );
    expect(statusDisplay({ name: 'a', view, running: false, restricted: false }).text).toBe(
      '$(error) VGNet: 2 spec errors',
    );
  });

  it('shows the running state, healthy results and Restricted Mode', () => {
    expect(statusDisplay({ name: 'a', view: null, running: true, restricted: false }).tone).toBe('running');
    expect(statusDisplay({ name: 'a', view: viewOf({}, true), running: false, restricted: false }).text).toBe(
      '$(pass) VGNet: gradients healthy',
    );
    expect(statusDisplay({ name: 'a', view: viewOf({}, false), running: false, restricted: true }).tooltip).toContain(
      'Restricted Mode',
    );
  });
});

describe('status bar while fixes are being verified', () => {
  it('keeps the measured verdict visible with a spinner', () => {
    const view = viewOf({ findings: [finding({ kind: 'vanishing', layers: ['/layers/0', '/layers/1'] })] }, true);
    const display = statusDisplay({ name: 'a', view, running: true, restricted: false });
    expect(display.text).toBe('$(sync~spin) VGNet: 2 layers vanishing · verifying fixes…');
    expect(display.tone).toBe('running');
  });

  it('counts the candidates tried and the fixes being confirmed on the other seeds', () => {
    const view = viewOf({ findings: [finding({ kind: 'vanishing', layers: ['/layers/0'] })] }, true);
    const at = (tried: number, of: number, confirming: number) =>
      statusDisplay({ name: 'a', view, running: true, restricted: false, verifying: { tried, of, confirming } });
    expect(at(0, 7, 0).text).toBe('$(sync~spin) VGNet: 1 layer vanishing · verifying fixes (0/7 tried)…');
    const midway = at(5, 7, 2);
    expect(midway.text).toBe('$(sync~spin) VGNet: 1 layer vanishing · verifying fixes (5/7 tried, 2 confirming)…');
    expect(midway.tooltip).toContain(
      '5 of 7 candidates tried on the first seed; 2 fixes that held there still training',
    );
    expect(at(7, 7, 1).tooltip).toContain('; 1 fix that held there');
  });
});

describe('status bar while the other seeds train', () => {
  it("shows the first seed's verdict as such, with how many seeds are still training", () => {
    const findings = [finding({ kind: 'vanishing', layers: ['/layers/0'] })];
    const view = viewOf({ findings, refining: 2 }, true);
    const display = statusDisplay({ name: 'a', view, running: true, restricted: false });
    expect(display.text).toBe('$(sync~spin) VGNet: 1 layer vanishing (first seed) · measuring 2 more seeds…');
    expect(display.text).not.toMatch(/analysing/);
    // Once every seed is in, the usual state while the fixes are verified.
    const all = statusDisplay({ name: 'a', view: viewOf({ findings }, true), running: true, restricted: false });
    expect(all.text).toBe('$(sync~spin) VGNet: 1 layer vanishing · verifying fixes…');
  });
});
