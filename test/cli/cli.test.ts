/** The built CLI (dist/cli.js, with its worker threads), run as a user runs it. `npm test` builds first. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/spec';

const ROOT = path.join(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const EXAMPLES = path.join(ROOT, 'examples');
let tmp = '';

function vgnet(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: tmp, timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function write(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-cli-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('vgnet analyze', () => {
  it('prints the per-layer table, the loss line and the vanishing finding for the deep sigmoid example', () => {
    const r = vgnet('analyze', path.join(EXAMPLES, 'deep-sigmoid.vgnet.json'), '--no-fixes', '--steps', '60');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\/layers\/0\s+dense\s+2→32\s+sigmoid/);
    expect(r.out).toMatch(/\/layers\/15 \(output\)/);
    expect(r.out).toMatch(/loss [\d.]+ → [\d.]+/);
    expect(r.out).toMatch(/deep-sigmoid\.vgnet\.json:\d+:\d+: warning: vanishing gradient/);
  });

  it('exits 1 with --fail-on warning when a warning is found, 0 on a healthy spec', () => {
    expect(
      vgnet(
        'analyze',
        path.join(EXAMPLES, 'deep-sigmoid.vgnet.json'),
        '--no-fixes',
        '--steps',
        '40',
        '--fail-on',
        'warning',
      ).code,
    ).toBe(1);
    expect(
      vgnet('analyze', path.join(EXAMPLES, 'csv-wine.vgnet.json'), '--no-fixes', '--fail-on', 'warning').code,
    ).toBe(0);
  });

  it('exits 1 on an error finding (divergence) by default', () => {
    expect(vgnet('analyze', path.join(EXAMPLES, 'high-lr-diverges.vgnet.json'), '--no-fixes').code).toBe(1);
  });

  it('--json prints the documented record', () => {
    const r = vgnet('analyze', path.join(EXAMPLES, 'deep-relu-he.vgnet.json'), '--json', '--no-fixes', '--steps', '30');
    const record = JSON.parse(r.out);
    expect(record.format).toBe('vgnet-record/1');
    expect(record.layers).toHaveLength(16);
    expect(record.series[0].gradNorm).toHaveLength(record.recordedSteps.length);
    expect(record.loss).toHaveLength(30);
    expect(record.stepsRun).toBe(30);
  });

  it('--threads 1 and --threads 2 give the same record (the helper thread changes speed, not numbers)', () => {
    const spec = write(
      'wide.vgnet.json',
      JSON.stringify({
        version: 1,
        name: 'wide',
        input: 64,
        layers: [
          { type: 'dense', units: 256, activation: 'relu' },
          { type: 'dense', units: 256, activation: 'relu' },
          { type: 'dense', units: 10, activation: 'softmax' },
        ],
        loss: 'crossentropy',
        optimizer: { type: 'sgd', lr: 0.01 },
        training: { steps: 8, batchSize: 256, seed: 3 },
        data: { source: 'teacher', samples: 512 },
      }),
    );
    const numbers = (threads: string) => {
      const r = vgnet('analyze', spec, '--json', '--no-fixes', '--threads', threads);
      expect(r.code, r.err).toBe(0);
      const record = JSON.parse(r.out);
      return { loss: record.loss, series: record.series, summary: { ...record.summary, timeMs: 0 } };
    };
    expect(numbers('2')).toEqual(numbers('1'));
    expect(vgnet('analyze', spec, '--threads', '3').err).toMatch(/--threads must be an integer from 1 to 2/);
  });

  it('--save-init writes PyTorch-layout weights and the first batch', () => {
    const out = path.join(tmp, 'init.json');
    expect(
      vgnet('analyze', path.join(EXAMPLES, 'deep-sigmoid.vgnet.json'), '--no-fixes', '--steps', '5', '--save-init', out)
        .code,
    ).toBe(0);
    const dump = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(dump.format).toBe('vgnet-init/1');
    expect(dump.parameters['/layers/0'].weight).toHaveLength(32); // out rows
    expect(dump.parameters['/layers/0'].weight[0]).toHaveLength(2); // in columns
    expect(dump.parameters['/layers/0'].bias).toHaveLength(32);
    expect(dump.batch.x).toHaveLength(64);
    expect(dump.batch.x[0]).toHaveLength(2);
  });
});

describe('bad input gives file:line:col messages and exit 2, never a stack trace', () => {
  const cases: [string, string, RegExp][] = [
    [
      'syntax.vgnet.json',
      '{\n  "input": 2,\n  "layers": [ { "type": "dense" "units": 1 } ]\n}',
      /syntax\.vgnet\.json:3:\d+: error: /,
    ],
    [
      'unknown.vgnet.json',
      '{ "input": 2, "layers": [ { "type": "dense", "units": 1, "activation": "rleu" } ], "loss": "mse", "data": { "source": "sine" } }',
      /unknown\.vgnet\.json:1:\d+: error: .*relu/,
    ],
    [
      'width.vgnet.json',
      '{ "input": 2, "layers": [ { "type": "dense", "units": 0 } ], "loss": "mse", "data": { "source": "sine" } }',
      /width\.vgnet\.json:1:\d+: error: /,
    ],
    [
      'escape.vgnet.json',
      '{ "input": 2, "layers": [ { "type": "dense", "units": 1 } ], "loss": "mse", "data": { "source": "csv", "path": "../../etc/passwd" } }',
      /escape\.vgnet\.json:1:\d+: error: .*leaves the spec's folder/,
    ],
    [
      'missing-csv.vgnet.json',
      '{ "input": 2, "layers": [ { "type": "dense", "units": 1 } ], "loss": "mse", "data": { "source": "csv", "path": "nope.csv" } }',
      /missing-csv\.vgnet\.json:1:\d+: error: .*does not exist/,
    ],
  ];
  for (const [name, text, message] of cases) {
    it(name, () => {
      const r = vgnet('analyze', write(name, text), '--no-fixes');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  }

  it('a missing spec file and bad flags', () => {
    expect(vgnet('analyze', 'nope.vgnet.json').err).toMatch(/nope\.vgnet\.json: no such file/);
    expect(vgnet('analyze', 'x.json', '--steps', 'many').code).toBe(2);
    expect(vgnet('frobnicate').code).toBe(2);
    expect(vgnet('--help').code).toBe(0);
  });
});

describe('vgnet fix', () => {
  it('shows the best verified fix without touching the file', () => {
    const file = write(
      'show/tanh.vgnet.json',
      fs.readFileSync(path.join(EXAMPLES, 'tanh-tiny-init.vgnet.json'), 'utf8'),
    );
    const before = fs.readFileSync(file, 'utf8');
    const r = vgnet('fix', file);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/vanishing gradient: .+ — first-layer gradient ratio/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  it('--apply --backup writes the fix, keeps comments and the original, and the finding is gone', () => {
    const original = fs.readFileSync(path.join(EXAMPLES, 'tanh-tiny-init.vgnet.json'), 'utf8');
    const file = write('apply/tanh.vgnet.json', original);
    const r = vgnet('fix', file, '--apply', '--backup');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Applied ".+" to/);
    const fixed = fs.readFileSync(file, 'utf8');
    expect(fs.readFileSync(`${file}.bak`, 'utf8')).toBe(original);
    expect(fixed).not.toBe(original);
    expect(fixed).toContain('// tanh with a tiny uniform initialisation');
    expect(parseSpec(fixed).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const again = vgnet('analyze', file, '--no-fixes', '--json');
    expect(JSON.parse(again.out).findings.map((f: { kind: string }) => f.kind)).not.toContain('vanishing');
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
