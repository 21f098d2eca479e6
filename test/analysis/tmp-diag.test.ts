import { readFileSync } from 'node:fs';
import { it } from 'vitest';
import { predictGradientFlow } from '../../src/analysis/predict';
import { createTrainer } from '../../src/engine/train';
import { loadDataset } from '../../src/spec/data';
import { parseSpec } from '../../src/spec/parse';

it('diag', () => {
  for (const name of (process.env.SPECS ?? 'deep-plain-cnn').split(',')) {
    const text = readFileSync(`examples/${name}.vgnet.json`, 'utf8');
    const parsed = parseSpec(text);
    const config = parsed.config!;
    const files = { readText: (p: string) => ({ text: readFileSync(`examples/${p}`, 'utf8') }) };
    const last = config.layers[config.layers.length - 1]!;
    const outputs = last.kind === 'dense' ? last.units : 1;
    const loaded = loadDataset(parsed.data!, { input: config.input, outputs, loss: config.loss }, files, 1);
    if ('error' in loaded) throw new Error(loaded.error);
    const x = loaded.dataset.x;
    const inputVariance = x.reduce((s, v) => s + v * v, 0) / x.length;
    const d = loaded.dataset; let ms = 0; for (let j = 0; j < d.features; j++) { let m = 0; for (let i = 0; i < d.samples; i++) m += d.x[i * d.features + j]!; ms += (m / d.samples) ** 2; } ms /= d.features;
    const p = predictGradientFlow(config, { inputVariance, inputMeanSquare: ms });
    const runs = 3;
    const acc = new Map<string, number[]>();
    const time: number[] = [];
    for (let r = 0; r < runs; r++) {
      const trainer = createTrainer({ ...config, training: { ...config.training, seed: 1000 + r } }, loaded.dataset);
      trainer.step();
      const res = trainer.result();
      const out = res.layers.findIndex((l) => l.path === p.outputPath);
      res.layers.forEach((l, i) => {
        if (!l.hasWeights) return;
        const v = Math.log10(res.series[i]!.gradNorm[0]! / res.series[out]!.gradNorm[0]!);
        acc.set(l.path, [...(acc.get(l.path) ?? []), v]);
        const tg = res.series[i]!.timeGradNorm?.[0];
        if (tg) time.push(tg[0]! / tg[tg.length - 1]!);
      });
    }
    console.log(name, 'E[x²]', inputVariance.toFixed(3));
    for (const l of p.layers) {
      const m = acc.get(l.path);
      const meas = m ? m.reduce((a, b) => a + b, 0) / m.length : NaN;
      console.log(l.path, l.kind, 'q', l.preActivationVariance.toFixed(3), 'gain', l.gain.toFixed(3), 'pred', Math.log10(l.relativeGradNorm).toFixed(2), 'meas', meas.toFixed(2), l.recurrent ? `time pred ${l.recurrent.timeRatio.toExponential(2)} gain ${l.recurrent.stepGain.toFixed(3)}` : '');
    }
    if (time.length) console.log('time measured', time.map((t) => t.toExponential(2)).join(' '));
  }
});
