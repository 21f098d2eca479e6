/**
 * `vgnet export` and `vgnet analyze --record` through the built CLI: files written and refused, records read back
 * with the same findings as the run they came from, bad records as positioned errors.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const EXAMPLES = path.join(ROOT, 'examples');
let tmp = '';

function vgnet(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: tmp, timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-bridge-cli-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('vgnet export --to pytorch', () => {
  it('writes the program and its samples, and replaces them on a second export', () => {
    const spec = path.join(tmp, 'deep-sigmoid.vgnet.json');
    fs.copyFileSync(path.join(EXAMPLES, 'deep-sigmoid.vgnet.json'), spec);
    const r = vgnet('export', spec, '--to', 'pytorch');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const program = fs.readFileSync(path.join(tmp, 'deep_sigmoid.py'), 'utf8');
    expect(program).toMatch(/class Model\(nn\.Module\)/);
    expect(program).toMatch(/nn\.init\.uniform_\(self\.dense_0\.weight, -math\.sqrt\(6 \/ \(2 \+ 32\)\)/);
    expect(program).toMatch(/torch\.optim\.SGD\(groups, lr=0\.01, momentum=0\.9/);
    // 1000 samples × (2 features + 1 target) float32
    expect(fs.statSync(path.join(tmp, 'deep_sigmoid.data.bin')).size).toBe(1000 * 3 * 4);
    expect(vgnet('export', spec, '--to', 'pytorch').code).toBe(0);
  });

  it('keeps a file VGNet did not write unless forced', () => {
    const mine = path.join(tmp, 'mine.py');
    fs.writeFileSync(mine, 'print("my own program")\n');
    const r = vgnet('export', path.join(EXAMPLES, 'dying-relu.vgnet.json'), '--to', 'pytorch', '-o', mine);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/mine\.py' exists and was not written by VGNet \(use --force/);
    expect(fs.readFileSync(mine, 'utf8')).toBe('print("my own program")\n');
    expect(
      vgnet('export', path.join(EXAMPLES, 'dying-relu.vgnet.json'), '--to', 'pytorch', '-o', mine, '--force').code,
    ).toBe(0);
  });

  it('reports an invalid spec at its line and column, writing nothing', () => {
    const bad = path.join(tmp, 'bad.vgnet.json');
    fs.writeFileSync(
      bad,
      '{"input": 2, "layers": [{"type": "dense", "units": -1}], "loss": "mse", "data": {"source": "sine"}}',
    );
    const r = vgnet('export', bad, '--to', 'pytorch');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.vgnet\.json:1:\d+: error:/);
    expect(fs.existsSync(path.join(tmp, 'bad.py'))).toBe(false);
  });

  it('asks for --to and one spec; --recorder writes the recorder alone', () => {
    expect(vgnet('export', path.join(EXAMPLES, 'dying-relu.vgnet.json')).err).toMatch(/export needs --to pytorch/);
    expect(vgnet('export', '--to', 'keras', 'x.json').err).toMatch(/--to must be one of: pytorch|--to/);
    const r = vgnet('export', '--recorder', '-o', path.join(tmp, 'vgnet_recorder.py'));
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(tmp, 'vgnet_recorder.py'), 'utf8')).toMatch(/class Recorder:/);
  });
});

describe('vgnet analyze --record', () => {
  it("finds in VGNet's own record what the analysis of the spec found", () => {
    const spec = path.join(EXAMPLES, 'deep-sigmoid.vgnet.json');
    const direct = vgnet('analyze', spec, '--no-fixes', '--json', '--steps', '80');
    expect(direct.code).toBe(0);
    const record = path.join(tmp, 'own.vgnet-record.json');
    fs.writeFileSync(record, direct.out);
    const read = vgnet('analyze', '--record', record, '--spec', spec, '--no-fixes', '--json');
    expect(read.err).toBe('');
    const kinds = (out: string): string[] =>
      (JSON.parse(out) as { findings: { kind: string; source: string }[] }).findings.map(
        (f) => `${f.kind}/${f.source}`,
      );
    expect(kinds(read.out)).toEqual(kinds(direct.out));
    const text = vgnet('analyze', '--record', record, '--spec', spec, '--no-fixes');
    expect(text.out).toMatch(/deep-sigmoid\.vgnet\.json:9:50: warning: vanishing gradient/);
    const alone = vgnet('analyze', '--record', record, '--no-fixes');
    expect(alone.out).toMatch(/own\.vgnet-record\.json: layers? \/layers\/0.*warning: vanishing gradient/);
  });

  it('refuses a record of another spec, and a malformed one at its line and column', () => {
    const spec = path.join(EXAMPLES, 'deep-sigmoid.vgnet.json');
    const other = vgnet(
      'analyze',
      path.join(EXAMPLES, 'dying-relu.vgnet.json'),
      '--no-fixes',
      '--json',
      '--steps',
      '5',
    );
    const record = path.join(tmp, 'other.vgnet-record.json');
    fs.writeFileSync(record, other.out);
    const r = vgnet('analyze', '--record', record, '--spec', spec, '--no-fixes');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/the record does not describe this spec/);
    const broken = path.join(tmp, 'broken.vgnet-record.json');
    const damaged = JSON.parse(other.out) as Record<string, unknown>;
    damaged.stepsRun = 'five';
    const text = JSON.stringify(damaged, null, 1);
    fs.writeFileSync(broken, text);
    const line = text.split('\n').findIndex((l) => l.includes('"stepsRun": "five"')) + 1;
    const b = vgnet('analyze', '--record', broken, '--no-fixes');
    expect(b.code).toBe(2);
    expect(b.err).toContain(`broken.vgnet-record.json:${line}:2: error: /stepsRun: expected an integer`);
    expect(vgnet('analyze', '--record', path.join(tmp, 'none.json')).err).toMatch(/no such file/);
    expect(vgnet('analyze', spec, '--spec', spec).err).toMatch(/--spec goes with --record/);
  });
});
