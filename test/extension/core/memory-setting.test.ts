import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/extension/core/settings';

describe('vgnet.memoryBudgetMB', () => {
  it('defaults to 2048 MB, takes a whole number of MB in range, and reports anything else', () => {
    expect(parseConfig(() => undefined).config.memoryBudgetMB).toBe(2048);
    expect(parseConfig((key) => (key === 'memoryBudgetMB' ? 512 : undefined)).config.memoryBudgetMB).toBe(512);
    const bad = parseConfig((key) => (key === 'memoryBudgetMB' ? 10 : undefined));
    expect(bad.config.memoryBudgetMB).toBe(2048);
    expect(bad.problems).toEqual([
      'vgnet.memoryBudgetMB: expected a whole number of MB from 128 to 1048576, got 10; using 2048',
    ]);
  });
});
