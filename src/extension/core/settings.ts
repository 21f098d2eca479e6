/**
 * The extension's settings as one typed Config, parsed defensively: a missing or invalid value falls back to its
 * default and is reported once (settings are user input, possibly from a shared workspace file).
 */
import { DEFAULT_MEMORY_BUDGET_MB } from '../../analysis/memory';
import { DEFAULT_SEEDS, MAX_SEEDS } from '../../analysis/seeds';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../../analysis/thresholds';

export type AnalyzeOn = 'save' | 'type' | 'manual';

export interface Config {
  /** When the measured analysis (training) runs by itself; the static one always runs as you type. */
  analyzeOn: AnalyzeOn;
  /** Training steps for the measured analysis; null uses the spec's training.steps. */
  steps: number | null;
  /** Wall-clock budget of one measured analysis (training + verified fixes), seconds. */
  timeBudgetSeconds: number;
  /** Memory one analysis may use, MB: larger specs are refused before training (src/analysis/memory.ts). */
  memoryBudgetMB: number;
  /** Per-layer gradient norm and verdict at the end of each layer's line. */
  inlineEnabled: boolean;
  /** Try every candidate fix in training runs of its own before offering it. */
  verifyFixes: boolean;
  /** Seeds every verdict and fix is measured on (a majority decides a verdict; a fix must hold on all). */
  seeds: number;
  /** Diagnose run records (*.vgnet-record.json) that appear beside a spec. */
  watchRecords: boolean;
  thresholds: Thresholds;
}

export const CONFIG_SECTION = 'vgnet';

/** Setting keys under "vgnet." for every Config field but the thresholds (which are "thresholds.<name>"). */
export const SETTING_KEYS = {
  analyzeOn: 'analyzeOn',
  steps: 'steps',
  timeBudgetSeconds: 'timeBudgetSeconds',
  memoryBudgetMB: 'memoryBudgetMB',
  inlineEnabled: 'inline.enabled',
  verifyFixes: 'verifyFixes',
  seeds: 'seeds',
  watchRecords: 'watchRecords',
} as const satisfies Record<Exclude<keyof Config, 'thresholds'>, string>;

export function thresholdKey(name: keyof Thresholds): string {
  return `thresholds.${name}`;
}

export const DEFAULT_CONFIG: Config = {
  analyzeOn: 'save',
  steps: null,
  timeBudgetSeconds: 30,
  memoryBudgetMB: DEFAULT_MEMORY_BUDGET_MB,
  inlineEnabled: true,
  verifyFixes: true,
  seeds: DEFAULT_SEEDS,
  watchRecords: true,
  thresholds: DEFAULT_THRESHOLDS,
};

export const LIMITS = {
  steps: { min: 1, max: 100_000 },
  timeBudgetSeconds: { min: 1, max: 600 },
  memoryBudgetMB: { min: 128, max: 1_048_576 },
  seeds: { min: 1, max: MAX_SEEDS },
} as const;

const ANALYZE_ON: readonly AnalyzeOn[] = ['save', 'type', 'manual'];

export interface ParsedConfig {
  config: Config;
  /** One sentence per ignored value: "vgnet.steps: expected a whole number from 1 to 100000 or null; using null". */
  problems: string[];
}

/** Reads every setting through `get` (a key relative to "vgnet."; undefined when unset). */
export function parseConfig(get: (key: string) => unknown): ParsedConfig {
  const problems: string[] = [];
  const pick = <T>(key: string, fallback: T, accept: (v: unknown) => v is T, expected: string): T => {
    const value = get(key);
    if (value === undefined || accept(value)) return value === undefined ? fallback : value;
    problems.push(
      `${CONFIG_SECTION}.${key}: expected ${expected}, got ${JSON.stringify(value)}; using ${JSON.stringify(fallback)}`,
    );
    return fallback;
  };
  const thresholds = { ...DEFAULT_THRESHOLDS };
  for (const name of Object.keys(DEFAULT_THRESHOLDS) as (keyof Thresholds)[]) {
    thresholds[name] = pick(thresholdKey(name), DEFAULT_THRESHOLDS[name], isPositiveNumber, 'a positive number');
  }
  return {
    config: {
      analyzeOn: pick(SETTING_KEYS.analyzeOn, DEFAULT_CONFIG.analyzeOn, isAnalyzeOn, `one of ${ANALYZE_ON.join(', ')}`),
      steps: pick(
        SETTING_KEYS.steps,
        DEFAULT_CONFIG.steps,
        isStepsOverride,
        `a whole number from ${LIMITS.steps.min} to ${LIMITS.steps.max} or null`,
      ),
      timeBudgetSeconds: pick(
        SETTING_KEYS.timeBudgetSeconds,
        DEFAULT_CONFIG.timeBudgetSeconds,
        isBudget,
        `a number of seconds from ${LIMITS.timeBudgetSeconds.min} to ${LIMITS.timeBudgetSeconds.max}`,
      ),
      memoryBudgetMB: pick(
        SETTING_KEYS.memoryBudgetMB,
        DEFAULT_CONFIG.memoryBudgetMB,
        isMemoryBudget,
        `a whole number of MB from ${LIMITS.memoryBudgetMB.min} to ${LIMITS.memoryBudgetMB.max}`,
      ),
      inlineEnabled: pick(SETTING_KEYS.inlineEnabled, DEFAULT_CONFIG.inlineEnabled, isBoolean, 'true or false'),
      verifyFixes: pick(SETTING_KEYS.verifyFixes, DEFAULT_CONFIG.verifyFixes, isBoolean, 'true or false'),
      seeds: pick(
        SETTING_KEYS.seeds,
        DEFAULT_CONFIG.seeds,
        (v): v is number =>
          Number.isInteger(v) && (v as number) >= LIMITS.seeds.min && (v as number) <= LIMITS.seeds.max,
        `a whole number from ${LIMITS.seeds.min} to ${LIMITS.seeds.max}`,
      ),
      watchRecords: pick(SETTING_KEYS.watchRecords, DEFAULT_CONFIG.watchRecords, isBoolean, 'true or false'),
      thresholds,
    },
    problems,
  };
}

function isAnalyzeOn(v: unknown): v is AnalyzeOn {
  return typeof v === 'string' && (ANALYZE_ON as readonly string[]).includes(v);
}

function isStepsOverride(v: unknown): v is number | null {
  return v === null || (Number.isInteger(v) && (v as number) >= LIMITS.steps.min && (v as number) <= LIMITS.steps.max);
}

function isBudget(v: unknown): v is number {
  return (
    typeof v === 'number' &&
    Number.isFinite(v) &&
    v >= LIMITS.timeBudgetSeconds.min &&
    v <= LIMITS.timeBudgetSeconds.max
  );
}

function isMemoryBudget(v: unknown): v is number {
  return (
    Number.isInteger(v) && (v as number) >= LIMITS.memoryBudgetMB.min && (v as number) <= LIMITS.memoryBudgetMB.max
  );
}

function isPositiveNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

function isBoolean(v: unknown): v is boolean {
  return typeof v === 'boolean';
}
