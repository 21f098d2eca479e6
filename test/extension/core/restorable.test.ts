/** A restored plots panel follows the spec in its saved state only if it is a spec of this workspace. */
import { describe, expect, it } from 'vitest';
import { isRestorableSpec } from '../../../src/extension/core/documents';

const FOLDERS = ['/work/project'];

describe('isRestorableSpec', () => {
  it('accepts specs inside a workspace folder and untitled specs', () => {
    expect(isRestorableSpec('file', '/work/project/a.vgnet.json', FOLDERS)).toBe(true);
    expect(isRestorableSpec('file', '/work/project/deep/er/b.VGNET.json', FOLDERS)).toBe(true);
    expect(isRestorableSpec('file', '/work/project/..ok.vgnet.json', FOLDERS)).toBe(true);
    expect(isRestorableSpec('untitled', 'Untitled-1.vgnet.json', FOLDERS)).toBe(true);
  });

  it('refuses anything else a tampered state could name', () => {
    expect(isRestorableSpec('file', '/etc/passwd', FOLDERS)).toBe(false);
    expect(isRestorableSpec('file', '/work/other/a.vgnet.json', FOLDERS)).toBe(false);
    expect(isRestorableSpec('file', '/work/project/../secret.vgnet.json', FOLDERS)).toBe(false);
    expect(isRestorableSpec('file', '/work/projectx/a.vgnet.json', FOLDERS)).toBe(false);
    expect(isRestorableSpec('file', '/work/project/notes.json', FOLDERS)).toBe(false);
    expect(isRestorableSpec('https', '/work/project/a.vgnet.json', FOLDERS)).toBe(false);
    expect(isRestorableSpec('file', '/work/project/a.vgnet.json', [])).toBe(false);
  });
});
