import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, parseConfig, SETTING_KEYS, thresholdKey } from '../../../src/extension/core/settings';
import { DEFAULT_THRESHOLDS } from '../../../src/analysis/thresholds';

const from = (values: Record<string, unknown>) => (key: string) => values[key];

describe('parseConfig', () => {
  it('gives the defaults when nothing is set', () => {
    const { config, problems } = parseConfig(from({}));
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(config.thresholds).toEqual(DEFAULT_THRESHOLDS);
    expect(problems).toEqual([]);
  });

  it('reads valid values', () => {
    const { config, problems } = parseConfig(
      from({
        [SETTING_KEYS.analyzeOn]: 'type',
        [SETTING_KEYS.steps]: 50,
        [SETTING_KEYS.timeBudgetSeconds]: 5,
        [SETTING_KEYS.inlineEnabled]: false,
        [SETTING_KEYS.verifyFixes]: false,
        [thresholdKey('explodingRatio')]: 30,
      }),
    );
    expect(config).toMatchObject({
      analyzeOn: 'type',
      steps: 50,
      timeBudgetSeconds: 5,
      inlineEnabled: false,
      verifyFixes: false,
    });
    expect(config.thresholds.explodingRatio).toBe(30);
    expect(config.thresholds.vanishingRatio).toBe(DEFAULT_THRESHOLDS.vanishingRatio);
    expect(problems).toEqual([]);
  });

  it('falls back per key on invalid values and says which and why', () => {
    const { config, problems } = parseConfig(
      from({
        analyzeOn: 'always',
        steps: 2.5,
        timeBudgetSeconds: -1,
        'inline.enabled': 'yes',
        'thresholds.deadFraction': 0,
      }),
    );
    expect(config.analyzeOn).toBe('save');
    expect(config.steps).toBeNull();
    expect(config.timeBudgetSeconds).toBe(30);
    expect(config.inlineEnabled).toBe(true);
    expect(config.thresholds.deadFraction).toBe(0.7);
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/^vgnet\.thresholds\.deadFraction: expected a positive number, got 0; using 0\.7$/);
    expect(
      problems.some((p) => p.startsWith('vgnet.steps: expected a whole number from 1 to 100000 or null, got 2.5')),
    ).toBe(true);
  });

  it('accepts null steps (use the spec) but not a huge count', () => {
    expect(parseConfig(from({ steps: null })).config.steps).toBeNull();
    expect(parseConfig(from({ steps: 1e9 })).problems).toHaveLength(1);
  });
});
