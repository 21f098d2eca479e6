/** The hover on recurrent and conv layers: the gradient through time, gate saturation, output shape, dead filters. */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../../src/analysis/analyze';
import { summarize } from '../../../src/analysis/summary';
import type { TrainResult } from '../../../src/engine/stats';
import { hoverMarkdown } from '../../../src/extension/core/hover';
import { DocumentResults } from '../../../src/extension/core/results';
import { convRecord, lstmRecord } from '../conv-rnn-record';
import { analysed, report, snapshot, SPEC } from './fixtures';

/** The editor's view of a measured run of `result` (the fixture spec's text; the hover reads the record). */
function viewOf(result: TrainResult) {
  const results = new DocumentResults();
  results.setMeasured(analysed(report({ result, summary: summarize(result) })));
  return results.view(snapshot())!;
}

/** The table row whose label starts with `label`, as its cells. */
function rowOf(text: string, label: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(`| ${label}`));
  expect(line, `a row "${label}" in\n${text}`).toBeDefined();
  return line!
    .split('|')
    .slice(1, -1)
    .map((cell) => cell.trim());
}

describe('hover on a recurrent layer', () => {
  // ‖∂L/∂h_t‖ = (1 + step/10) · 10^(t−5) over t = 0 … 5; recorded steps 0 … 40; forget gate saturated i/10.
  const text = hoverMarkdown(viewOf(lstmRecord()), '/layers/0')!;

  it('names the layer with its per-sample shapes', () => {
    expect(text.split('\n')[0]).toBe('**VGNet** · `/layers/0` · lstm 6×2→3');
  });

  it('gives ‖∂L/∂h_t‖ at the first, middle and last time step, at step 0 and at the end', () => {
    expect(text).toContain('**Through time** · 6 time steps');
    expect(text).toContain('| | step 0 | end (step 40) |');
    expect(rowOf(text, '‖∂L/∂h_t‖ at t = 0 (first)')).toEqual(['‖∂L/∂h_t‖ at t = 0 (first)', '1.0e-5', '5.0e-5']);
    expect(rowOf(text, '‖∂L/∂h_t‖ at t = 2 (middle)').slice(1)).toEqual(['1.0e-3', '5.0e-3']);
    expect(rowOf(text, '‖∂L/∂h_t‖ at t = 5 (last)').slice(1)).toEqual(['1', '5']);
  });

  it('gives the first ÷ last ratio and each gate saturation', () => {
    expect(rowOf(text, 'first ÷ last time step').slice(1)).toEqual(['1.0e-5', '1.0e-5']);
    expect(rowOf(text, 'forget gate saturated').slice(1)).toEqual(['0%', '40%']);
    expect(rowOf(text, 'input gate saturated').slice(1)).toEqual(['1%', '1%']);
    for (const gate of ['cell', 'output']) expect(text).toContain(`| ${gate} gate saturated |`);
  });

  it('names a two-step sequence first and last only, and leaves out gates a simple RNN does not have', () => {
    const result = lstmRecord();
    result.layers[0]!.kind = 'simple_rnn';
    result.series[0]!.timeGradNorm = result.series[0]!.timeGradNorm!.map(() => [0.5, 2]);
    delete result.series[0]!.gateSaturation;
    const short = hoverMarkdown(viewOf(result), '/layers/0')!;
    expect(short).toContain('**Through time** · 2 time steps');
    expect(short).not.toContain('middle');
    expect(rowOf(short, 'first ÷ last time step').slice(1)).toEqual(['0.25', '0.25']);
    expect(short).not.toContain('gate saturated');
  });

  it('says nothing about time on the dense layer after it', () => {
    const dense = hoverMarkdown(viewOf(lstmRecord()), '/layers/1')!;
    expect(dense).not.toContain('Through time');
    expect(dense).not.toContain('Dead filters');
  });
});

