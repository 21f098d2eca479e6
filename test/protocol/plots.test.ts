/** Message validation: every well-formed message passes, and each kind of malformation is refused. */
import { describe, expect, it } from 'vitest';
import {
  isHostMessage,
  isPlainFileName,
  isPlotModel,
  isPlotState,
  isWebviewMessage,
  MAX_EXPORT_CHARS,
  type PlotModel,
  type PlotProgress,
} from '../../src/protocol/plots';
import { sampleModel } from './sample-model';

const progress: PlotProgress = {
  uri: 'file:///a.vgnet.json',
  stepsRun: 5,
  totalSteps: 10,
  layers: ['/layers/0'],
  recordedSteps: [0, 2],
  gradNorm: [[1, null]],
  loss: { steps: [0, 1], values: [1, 0.9] },
};

/** A deep copy with one change applied. */
function mutated<T>(value: T, change: (copy: any) => void): unknown {
  const copy = structuredClone(value);
  change(copy);
  return copy;
}

describe('host → webview messages', () => {
  it('accepts every well-formed message, also after a JSON round trip', () => {
    const messages = [
      { type: 'model', model: sampleModel() },
      { type: 'progress', progress },
      { type: 'highlight', uri: 'u', layer: '/layers/0' },
      { type: 'highlight', uri: 'u', layer: null },
      { type: 'empty', reason: 'nothing' },
      { type: 'theme' },
    ];
    for (const m of messages)
      expect(isHostMessage(JSON.parse(JSON.stringify(m))), JSON.stringify(m).slice(0, 60)).toBe(true);
  });

  it.each([
    ['an unknown type', { type: 'bogus' }],
    ['not an object', 'model'],
    ['null', null],
    [
      'a model missing its layers',
      mutated({ type: 'model', model: sampleModel() }, (m) => {
        delete m.model.layers;
      }),
    ],
    [
      'a string where a number belongs',
      mutated({ type: 'model', model: sampleModel() }, (m) => {
        m.model.layers[0].gradNorm[0] = '1';
      }),
    ],
    [
      'NaN (not JSON)',
      mutated({ type: 'model', model: sampleModel() }, (m) => {
        m.model.layers[0].gradNorm[0] = NaN;
      }),
    ],
    [
      'a per-step series of the wrong length',
      mutated({ type: 'model', model: sampleModel() }, (m) => {
        m.model.layers[0].gradNorm.push(1);
      }),
    ],
    [
      'a loss curve with more steps than values',
      mutated({ type: 'model', model: sampleModel() }, (m) => {
        m.model.loss.steps.push(3);
      }),
    ],
    [
      'a fix pointing at no finding',
      mutated({ type: 'model', model: sampleModel() }, (m) => {
        m.model.fixes[0].finding = 4;
      }),
    ],
    [
      'a digest with unequal arrays',
      mutated({ type: 'model', model: sampleModel() }, (m) => {
        m.model.fixes[0].after.gradNormEnd = [];
      }),
    ],
    [
      'an unknown severity',
      mutated({ type: 'model', model: sampleModel() }, (m) => {
        m.model.findings[0].severity = 'fatal';
      }),
    ],
    [
      'progress with a missing layer series',
      mutated({ type: 'progress', progress }, (m) => {
        m.progress.gradNorm = [];
      }),
    ],
    [
      'progress with a short series',
      mutated({ type: 'progress', progress }, (m) => {
        m.progress.gradNorm[0] = [1];
      }),
    ],
    ['a highlight without uri', { type: 'highlight', layer: '/layers/0' }],
    ['a highlight with a numeric layer', { type: 'highlight', uri: 'u', layer: 3 }],
  ])('refuses %s', (_what, message) => {
    expect(isHostMessage(message)).toBe(false);
  });
});

