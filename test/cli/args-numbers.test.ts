/** Integer flags take decimal digits only: no hex, exponents, signs or blanks slipping through Number(). */
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/cli/args';

describe('integer flags', () => {
  it.each(['0x10', '1e3', '+5', ' 16', '', '1.0', '0b11', 'Infinity', '16 '])(
    '--steps %j is a usage error',
    (value) => {
      expect(() => parseArgs(['analyze', 'a.vgnet.json', '--steps', value])).toThrow(UsageError);
    },
  );

  it('decimal digits are read as before, for every integer flag', () => {
    const args = parseArgs([
      'analyze',
      'a.vgnet.json',
      '--steps',
      '16',
      '--seed',
      '007',
      '--budget',
      '3',
      '--threads',
      '2',
    ]);
    expect(args).toMatchObject({ steps: 16, seed: 7, budgetMs: 3000, threads: 2 });
  });

  it('says what is allowed', () => {
    expect(() => parseArgs(['analyze', 'a.vgnet.json', '--seed', '0x10'])).toThrow(
      "--seed must be an integer from 0 to 4294967295 in decimal digits, got '0x10'",
    );
  });
});
