/** The small pure helpers later layers use: pointers, nearest names, positions and formatting. */
import { parseTree } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import {
  childPointer,
  findKeyNode,
  findNode,
  formatDiagnostic,
  lineCol,
  nearestName,
  pathToPointer,
  pointerToPath,
} from '../../src/spec';
import { editDistance } from '../../src/spec/nearest';

describe('JSON Pointer (RFC 6901)', () => {
  it('escapes ~ as ~0 and / as ~1, and round-trips', () => {
    expect(pathToPointer(['layers', 4, 'layers', 0])).toBe('/layers/4/layers/0');
    expect(pathToPointer(['a/b', 'm~n', ''])).toBe('/a~1b/m~0n/');
    expect(pathToPointer([])).toBe('');
    expect(pointerToPath('/a~1b/m~0n/')).toEqual(['a/b', 'm~n', '']);
    expect(pointerToPath('/~01')).toEqual(['~1']); // "~01" is "~" then "1", not "/"
    expect(childPointer('/layers', 2)).toBe('/layers/2');
  });

  it('types index segments: by the tree when given, else by their digits', () => {
    expect(pointerToPath('/layers/4/units')).toEqual(['layers', 4, 'units']);
    expect(pointerToPath('/x/01')).toEqual(['x', '01']); // a leading zero is not an index
    const root = parseTree('{"7": {"k": [1, {"0": true}]}}')!;
    expect(pointerToPath('/7/k/1/0', root)).toEqual(['7', 'k', 1, '0']);
    expect(pointerToPath('')).toEqual([]);
  });

  it('finds value and key nodes, and nothing for bad pointers', () => {
    const text = '{"a/b": {"c": [10, 20]}, "~": 1}';
    const root = parseTree(text)!;
    expect(findNode(root, '/a~1b/c/1')?.value).toBe(20);
    expect(findNode(root, '/~0')?.value).toBe(1);
    expect(findNode(root, '/a~1b/c/2')).toBeUndefined();
    expect(findNode(root, '/a~1b/c/01')).toBeUndefined();
    expect(findNode(root, 'a')).toBeUndefined(); // must start with "/"
    expect(findNode(root, '/~2')).toBeUndefined(); // invalid escape
    const key = findKeyNode(root, '/a~1b/c')!;
    expect(text.slice(key.offset, key.offset + key.length)).toBe('"c"');
    expect(findKeyNode(root, '/a~1b/c/0')).toBeUndefined();
    expect(findKeyNode(root, '')).toBeUndefined();
  });
});

describe('nearestName', () => {
  it('computes the optimal-string-alignment distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('sigmoid', 'sigmiod')).toBe(1); // one transposition
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('ca', 'abc')).toBe(3); // OSA, not unrestricted Damerau (which gives 2)
  });

  it('suggests close names, ignoring case and separators, and nothing for far ones', () => {
    const keys = ['units', 'activation', 'init', 'biasInit'];
    expect(nearestName('unit', keys)).toBe('units');
    expect(nearestName('activaton', keys)).toBe('activation');
    expect(nearestName('bias_init', keys)).toBe('biasInit');
    expect(nearestName('Units', keys)).toBe('units');
    expect(nearestName('colour', keys)).toBeNull();
    expect(nearestName('', keys)).toBeNull();
  });

  it('uses synonyms from other libraries and prefixes', () => {
    expect(nearestName('xavier_normal', ['glorot_uniform', 'glorot_normal'])).toBe('glorot_normal');
    expect(nearestName('learning_rate', ['lr', 'momentum'])).toBe('lr');
    expect(nearestName('batchnormalization', ['dense', 'batchnorm'])).toBe('batchnorm');
    // A synonym whose target is not a candidate is not offered.
    expect(nearestName('xavier_normal', ['relu'])).toBeNull();
  });
});

describe('positions', () => {
  it('counts 1-based lines and columns over \\n, \\r\\n and \\r', () => {
    const text = 'ab\ncd\r\nef\rgh';
    expect(lineCol(text, 0)).toEqual({ line: 1, col: 1 });
    expect(lineCol(text, 4)).toEqual({ line: 2, col: 2 }); // "d"
    expect(lineCol(text, 7)).toEqual({ line: 3, col: 1 }); // "e", after \r\n
    expect(lineCol(text, 10)).toEqual({ line: 4, col: 1 }); // "g", after a lone \r
    expect(lineCol(text, 999)).toEqual({ line: 4, col: 3 }); // clamped to the end
    expect(lineCol(text, -5)).toEqual({ line: 1, col: 1 });
  });

  it('formats a diagnostic as file:line:col: severity: message', () => {
    const text = '{\n  "loss": "mse"\n}';
    // offset 12 is the opening quote of "mse": line 2 starts at offset 2, so column 12 - 2 + 1 = 11.
    const d = { severity: 'warning' as const, message: 'm', offset: 12, length: 5, path: '/loss', code: 'x' };
    expect(formatDiagnostic('a/b.vgnet.json', text, d)).toBe('a/b.vgnet.json:2:11: warning: m');
  });
});