describe('webview → host messages', () => {
  const png = 'data:image/png;base64,iVBORw0KGgo=';

  it('accepts ready, reveal and the three exports', () => {
    expect(isWebviewMessage({ type: 'ready' })).toBe(true);
    expect(isWebviewMessage({ type: 'revealLayer', uri: 'file:///a', path: '/layers/4/layers/0' })).toBe(true);
    expect(isWebviewMessage({ type: 'export', format: 'csv', fileName: 'a-gradients.csv', content: 'step\n' })).toBe(
      true,
    );
    expect(isWebviewMessage({ type: 'export', format: 'json', fileName: 'a.json', content: '{}' })).toBe(true);
    expect(isWebviewMessage({ type: 'export', format: 'png', fileName: 'a.png', dataUrl: png })).toBe(true);
  });

  it.each([
    ['an unknown type', { type: 'openFile', path: '/etc/passwd' }],
    ['a reveal whose path is not a pointer', { type: 'revealLayer', uri: 'file:///a', path: 'layers/0' }],
    ['an export with a folder in its name', { type: 'export', format: 'csv', fileName: '../../x.csv', content: '' }],
    ['an export to an absolute path', { type: 'export', format: 'csv', fileName: '/tmp/x.csv', content: '' }],
    ['an unknown format', { type: 'export', format: 'exe', fileName: 'x.exe', content: '' }],
    ['a CSV without content', { type: 'export', format: 'csv', fileName: 'x.csv' }],
    [
      'a PNG that is not a PNG data URL',
      { type: 'export', format: 'png', fileName: 'x.png', dataUrl: 'data:text/html;base64,PGI+' },
    ],
    ['a PNG with script in its data', { type: 'export', format: 'png', fileName: 'x.png', dataUrl: `${png}<script>` }],
    [
      'an export larger than the limit',
      { type: 'export', format: 'json', fileName: 'x.json', content: 'x'.repeat(MAX_EXPORT_CHARS + 1) },
    ],
  ])('refuses %s', (_what, message) => {
    expect(isWebviewMessage(message)).toBe(false);
  });

  it('allows only plain file names', () => {
    expect(isPlainFileName('deep-sigmoid-gradients.csv')).toBe(true);
    for (const bad of ['', '.', '..', 'a/b', 'a\\b', 'c:x', 'x'.repeat(201), 'a\u0000b'])
      expect(isPlainFileName(bad), bad).toBe(false);
  });
});

describe('webview state', () => {
  it('restores a saved state and discards anything else', () => {
    const state = { version: 1, model: sampleModel(), compareFinding: 0, compareAt: 'end' };
    expect(isPlotState(JSON.parse(JSON.stringify(state)))).toBe(true);
    expect(isPlotState({ ...state, model: null, compareFinding: null })).toBe(true);
    expect(isPlotState({ ...state, version: 2 })).toBe(false);
    expect(isPlotState({ ...state, compareAt: 'middle' })).toBe(false);
    expect(isPlotState({ ...state, model: { uri: 'x' } })).toBe(false);
    expect(isPlotState(undefined)).toBe(false);
  });

  it('checks the model itself', () => {
    expect(isPlotModel(sampleModel())).toBe(true);
    expect(
      isPlotModel(
        mutated(sampleModel(), (m) => {
          m.version = '3';
        }),
      ),
    ).toBe(false);
  });
});

describe('the recurrent and conv series (optional fields, issue 15)', () => {
  /** The sample model (two recorded steps) with a recurrent layer's and a conv layer's series on its layers. */
  function withSeries(): PlotModel {
    const model = sampleModel();
    model.layers[0] = {
      ...model.layers[0]!,
      throughTime: {
        trainingSteps: [0, 2],
        gradNorm: [
          [1e-5, 1e-3, 1],
          [null, 1e-2, 2],
        ],
      },
      gateSaturation: { input: [0, 0.1], forget: [0.2, null] },
    };
    model.layers[1] = {
      ...model.layers[1]!,
      channels: {
        filters: 3,
        deadCount: [0, 1],
        stripSteps: [0, 2],
        dead: [
          [0, 0, 0],
          [0, 1, 0],
        ],
      },
    };
    return model;
  }

  it('accepts them, and a model without them (an older host or saved state)', () => {
    expect(isHostMessage(JSON.parse(JSON.stringify({ type: 'model', model: withSeries() })))).toBe(true);
    expect(isPlotModel(sampleModel())).toBe(true);
  });

  it.each([
    ['curves for more training steps than named', (m: any) => m.layers[0].throughTime.trainingSteps.pop()],
    ['curves of unequal length', (m: any) => m.layers[0].throughTime.gradNorm[1].push(1)],
    ['a gate series of the wrong length', (m: any) => m.layers[0].gateSaturation.forget.push(0.3)],
    ['a gate series holding a string', (m: any) => (m.layers[0].gateSaturation.input[0] = '0')],
    ['gates as an array', (m: any) => (m.layers[0].gateSaturation = [[0, 0.1]])],
    ['a dead count of the wrong length', (m: any) => m.layers[1].channels.deadCount.push(0)],
    ['a strip column missing a filter', (m: any) => m.layers[1].channels.dead[0].pop()],
    ['a strip cell other than 0 or 1', (m: any) => (m.layers[1].channels.dead[1][1] = 0.5)],
    ['more strip columns than steps', (m: any) => m.layers[1].channels.dead.push([0, 0, 0])],
    ['channels without filters', (m: any) => delete m.layers[1].channels.filters],
  ])('refuses %s', (_what, change) => {
    expect(isPlotModel(mutated(withSeries(), change))).toBe(false);
  });
});
