/**
 * The recurrent and conv cards, from hand-built records through the host's projection (toPlotModel) to the
 * webview's card selection and columns: which cards exist, what their legends name, and no card where the record
 * has no such series.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../src/analysis/thresholds';
import type { TrainResult } from '../../src/engine/stats';
import { evenIndices, MAX_STRIP_STEPS, MAX_TIME_CURVES, toPlotModel } from '../../src/extension/plots/plot-model';
import { isPlotModel, type PlotModel } from '../../src/protocol/plots';
import { modelToCsv } from '../../webview/exportData';
import {
  convLabel,
  convLayers,
  deadCells,
  deadCountColumns,
  firstOverLast,
  gateColumns,
  gateLayers,
  timeColumns,
  timeLayers,
  timeLegend,
} from '../../webview/layerSeries';
import { kindColor, mixColors, paletteFrom, stepColor } from '../../webview/palette';
import { depthColumns } from '../../webview/transforms';
import { fakeRecord } from '../analysis/fake-record';
import { convRecord, lstmRecord } from '../extension/conv-rnn-record';
import { sampleModel } from '../protocol/sample-model';

function modelOf(result: TrainResult): PlotModel {
  const model = toPlotModel(
    { prediction: null, findings: [], fixes: [], result, message: null },
    'file:///x.vgnet.json',
    1,
    DEFAULT_THRESHOLDS,
  );
  // What the webview receives: JSON, checked by the protocol's guard.
  const sent = JSON.parse(JSON.stringify(model)) as unknown;
  expect(isPlotModel(sent)).toBe(true);
  return sent as PlotModel;
}

describe('recurrent layers: the through-time card', () => {
  it('draws one card per recurrent layer, a curve per training step over the time steps', () => {
    const result = lstmRecord();
    const model = modelOf(result);
    const cards = timeLayers(model);
    expect(cards.map((l) => l.path)).toEqual(['/layers/0']);
    const [ts, ...curves] = timeColumns(cards[0]!.throughTime);
    expect(ts).toEqual([0, 1, 2, 3, 4, 5]);
    expect(curves).toHaveLength(result.recordedSteps.length);
    curves.forEach((curve, i) => {
      const expected = result.series[0]!.timeGradNorm![i]!;
      curve.forEach((v, t) => expect(v).toBeCloseTo(expected[t]!, 12));
    });
  });

  it('names every drawn training step in its legend, early to late, in colours from the first to the last', () => {
    const model = modelOf(lstmRecord());
    const t = timeLayers(model)[0]!.throughTime;
    expect(timeLegend(t).map((e) => e.label)).toEqual(['step 0', 'step 10', 'step 20', 'step 30', 'step 40']);
    const palette = paletteFrom(() => '', '');
    const colours = t.trainingSteps.map((_, i, all) => stepColor(palette, i, all.length));
    expect(colours[0]).toBe(mixColors(palette.blue, palette.yellow, 0));
    expect(colours[colours.length - 1]).toBe(mixColors(palette.blue, palette.yellow, 1));
    expect(new Set(colours).size).toBe(colours.length);
  });

  it('keeps at most MAX_TIME_CURVES curves of a long run, the first and the last training step among them', () => {
    const result = lstmRecord(40);
    const t = timeLayers(modelOf(result))[0]!.throughTime;
    expect(t.trainingSteps.length).toBeLessThanOrEqual(MAX_TIME_CURVES);
    expect(t.trainingSteps.length).toBeGreaterThan(2);
    expect(t.trainingSteps[0]).toBe(0);
    expect(t.trainingSteps[t.trainingSteps.length - 1]).toBe(result.recordedSteps[39]);
    expect(timeLegend(t).map((e) => e.label)).toEqual(t.trainingSteps.map((s) => `step ${s}`));
    // Each curve is the one recorded at the step its legend names.
    const step = t.trainingSteps[3]!;
    const recorded = result.series[0]!.timeGradNorm![result.recordedSteps.indexOf(step)]!;
    expect(t.gradNorm[3]!.map((v) => v!)).toEqual(recorded);
  });

  it('reports the first ÷ last time step ratio per training step', () => {
    const t = timeLayers(modelOf(lstmRecord()))[0]!.throughTime;
    for (const r of firstOverLast(t)) expect(r).toBeCloseTo(1e-5, 12);
    expect(firstOverLast({ trainingSteps: [0], gradNorm: [[0, 1]] })).toEqual([null]);
  });

  it('draws the gate saturation of an LSTM, one series per gate over the recorded steps', () => {
    const model = modelOf(lstmRecord());
    const [layer] = gateLayers(model);
    expect(layer?.path).toBe('/layers/0');
    const [steps, ...gates] = gateColumns(model, layer!);
    expect(steps).toEqual([0, 10, 20, 30, 40]);
    expect(Object.keys(layer!.gateSaturation)).toEqual(['input', 'forget', 'cell', 'output']);
    expect(gates[1]).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
  });
});

describe('conv layers: the dead-filter card', () => {
  it('counts dead filters per recorded step and marks them in the filter × step strip', () => {
    const model = modelOf(convRecord());
    const layers = convLayers(model);
    expect(layers.map(convLabel)).toEqual(['/layers/0 (4 filters)']);
    const [steps, counts] = deadCountColumns(model, layers);
    expect(steps).toEqual([0, 10, 20, 30, 40]);
    expect(counts).toEqual([0, 1, 1, 2, 2]);
    const cells = deadCells(layers[0]!.channels);
    expect(cells).toContainEqual([1, 2]);
    expect(cells).toContainEqual([3, 3]);
    expect(cells).not.toContainEqual([0, 2]);
    expect(cells).toHaveLength(1 + 1 + 2 + 2);
  });

  it('thins a long strip to MAX_STRIP_STEPS columns, keeping the first and last step', () => {
    const result = convRecord(400);
    const channels = convLayers(modelOf(result))[0]!.channels;
    expect(channels.stripSteps.length).toBeLessThanOrEqual(MAX_STRIP_STEPS);
    expect(channels.stripSteps[0]).toBe(0);
    expect(channels.stripSteps[channels.stripSteps.length - 1]).toBe(result.recordedSteps[399]);
    expect(channels.dead).toHaveLength(channels.stripSteps.length);
  });

  it('puts conv layers on the depth profile and names them by their shapes', () => {
    const model = modelOf(convRecord());
    expect(model.layers[0]!.description).toBe('conv2d 1×8×8→4×6×6 relu');
    expect(model.layers[1]!.description).toBe('flatten 4×6×6→144');
    const [xs, start, end] = depthColumns(model);
    expect(xs).toEqual([1, 2, 3]);
    // conv ‖∂L/∂W‖ 0.02 against the dense output layer's 1; the flatten layer has no weights.
    expect(start![0]).toBeCloseTo(0.02, 12);
    expect(end![0]).toBeCloseTo(0.02, 12);
    expect(start![1]).toBeNull();
    expect(start![2]).toBe(1);
  });
});

describe('layers without the new series', () => {
  it('get no through-time, gate or dead-filter card', () => {
    const model = modelOf(fakeRecord([{ gradNorm: 1, dead: 0.2 }, { gradNorm: 2 }]));
    expect(timeLayers(model)).toEqual([]);
    expect(gateLayers(model)).toEqual([]);
    expect(convLayers(model)).toEqual([]);
    for (const layer of model.layers) {
      expect(layer).not.toHaveProperty('throughTime');
      expect(layer).not.toHaveProperty('gateSaturation');
      expect(layer).not.toHaveProperty('channels');
    }
  });

  it('a conv layer with a linear activation (no channelDead) and an RNN without gates get only what they have', () => {
    const conv = convRecord();
    delete conv.series[0]!.channelDead;
    expect(convLayers(modelOf(conv))).toEqual([]);
    const rnn = lstmRecord();
    delete rnn.series[0]!.gateSaturation;
    const model = modelOf(rnn);
    expect(gateLayers(model)).toEqual([]);
    expect(timeLayers(model)).toHaveLength(1);
  });

  it('an older model (no such fields at all) draws none of the new cards', () => {
    const model = sampleModel();
    expect([timeLayers(model), gateLayers(model), convLayers(model)]).toEqual([[], [], []]);
  });
});

describe('export and colours', () => {
  it('puts gate saturations and dead-filter counts into the CSV, one row per recorded step', () => {
    const lines = modelToCsv(modelOf(lstmRecord(3)))
      .trim()
      .split('\n');
    const header = lines[0]!.split(',');
    const forget = header.indexOf('gateSaturation.forget /layers/0');
    expect(forget).toBeGreaterThan(0);
    const row20 = lines.find((l) => l.startsWith('20,'))!.split(',');
    expect(Number(row20[forget])).toBeCloseTo(0.2, 12);

    const conv = modelToCsv(modelOf(convRecord())).trim().split('\n');
    const dead = conv[0]!.split(',').indexOf('deadFilters /layers/0');
    expect(dead).toBeGreaterThan(0);
    expect(conv.filter((l) => /^(0|10|20|30|40),/.test(l)).map((l) => l.split(',')[dead])).toEqual([
      '0',
      '1',
      '1',
      '2',
      '2',
    ]);
  });

  it('colours the through-time findings as their per-layer counterparts', () => {
    const p = paletteFrom(() => '', '');
    expect(kindColor(p, 'vanishing-through-time')).toBe(kindColor(p, 'vanishing'));
    expect(kindColor(p, 'exploding-through-time')).toBe(kindColor(p, 'exploding'));
    expect(kindColor(p, 'gate-saturation')).toBe(kindColor(p, 'saturation'));
    expect(kindColor(p, 'vanishing')).not.toBe(kindColor(p, 'exploding'));
  });

  it('mixes colours linearly between the two ends', () => {
    expect(mixColors('#000000', '#ff8040', 0.5)).toBe('rgb(128, 64, 32)');
    expect(mixColors('#000', 'rgb(10, 20, 30)', 2)).toBe('rgb(10, 20, 30)');
    expect(mixColors('red', '#fff', 0.5)).toBe('red');
  });
});

describe('evenIndices', () => {
  it('keeps the first and the last index, evenly spaced, at most max of them', () => {
    expect(evenIndices(30, 10)).toEqual([0, 3, 6, 10, 13, 16, 19, 23, 26, 29]);
    expect(evenIndices(4, 10)).toEqual([0, 1, 2, 3]);
    expect(evenIndices(0, 10)).toEqual([]);
    expect(evenIndices(5, 1)).toEqual([4]);
    for (const [n, max] of [
      [1000, 120],
      [121, 120],
      [11, 10],
    ] as const) {
      const kept = evenIndices(n, max);
      expect(kept).toHaveLength(max);
      expect(new Set(kept).size).toBe(max);
      expect([kept[0], kept[kept.length - 1]]).toEqual([0, n - 1]);
      const gaps = kept.slice(1).map((k, i) => k - kept[i]!);
      expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(1);
    }
  });
});
