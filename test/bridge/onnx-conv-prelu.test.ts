/**
 * A PReLU after a conv in ONNX (PyTorch's nn.PReLU(C): one slope per channel). VGNet's conv PReLU keeps one slope
 * per output value, so equal channel slopes import as the activation's alpha, and unequal ones are an error naming
 * the node — never a parameters file the engine would not use.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importModelFile } from '../../src/node/import-files';
import { python, SKIP_TORCH } from './torch';

const EXPORT = String.raw`
import sys, warnings, torch
warnings.filterwarnings("ignore")
torch.manual_seed(0)
for name, slopes in (("equal", [0.3, 0.3]), ("unequal", [0.1, 0.4])):
    prelu = torch.nn.PReLU(2)
    with torch.no_grad():
        prelu.weight.copy_(torch.tensor(slopes))
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), prelu, torch.nn.Flatten(), torch.nn.Linear(2 * 6 * 6, 1))
    torch.onnx.export(model.eval(), torch.randn(1, 1, 8, 8), sys.argv[1] + "/" + name + ".onnx", opset_version=17)
`;

describe.skipIf(SKIP_TORCH)('ONNX import of a per-channel PReLU after a conv (python3-torch)', () => {
  it('equal slopes become the alpha; unequal ones are an error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-onnx-prelu-'));
    try {
      fs.writeFileSync(path.join(dir, 'export.py'), EXPORT);
      python([path.join(dir, 'export.py'), dir]);
      const equal = importModelFile(path.join(dir, 'equal.onnx'), null, false);
      if (!equal.ok) throw new Error(equal.message);
      const spec = fs.readFileSync(path.join(dir, 'equal.vgnet.json'), 'utf8');
      expect(spec).toMatch(/"type": "conv2d"[^\n]*"activation": \{ ?"name": "prelu", "alpha": 0\.3/);
      const unequal = importModelFile(path.join(dir, 'unequal.onnx'), null, false);
      expect(unequal.ok).toBe(false);
      if (!unequal.ok) expect(unequal.message).toMatch(/per-channel PReLU slopes after a conv/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