describe('hover on a conv layer', () => {
  it('gives its output shape and its dead filters at the start and the end', () => {
    const text = hoverMarkdown(viewOf(convRecord()), '/layers/0')!;
    expect(text.split('\n')[0]).toBe('**VGNet** · `/layers/0` · conv2d 1×8×8→4×6×6 · relu');
    expect(text).toContain('**Output** 4 × 6 × 6 (filters × height × width)');
    expect(text).toContain('**Dead filters** 2 of 4 at the end (step 40) (#2, #3); 0 at step 0');
    expect(text).not.toContain('Through time');
  });

  it('gives only the count past a dozen dead filters, and no dead-filter line without the flags', () => {
    const many = convRecord();
    many.series[0]!.channelDead = many.series[0]!.channelDead!.map((_, i) => Array.from({ length: 20 }, () => i));
    expect(hoverMarkdown(viewOf(many), '/layers/0')).toContain(
      '**Dead filters** 20 of 20 at the end (step 40) (#0, #1, #2, #3, #4, #5, #6, #7, #8, #9, #10, #11, …); 0 at step 0',
    );
    const linear = convRecord();
    delete linear.series[0]!.channelDead;
    const text = hoverMarkdown(viewOf(linear), '/layers/0')!;
    expect(text).toContain('**Output** 4 × 6 × 6');
    expect(text).not.toContain('Dead filters');
  });

  it('has no measured numbers once the text changed since the run', () => {
    const results = new DocumentResults();
    const result = convRecord();
    results.setMeasured(analysed(report({ result, summary: summarize(result) })));
    const edited = snapshot(`${SPEC} `, 2);
    const layer = {
      path: '/layers/0',
      kind: 'dense',
      relativeGradNorm: 0.5,
      gain: 1,
      saturatedFraction: 0,
      preActivationVariance: 1,
      weightVariance: 1,
    };
    const prediction = { outputPath: '/layers/2', layers: [layer] } as unknown as Report['prediction'];
    results.setStatic(analysed(report({ prediction }), edited));
    const stale = hoverMarkdown(results.view(edited)!, '/layers/0')!;
    expect(stale).toContain('Measured values are from before your last edit');
    expect(stale).not.toContain('Dead filters');
    expect(stale).not.toContain('**Output**');
  });

  it('gives the output shape from the spec before any run', () => {
    const text = `{
  "version": 1,
  "name": "tiny-cnn",
  "input": [1, 8, 8],
  "layers": [
    {"type": "conv2d", "filters": 4, "kernel": 3, "activation": "relu"},
    {"type": "flatten"},
    {"type": "dense", "units": 1, "activation": "sigmoid"}
  ],
  "loss": "bce",
  "optimizer": {"type": "sgd", "lr": 0.1},
  "training": {"steps": 10, "batchSize": 8, "seed": 1},
  "data": {"source": "shapes", "size": 8, "samples": 64}
}`;
    const layer = (path: string, kind: string) => ({
      path,
      kind,
      relativeGradNorm: 0.5,
      gain: 1,
      saturatedFraction: 0,
      preActivationVariance: 1,
      weightVariance: 1,
    });
    const prediction = {
      outputPath: '/layers/2',
      layers: [layer('/layers/0', 'conv2d'), layer('/layers/1', 'flatten'), layer('/layers/2', 'dense')],
    } as unknown as Report['prediction'];
    const results = new DocumentResults();
    const before = snapshot(text, 1);
    results.setStatic(analysed(report({ prediction }), before));
    const view = results.view(before)!;
    expect(view.locator.config, 'the spec parses').not.toBeNull();
    const conv = hoverMarkdown(view, '/layers/0')!;
    // valid 3×3 on 8×8: 6×6 per filter
    expect(conv.split('\n')[0]).toBe('**VGNet** · `/layers/0` · conv2d 1×8×8→4×6×6');
    expect(conv).toContain('**Output** 4 × 6 × 6 (filters × height × width)');
    const flatten = hoverMarkdown(view, '/layers/1')!;
    expect(flatten.split('\n')[0]).toBe('**VGNet** · `/layers/1` · flatten 4×6×6→144');
    expect(flatten).not.toContain('**Output**');
  });
});
