/**
 * ONNX import of recurrent models written by hand in PyTorch, the way people write them: a stacked nn.LSTM
 * (num_layers 2) read through h_n[-1], a GRU through h_n[0]. The import gives the layers (a stacked LSTM is two lstm
 * layers, the lower returning every step) and, with the stored weights, VGNet's loss on PyTorch's batch equals
 * PyTorch's (1e-5 relative): the gate blocks and biases landed where the engine reads them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepare } from '../../src/analysis/prepare';
import { createTrainer } from '../../src/engine/train';
import { folderFileAccess } from '../../src/node/files';
import { importModelFile } from '../../src/node/import-files';
import { python, SKIP_TORCH } from './torch';

const WRITER = String.raw`
import json, sys, warnings, torch, torch.nn as nn
warnings.filterwarnings("ignore")
torch.manual_seed(0)
out = sys.argv[1]


class Stacked(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 5, num_layers=2, batch_first=True)
        self.head = nn.Linear(5, 2)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.head(h[-1])


class Gru(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(4, 6, batch_first=True)
        self.head = nn.Linear(6, 1)

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(torch.tanh(h[0]))


cases = {}
for name, model, shape, width in (("stacked-lstm", Stacked(), (7, 6, 3), 2), ("gru-hn", Gru(), (7, 5, 4), 1)):
    with torch.no_grad():  # biases away from zero, so that a misplaced gate block shows in the loss
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    x, y = torch.randn(*shape), torch.randn(shape[0], width)
    torch.onnx.export(model.eval(), x, "%s/%s.onnx" % (out, name), opset_version=17)
    loss = float(nn.functional.mse_loss(model(x), y))
    cases[name] = {"x": x.flatten().tolist(), "y": y.flatten().tolist(), "loss": loss}
json.dump(cases, open("%s/cases.json" % out, "w"))
`;

describe.skipIf(SKIP_TORCH)('ONNX import of hand-written recurrent models (python3-torch)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-onnx-hand-'));
  let cases: Record<string, { x: number[]; y: number[]; loss: number }> = {};
  beforeAll(() => {
    python(['-c', WRITER, dir]);
    cases = JSON.parse(fs.readFileSync(path.join(dir, 'cases.json'), 'utf8')) as typeof cases;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['stacked-lstm', ['lstm', 'lstm', 'dense'], [true, false]],
    ['gru-hn', ['gru', 'activation', 'dense'], [false]],
  ] as const)('%s', (name, kinds, sequences) => {
    const target = path.join(dir, `${name}.vgnet.json`);
    const imported = importModelFile(path.join(dir, `${name}.onnx`), target, true);
    if (!imported.ok) throw new Error(imported.message);
    const prepared = prepare(fs.readFileSync(target, 'utf8'), { files: folderFileAccess(dir), steps: 1 });
    if (!prepared.ok) throw new Error(prepared.diagnostics.map((d) => d.message).join('; '));
    const config = prepared.config;
    expect(config.layers.map((l) => l.kind)).toEqual(kinds);
    expect(config.layers.flatMap((l) => ('returnSequences' in l ? [l.returnSequences] : []))).toEqual(sequences);
    const c = cases[name]!;
    const rows = 7;
    const x = Float32Array.from(c.x);
    const y = Float32Array.from(c.y);
    const data = {
      x,
      y,
      samples: rows,
      features: config.input,
      targetWidth: y.length / rows,
      classes: 0,
      shape: config.inputShape ?? [config.input],
    };
    const trainer = createTrainer({ ...config, loss: 'mse', training: { ...config.training, batchSize: rows } }, data);
    trainer.step();
    const loss = trainer.result().loss[0]!;
    expect(Math.abs(loss - c.loss) / c.loss).toBeLessThan(1e-5);
  });
});
