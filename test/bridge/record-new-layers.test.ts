/**
 * The bridge's loop for the new layers: a recurrent example exported to PyTorch, run there with `--record`, read
 * back (`vgnet analyze --record`): the record carries the layers' shapes and the per-step ‖∂L/∂h_t‖, and VGNet's
 * detectors find the vanishing gradient through time in PyTorch's run as they do in their own.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeRecorded } from '../../src/analysis/analyze';
import { inProcessExecutor } from '../../src/analysis/measure';
import { prepare } from '../../src/analysis/prepare';
import { readRecord } from '../../src/analysis/record';
import { exportPytorch } from '../../src/bridge/export-pytorch';
import { folderFileAccess } from '../../src/node/files';
import { python, SKIP_TORCH } from './torch';

const EXAMPLES = path.join(__dirname, '../../examples');

describe.skipIf(SKIP_TORCH)('records of the new layers from PyTorch (python3-torch)', () => {
  it('rnn-adding-vanishing: the PyTorch run reads back and shows the vanishing gradient through time', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vgnet-record-new-'));
    const text = fs.readFileSync(path.join(EXAMPLES, 'rnn-adding-vanishing.vgnet.json'), 'utf8');
    const prepared = prepare(text, { files: folderFileAccess(EXAMPLES) });
    if (!prepared.ok) throw new Error(prepared.diagnostics.map((d) => d.message).join('; '));
    const exported = exportPytorch(prepared.config, prepared.dataset, {
      spec: 'rnn-adding-vanishing.vgnet.json',
      dataFile: 'rnn.data.bin',
      program: 'rnn.py',
    });
    fs.writeFileSync(path.join(dir, 'rnn.py'), exported.python);
    fs.writeFileSync(path.join(dir, 'rnn.data.bin'), exported.data);
    const record = path.join(dir, 'rnn.vgnet-record.json');
    python([path.join(dir, 'rnn.py'), '--steps', '60', '--threads', '1', '--record', record]);
    const read = readRecord(fs.readFileSync(record, 'utf8'));
    if (!read.ok) throw new Error(read.message);
    const { layers, series, recordedSteps } = read.run.result;
    expect(layers.map((l) => l.kind)).toEqual(['simple_rnn', 'dense']);
    expect(layers[0]).toMatchObject({ inputShape: [50, 2], outputShape: [32], activation: 'tanh', hasWeights: true });
    const time = series[0]!.timeGradNorm!;
    expect(time).toHaveLength(recordedSteps.length);
    expect(time[0]).toHaveLength(50);
    // The gradient reaching the first step is a small fraction of the last step's.
    expect(time[0]![0]! / time[0]![49]!).toBeLessThan(0.1);
    const ratios = time
      .slice(1)
      .map((t) => t[0]! / t[49]!)
      .sort((a, b) => a - b);
    console.log(`‖∂L/∂h_0‖/‖∂L/∂h_49‖ after step 0: median ${ratios[Math.floor(ratios.length / 2)]}`);
    const report = await analyzeRecorded(read.run, null, {
      executor: inProcessExecutor({ readText: () => null } as never),
    });
    expect(report.status).toBe('ok');
    expect(report.findings.map((f) => f.kind)).toContain('vanishing-through-time');
    // A time series that does not match the recorded steps is an error at its place in the file.
    const broken = JSON.parse(fs.readFileSync(record, 'utf8')) as { series: { timeGradNorm: number[][] }[] };
    broken.series[0]!.timeGradNorm.pop();
    const bad = readRecord(JSON.stringify(broken, null, 1));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/^\/series\/0\/timeGradNorm: \d+ entries for \d+ recorded steps/);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});
