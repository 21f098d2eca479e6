/** Hand-built reports and findings over a small real spec, for the presentation tests. */
import { emptyReport, type Report } from '../../../src/analysis/analyze';
import type { Finding } from '../../../src/analysis/findings';
import type { VerifiedFix } from '../../../src/analysis/verify';
import type { Snapshot } from '../../../src/extension/core/freshness';
import type { Analyzed } from '../../../src/extension/core/results';
import { parseSpec } from '../../../src/spec';

/** Three dense layers (one written over several lines, with a comment) and an SGD optimizer. */
export const SPEC = `// test spec
{
  "version": 1,
  "name": "small",
  "input": 2,
  "layers": [
    {"type": "dense", "units": 8, "activation": "sigmoid", "init": "glorot_uniform"},
    {
      "type": "dense", "units": 8,
      "activation": "tanh" // keep
    },
    {"type": "dense", "units": 1, "activation": "sigmoid"}
  ],
  "loss": "bce",
  "optimizer": {"type": "sgd", "lr": 0.5},
  "training": {"steps": 40, "batchSize": 16, "seed": 3},
  "data": {"source": "moons", "samples": 200}
}
`;

export function snapshot(text = SPEC, version: number | null = 1): Snapshot {
  return { version, text };
}

export function finding(overrides: Partial<Finding> & Pick<Finding, 'kind' | 'layers'>): Finding {
  return {
    severity: 'warning',
    source: 'measured',
    reference: null,
    message: `${overrides.kind} happened`,
    values: {},
    metric: 'gradient-norm ratio to the output layer (step 0)',
    threshold: 1e-3,
    steps: [],
    ...overrides,
  };
}

export function fix(findingIndex: number, overrides: Partial<VerifiedFix> = {}): VerifiedFix {
  return {
    finding: findingIndex,
    id: 'relu-he',
    title: 'Switch /layers/0 to ReLU with He init',
    layers: ['/layers/0'],
    edit: { offset: 0, length: 0, content: '' },
    preferred: false,
    verification: {
      status: 'fixed',
      effect: 'first-layer gradient ratio 3e-9 → 0.4; loss 0.69 → 0.08',
      seeds: { fixed: 1, of: 1 },
      clear: true,
      seedLosses: [0.08],
      metricBefore: 3e-9,
      metricAfter: 0.4,
      lossBefore: 0.69,
      lossAfter: 0.08,
      remaining: [],
      after: null,
    },
    ...overrides,
  };
}

export function report(overrides: Partial<Report> = {}): Report {
  return { ...emptyReport(), name: 'small', ...overrides };
}

export function analysed(rep: Report, snap: Snapshot = snapshot()): Analyzed {
  return { snapshot: snap, report: rep, locator: parseSpec(snap.text) };
}

/** The text of a [offset, offset+length) range (what a diagnostic underlines). */
export function slice(text: string, at: { offset: number; length: number } | null): string | null {
  return at === null ? null : text.slice(at.offset, at.offset + at.length);
}
