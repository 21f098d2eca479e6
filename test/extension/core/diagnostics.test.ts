import { describe, expect, it } from 'vitest';
import { buildDiagnostics } from '../../../src/extension/core/diagnostics';
import { LineIndex } from '../../../src/spec/line-index';
import { DocumentResults } from '../../../src/extension/core/results';
import { analysed, finding, report, snapshot, SPEC } from './fixtures';

function diagnosticsFor(findings: Parameters<typeof report>[0]) {
  const results = new DocumentResults();
  results.setMeasured(analysed(report(findings)));
  const view = results.view(snapshot())!;
  const lines = new LineIndex(SPEC);
  return buildDiagnostics(view, lines).map((d) => ({
    ...d,
    text: SPEC.slice(lines.offsetAt(d.range.start), lines.offsetAt(d.range.end)),
  }));
}

describe('buildDiagnostics', () => {
  it('puts a vanishing gradient through a sigmoid on the activation value: one diagnostic, the other layers related', () => {
    const f = finding({
      kind: 'vanishing',
      layers: ['/layers/0', '/layers/1'],
      values: { '/layers/0': 2.1e-8, '/layers/1': 3e-6 },
    });
    const out = diagnosticsFor({ findings: [f] });
    expect(out.map((d) => d.text)).toEqual(['"sigmoid"']);
    expect(out.map((d) => d.layer)).toEqual(['/layers/0']);
    expect(out[0]!.range.start.line).toBe(6);
    expect(out[0]!.related[0]!.message).toContain('/layers/1');
  });

  it("puts poor initialisation on the init value, and on the layer's first line when no init is written", () => {
    const f = finding({ kind: 'poor-init', layers: ['/layers/0', '/layers/1'] });
    const out = diagnosticsFor({ findings: [f] });
    expect(out[0]!.text).toBe('"glorot_uniform"');
    expect(out).toHaveLength(1);
    // layer 1 has no "init": its related location is the layer's first line
    expect(out[0]!.related[0]!.range.start.line).toBe(out[0]!.related[0]!.range.end.line);
  });

  it('says the measured numbers, the threshold and "measured" or "predicted" in the message', () => {
    const m = finding({
      kind: 'vanishing',
      layers: ['/layers/0'],
      values: { '/layers/0': 2.1e-8 },
      message: 'gradient vanishes in 1 layer',
    });
    const p = finding({
      kind: 'saturation',
      source: 'predicted',
      severity: 'info',
      layers: ['/layers/1'],
      values: { '/layers/1': 0.85 },
      metric: 'predicted saturated fraction',
      threshold: 0.5,
    });
    const [dm, dp] = diagnosticsFor({ findings: [m, p] });
    expect(dm!.message).toContain('(measured)');
    expect(dm!.message).toContain('2.1e-8');
    expect(dm!.message).toContain('threshold 1.0e-3');
    expect(dm!.message).toContain('Gradient vanishes in 1 layer');
    expect(dp!.message).toContain('(predicted)');
    expect(dp!.message).toContain('85%');
    expect(dp!.severity).toBe('info');
  });

  it('tells the whole finding once; the other layers are related locations, not repeats', () => {
    const f = finding({ kind: 'vanishing', layers: ['/layers/0', '/layers/1'], message: 'the long sentence' });
    const out = diagnosticsFor({ findings: [f] });
    expect(out).toHaveLength(1);
    expect(out[0]!.message).toContain('The long sentence');
    expect(out[0]!.related.map((r) => r.message).join(' ')).not.toContain('long sentence');
  });

  it('links the code to the docs anchor of the finding kind and relates the output layer', () => {
    const f = finding({ kind: 'vanishing', layers: ['/layers/0'], reference: '/layers/2' });
    const [d] = diagnosticsFor({ findings: [f] });
    expect(d!.code).toBe('vanishing');
    expect(d!.docsUrl).toMatch(/docs\/extension\.md#vanishing$/);
    expect(d!.related).toHaveLength(1);
    expect(d!.related[0]!.range.start.line).toBe(11);
    expect(d!.related[0]!.message).toContain('/layers/2');
  });

  it('puts a model-wide finding once, on the learning rate, with its layers as related information', () => {
    const f = finding({
      kind: 'learning-rate-high',
      layers: ['/layers/0', '/layers/1', '/layers/2'],
      values: { '/layers/0': 0.4 },
    });
    const out = diagnosticsFor({ findings: [f] });
    expect(out).toHaveLength(1);
    expect(out[0]!.text).toBe('0.5');
    expect(out[0]!.related.map((r) => r.message)[0]).toContain('/layers/0');
    expect(out[0]!.related).toHaveLength(3);
  });

  it('turns spec diagnostics into ranges at their offsets, spec problems first', () => {
    const offset = SPEC.indexOf('"bce"');
    const spec = {
      severity: 'error' as const,
      message: 'bad loss',
      offset,
      length: 5,
      path: '/loss',
      code: 'unknown-name',
    };
    const out = diagnosticsFor({
      diagnostics: [spec],
      findings: [finding({ kind: 'vanishing', layers: ['/layers/0'] })],
    });
    expect(out[0]!.text).toBe('"bce"');
    expect(out[0]!.origin).toBe('spec');
    expect(out[0]!.specIndex).toBe(0);
    expect(out[1]!.origin).toBe('measured');
  });

  it('still reports a finding whose layers are not in this text', () => {
    const out = diagnosticsFor({ findings: [finding({ kind: 'dead-relu', layers: ['/layers/9'] })] });
    expect(out).toHaveLength(1);
    expect(out[0]!.text).toBe('0.5');
  });
});
