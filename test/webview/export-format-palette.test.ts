/** The CSV/JSON export, file names, number formatting and theme colours of the plots webview. */
import { describe, expect, it } from 'vitest';
import { isPlotModel } from '../../src/protocol/plots';
import { csvField, exportFileName, modelToCsv, modelToJson } from '../../webview/exportData';
import { decadeLabel, decadeSplits, formatPercent, formatValue, integerLabel } from '../../webview/numbers';
import { kindColor, layerStroke, opaque, paletteFrom, themeKind, withAlpha } from '../../webview/palette';
import { sampleModel } from '../protocol/sample-model';

/** A minimal RFC 4180 reader (quoted fields, doubled quotes), independent of the writer under test. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  return rows;
}

describe('CSV export', () => {
  it('has one row per step and one column per series, values at their steps', () => {
    const rows = parseCsv(modelToCsv(sampleModel()));
    expect(rows[0]).toEqual([
      'step',
      'loss',
      'accuracy',
      'gradNorm /layers/0',
      'saturatedFraction /layers/0',
      'gradNorm /layers/1',
    ]);
    expect(rows.slice(1)).toEqual([
      ['0', '0.7', '0.5', '0.000001', '0', '0.1'],
      ['1', '0.69', '0.5', '', '', ''],
      ['2', '', '0.6', '0.000002', '0.1', ''],
    ]);
  });

  it('quotes fields that need it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    const model = sampleModel();
    model.layers[0]!.path = '/layers/0,"odd"';
    expect(parseCsv(modelToCsv(model))[0]![3]).toBe('gradNorm /layers/0,"odd"');
  });

  it('exports JSON that reads back as the same model', () => {
    const back = JSON.parse(modelToJson(sampleModel()));
    expect(isPlotModel(back)).toBe(true);
    expect(back).toEqual(sampleModel());
  });

  it('names files after the spec and the content, safely', () => {
    expect(exportFileName(sampleModel(), 'Gradient norm over training', 'png')).toBe(
      'a-gradient-norm-over-training.png',
    );
    expect(exportFileName({ ...sampleModel(), name: '../../etc/passwd' }, 'gradients', 'csv')).toBe(
      'etc-passwd-gradients.csv',
    );
    expect(exportFileName(null, '', 'json')).toBe('vgnet.json');
  });
});

describe('number formatting', () => {
  it('uses three significant digits, scientific for very small and large magnitudes', () => {
    expect([0.123456, 12.3456, 1e-3, 9.99e-4, 3.2e-9, 12345, -0.5, 0].map(formatValue)).toEqual([
      '0.123',
      '12.3',
      '0.001',
      '1e-3',
      '3.2e-9',
      '1.2e4',
      '-0.5',
      '0',
    ]);
    expect([null, undefined, NaN, Infinity].map(formatValue)).toEqual(['–', '–', '–', '–']);
  });

  it('labels log axes at decades only', () => {
    expect([1e-10, 1e-3, 0.01, 1, 10, 1000, 1e4].map(decadeLabel)).toEqual([
      '10⁻¹⁰',
      '10⁻³',
      '10⁻²',
      '1',
      '10',
      '1000',
      '10⁴',
    ]);
    expect([2e-3, 0.5, 0, -1].map(decadeLabel)).toEqual(['', '', '', '']);
  });

  it('thins decades to fit, keeping 10⁰ among them', () => {
    expect(decadeSplits(1e-3, 100, 10)).toEqual([1e-3, 1e-2, 1e-1, 1, 10, 100]);
    const thinned = decadeSplits(1e-10, 100, 5);
    expect(thinned.length).toBeLessThanOrEqual(5);
    expect(thinned).toContain(1);
    expect(decadeSplits(0, 10, 5)).toEqual([]);
  });

  it('labels whole numbers and percentages', () => {
    expect([1, 2.5, 10].map(integerLabel)).toEqual(['1', '', '10']);
    expect([0.734, 1, null].map(formatPercent)).toEqual(['73%', '100%', '–']);
  });
});

describe('palette', () => {
  const vars: Record<string, string> = {
    '--vscode-charts-orange': 'rgba(234, 92, 0, 0.33)',
    '--vscode-charts-red': '#e51400',
    '--vscode-font-size': '14px',
    '--vscode-editor-background': ' #ffffff ',
  };
  const palette = paletteFrom((name) => vars[name] ?? '', 'vscode-light something');

  it('reads the theme variables, falling back where one is missing', () => {
    expect(palette.red).toBe('rgb(229, 20, 0)');
    expect(palette.orange).toBe('rgb(234, 92, 0)'); // Dark Modern's translucent charts.orange, made solid for lines
    expect(palette.background).toBe('#ffffff');
    expect(palette.blue).toBe('rgb(55, 148, 255)');
    expect(opaque('#11223380')).toBe('rgb(17, 34, 51)');
    expect(opaque('var(--x)')).toBe('var(--x)');
    expect(palette.fontSize).toBe(14);
    expect(palette.theme).toBe('light');
  });

  it('knows the theme kind from the body classes', () => {
    expect(
      [
        'vscode-dark',
        'vscode-light',
        'vscode-high-contrast',
        'vscode-high-contrast vscode-high-contrast-light',
        '',
      ].map(themeKind),
    ).toEqual(['dark', 'light', 'high-contrast', 'high-contrast-light', 'dark']);
  });

  it('applies an opacity to hex and rgb colours', () => {
    expect(withAlpha('#ff0000', 0.5)).toBe('rgba(255, 0, 0, 0.5)');
    expect(withAlpha('#f00', 0.25)).toBe('rgba(255, 0, 0, 0.25)');
    expect(withAlpha('#ff000080', 1)).toBe('rgba(255, 0, 0, 0.502)');
    expect(withAlpha('rgb(1, 2, 3)', 0.3)).toBe('rgba(1, 2, 3, 0.3)');
    expect(withAlpha('rgba(1, 2, 3, 0.5)', 0.5)).toBe('rgba(1, 2, 3, 0.25)');
    expect(withAlpha('red', 0.5)).toBe('red');
  });

  it('colours flagged layers by finding kind, fading with depth, and mutes the others', () => {
    expect(kindColor(palette, 'vanishing')).toBe(palette.red);
    const first = layerStroke(palette, ['vanishing'], 0, 5);
    const last = layerStroke(palette, ['vanishing'], 4, 5);
    expect(first.stroke).toBe(withAlpha(palette.red, 0.4));
    expect(last.stroke).toBe(withAlpha(palette.red, 1));
    expect(layerStroke(palette, [], 2, 5).width).toBeLessThan(first.width);
  });
});
