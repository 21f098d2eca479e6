import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkSpecFileName,
  dataPathOf,
  describeTemplate,
  freeSpecName,
  leadingComment,
  renameTemplate,
} from '../../../src/extension/core/templates';
import { isSpecFileName, MAX_SPEC_CHARS, readsDataFiles, tooLargeReport } from '../../../src/extension/core/documents';
import { parseSpec } from '../../../src/spec';

describe('templates', () => {
  it('describe every bundled example by its leading comment, and find the data file of the csv one', () => {
    const files = fs.readdirSync('examples').filter(isSpecFileName);
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const info = describeTemplate(file, fs.readFileSync(`examples/${file}`, 'utf8'));
      expect(info.description.length, file).toBeGreaterThan(10);
      expect(info.label).toBe(file.replace('.vgnet.json', ''));
      if (info.dataPath !== null) expect(fs.existsSync(`examples/${info.dataPath}`), file).toBe(true);
    }
    expect(
      describeTemplate('csv-wine.vgnet.json', fs.readFileSync('examples/csv-wine.vgnet.json', 'utf8')).dataPath,
    ).toBe('data/wine-small.csv');
  });

  it('take the first line of a leading // comment only', () => {
    expect(leadingComment('// first\n// second\n{}')).toBe('first');
    expect(leadingComment('{"a": 1} // late')).toBe('');
  });

  it('never copy a data path that leaves the template folder', () => {
    expect(dataPathOf('{"data": {"path": "../secret.csv"}}')).toBeNull();
    expect(dataPathOf('{"data": {"path": "/etc/passwd"}}')).toBeNull();
    expect(dataPathOf('{"data": {"path": "C:\\\\x.csv"}}')).toBeNull();
    expect(dataPathOf('{"data": {"path": "data/x.csv"}}')).toBe('data/x.csv');
  });

  it("take the new file's name as the spec name, keeping the comments", () => {
    const text = '// about\n{\n  "name": "csv-wine", // old\n  "input": 6\n}\n';
    expect(renameTemplate(text, 'my-model.vgnet.json')).toBe(
      '// about\n{\n  "name": "my-model", // old\n  "input": 6\n}\n',
    );
    expect(renameTemplate('{"input": 6}', 'x.vgnet.json')).toBe('{"input": 6}');
  });

  it('pick a free file name and validate typed ones', () => {
    expect(freeSpecName('deep.vgnet.json', new Set())).toBe('deep.vgnet.json');
    expect(freeSpecName('deep.vgnet.json', new Set(['deep.vgnet.json', 'deep-2.vgnet.json']))).toBe(
      'deep-3.vgnet.json',
    );
    expect(checkSpecFileName('model.vgnet.json')).toBeNull();
    expect(checkSpecFileName('model.json')).toMatch(/must end with/);
    expect(checkSpecFileName('a/b.vgnet.json')).toMatch(/cannot contain/);
    expect(checkSpecFileName(' ')).toMatch(/Type a file name/);
  });
});

describe('documents', () => {
  it('recognise spec files by their suffix', () => {
    expect(isSpecFileName('/w/Deep.VGNET.json')).toBe(true);
    expect(isSpecFileName('/w/deep.json')).toBe(false);
  });

  it('know which specs read data files', () => {
    expect(readsDataFiles(parseSpec(fs.readFileSync('examples/csv-wine.vgnet.json', 'utf8')))).toBe(true);
    expect(readsDataFiles(parseSpec(fs.readFileSync('examples/deep-sigmoid.vgnet.json', 'utf8')))).toBe(false);
  });

  it('replace the analysis of a huge file by one notice', () => {
    const rep = tooLargeReport(MAX_SPEC_CHARS * 2);
    expect(rep.diagnostics).toHaveLength(1);
    expect(rep.diagnostics[0]!.message).toContain('1024 KB');
    expect(rep.findings).toEqual([]);
  });
});
