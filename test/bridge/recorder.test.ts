/**
 * The Python recorder on models VGNet did not write: a hand-written PyTorch training loop with a known problem is
 * recorded (`vgnet export --recorder`) and diagnosed by `vgnet analyze --record` without a spec — and a healthy one
 * is not flagged.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeRecorded } from '../../src/analysis/analyze';
import { readRecord } from '../../src/analysis/record';
import { inProcessExecutor } from '../../src/analysis/measure';
import { PYTHON_RUNTIME } from '../../src/bridge/python-runtime';
import { python, SKIP_TORCH } from './torch';

/** A hand-written loop, as a user writes one: nn.Sequential of `depth` Linear+activation pairs, SGD, BCE. */
function program(activation: string, depth: number, init: string): string {
  return String.raw`
import sys, torch, torch.nn as nn
sys.path.insert(0, sys.argv[1])
from vgnet_recorder import Recorder
torch.manual_seed(0)
layers = []
width = 2
for i in range(${depth}):
    linear = nn.Linear(width, 32)
    ${init}
    layers += [linear, nn.${activation}()]
    width = 32
layers += [nn.Linear(width, 1)]
model = nn.Sequential(*layers)
x = torch.randn(512, 2)
y = (x[:, :1] * x[:, 1:] > 0).float()
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loss_fn = nn.BCEWithLogitsLoss()
rec = Recorder(model, record_every=5, loss_function="bce")
for step in range(100):
    rows = torch.randint(0, 512, (64,))
    out = model(x[rows])
    loss = loss_fn(out, y[rows])
    opt.zero_grad()
    loss.backward()
    acc = ((out > 0).float() == y[rows]).float().mean()
    if not rec.step(loss, acc):
        break
    opt.step()
rec.save(sys.argv[2])
`;
}

async function diagnose(activation: string, depth: number, init: string): Promise<{ kinds: string[]; text: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-recorder-'));
  fs.writeFileSync(path.join(dir, 'vgnet_recorder.py'), PYTHON_RUNTIME);
  fs.writeFileSync(path.join(dir, 'train.py'), program(activation, depth, init));
  const record = path.join(dir, 'run.vgnet-record.json');
  python([path.join(dir, 'train.py'), dir, record]);
  const text = fs.readFileSync(record, 'utf8');
  const read = readRecord(text);
  if (!read.ok) throw new Error(read.message);
  const report = await analyzeRecorded(read.run, null, {
    executor: inProcessExecutor({ readText: () => null } as never),
  });
  fs.rmSync(dir, { recursive: true, force: true });
  expect(report.status).toBe('ok');
  expect(read.run.result.layers.map((l) => l.path).slice(0, 3)).toEqual(['0', '2', '4']);
  return { kinds: report.findings.map((f) => f.kind), text };
}

describe.skipIf(SKIP_TORCH)('the Python recorder (python3-torch)', () => {
  it('finds the vanishing gradient of 20 sigmoid layers written by hand', async () => {
    const { kinds, text } = await diagnose('Sigmoid', 20, 'pass  # PyTorch default init');
    expect(kinds).toContain('vanishing');
    const record = JSON.parse(text) as { layers: { kind: string; activation: string }[] };
    expect(record.layers).toHaveLength(21);
    expect(record.layers[0]).toMatchObject({ kind: 'dense', activation: 'sigmoid' });
    expect(record.layers[20]).toMatchObject({ kind: 'dense', activation: 'linear' });
  }, 120_000);

  it('finds nothing wrong with 4 He-initialised ReLU layers', async () => {
    const { kinds } = await diagnose('ReLU', 4, "nn.init.kaiming_normal_(linear.weight, nonlinearity='relu')");
    expect(kinds.filter((k) => k === 'vanishing' || k === 'exploding' || k === 'dead-relu')).toEqual([]);
  }, 120_000);

  it('records a hand-written CNN: conv layers with their fused activation, shapes, dead filters per channel', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-recorder-cnn-'));
    fs.writeFileSync(path.join(dir, 'vgnet_recorder.py'), PYTHON_RUNTIME);
    // The second conv's bias is so negative that every one of its filters is off everywhere: dead.
    fs.writeFileSync(
      path.join(dir, 'train.py'),
      String.raw`
import sys, torch, torch.nn as nn
sys.path.insert(0, sys.argv[1])
from vgnet_recorder import Recorder
torch.manual_seed(0)
model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(4), nn.MaxPool2d(2),
                      nn.Conv2d(4, 3, 3), nn.ReLU(), nn.Flatten(), nn.LayerNorm(12), nn.Linear(12, 2))
with torch.no_grad():
    model[4].bias.fill_(-100.0)
x, y = torch.randn(64, 1, 8, 8), torch.randint(0, 2, (64,))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
rec = Recorder(model, record_every=1, loss_function="crossentropy")
for step in range(3):
    loss = nn.functional.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    rec.step(loss)
    opt.step()
rec.save(sys.argv[2])
`,
    );
    const record = path.join(dir, 'run.vgnet-record.json');
    python([path.join(dir, 'train.py'), dir, record]);
    const read = readRecord(fs.readFileSync(record, 'utf8'));
    fs.rmSync(dir, { recursive: true, force: true });
    if (!read.ok) throw new Error(read.message);
    const { layers, series } = read.run.result;
    expect(layers.map((l) => [l.path, l.kind, l.activation])).toEqual([
      ['0', 'conv2d', 'relu'],
      ['2', 'batchnorm', null],
      ['4', 'conv2d', 'relu'],
      ['7', 'layernorm', null],
      ['8', 'dense', 'linear'],
    ]);
    expect(layers[0]).toMatchObject({
      inputShape: [1, 8, 8],
      outputShape: [4, 8, 8],
      inputWidth: 64,
      outputWidth: 256,
    });
    expect(layers[2]).toMatchObject({ inputShape: [4, 4, 4], outputShape: [3, 2, 2] });
    expect(series[2]!.channelDead).toEqual([
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(series[2]!.deadFraction).toEqual([1, 1, 1]);
    expect(series[0]!.channelDead![0]).toEqual([0, 0, 0, 0]);
  }, 120_000);
});
