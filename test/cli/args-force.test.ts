import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args';

describe('vgnet fix --force', () => {
  it('is accepted with --apply and refused without it', () => {
    expect(parseArgs(['fix', 'm.vgnet.json', '--apply', '--force'])).toMatchObject({
      command: 'fix',
      apply: true,
      force: true,
    });
    expect(parseArgs(['fix', 'm.vgnet.json', '--apply'])).toMatchObject({ force: false });
    expect(() => parseArgs(['fix', 'm.vgnet.json', '--force'])).toThrow(/--force only makes sense with --apply/);
  });
});
