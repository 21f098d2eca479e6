// Writes the extension's keys of package.json (contributes, activation, capabilities, gallery metadata) and
// nothing else: the file is re-read right before writing, so edits to other keys made meanwhile are kept.
// test/extension/core/manifest.test.ts checks the result against src/extension/commandIds.ts and the settings.
// Usage: node scripts/extension-manifest.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const REPOSITORY_URL = 'https://github.com/vgnet/vgnet';
const SPEC_GLOB = '*.vgnet.json';
const isSpec = 'resourceFilename =~ /\\.vgnet\\.json$/';

const commands = [
  { command: 'vgnet.analyzeCurrentModel', title: 'Analyze Current Model', category: 'VGNet', icon: '$(pulse)' },
  { command: 'vgnet.analyzeWorkspace', title: 'Analyze All Models in Workspace', category: 'VGNet' },
  { command: 'vgnet.showPlots', title: 'Show Gradient Plots', category: 'VGNet', icon: '$(graph-line)' },
  { command: 'vgnet.cancelAnalysis', title: 'Cancel Analysis', category: 'VGNet', enablement: 'vgnet.analysisRunning' },
  { command: 'vgnet.newModelSpec', title: 'New Model Spec', category: 'VGNet' },
];

/** [key, default, description] — the defaults and sources of src/analysis/thresholds.ts. */
const thresholds = [
  [
    'vanishingRatio',
    1e-3,
    "A layer's gradient vanishes when its weight-gradient norm divided by the output layer's falls below this (AutoTrainer, ICSE 2021: 1e-3)…",
  ],
  ['vanishingAbsolute', 1e-4, '…and its absolute weight-gradient norm is below this (AutoTrainer: 1e-4).'],
  [
    'explodingRatio',
    70,
    "A layer's gradient explodes when its ratio to the output layer's exceeds this (AutoTrainer: 70).",
  ],
  ['lossBlowupFactor', 10, 'Training diverged when the smoothed final loss exceeds the first loss by this factor.'],
  [
    'deadFraction',
    0.7,
    'Dying ReLU: fraction of units that output 0 for the whole batch (DeepDiagnosis, ICSE 2022: 0.7).',
  ],
  [
    'saturatedFraction',
    0.5,
    'Saturation: fraction of sigmoid/tanh pre-activations beyond ±saturationZ (DeepDiagnosis: 0.5).',
  ],
  [
    'saturationZ',
    5,
    'Saturation: |pre-activation| beyond which a sigmoid/tanh unit counts as saturated (DeepDiagnosis: 5).',
  ],
  [
    'updateRatioLow',
    1e-5,
    'Learning rate too low when the median update ratio ‖ΔW‖/‖W‖ of most layers is below this (DeepDiagnosis: 1e-5).',
  ],
  [
    'updateRatioHigh',
    0.1,
    'Learning rate too high when the median update ratio ‖ΔW‖/‖W‖ of most layers is above this (DeepDiagnosis: 0.1).',
  ],
  [
    'persistence',
    0.5,
    'A measured condition is reported only if it holds on at least this fraction of the recorded steps.',
  ],
  [
    'initGainFactor',
    2,
    'Static prediction: a layer whose predicted gradient-norm gain lies outside [1/g, g] counts as poorly initialised.',
  ],
  [
    'stagnantLossFraction',
    0.95,
    'Loss not decreasing: the smoothed final loss is at least this fraction of the first loss.',
  ],
];

const properties = {
  'vgnet.analyzeOn': {
    type: 'string',
    enum: ['save', 'type', 'manual'],
    default: 'save',
    order: 0,
    enumDescriptions: [
      'Train and measure when the file is opened and when it is saved.',
      'Train and measure when the file is opened and after a pause in typing (1 s).',
      'Only when you run "VGNet: Analyze Current Model".',
    ],
    markdownDescription:
      'When the measured analysis (a short training run in a worker thread) starts by itself. Syntax errors and the instant predictions always update as you type.',
  },
  'vgnet.steps': {
    type: ['integer', 'null'],
    default: null,
    minimum: 1,
    maximum: 100000,
    order: 1,
    markdownDescription: "Training steps of the measured analysis; `null` uses the spec's `training.steps`.",
  },
  'vgnet.timeBudgetSeconds': {
    type: 'number',
    default: 30,
    minimum: 1,
    maximum: 600,
    order: 2,
    markdownDescription:
      'Wall-clock budget of one measured analysis (training plus verifying fixes), in seconds. A run cut short says so.',
  },
  'vgnet.verifyFixes': {
    type: 'boolean',
    default: true,
    order: 3,
    markdownDescription:
      'Try every candidate fix in a training run of its own (same seed and steps) and show its measured effect in the quick-fix title.',
  },
  'vgnet.inline.enabled': {
    type: 'boolean',
    default: true,
    order: 4,
    markdownDescription: "Show each layer's gradient norm and verdict at the end of its line.",
  },
};
for (const [key, value, description] of thresholds) {
  properties[`vgnet.thresholds.${key}`] = {
    type: 'number',
    default: value,
    exclusiveMinimum: 0,
    order: 10,
    markdownDescription: description,
  };
}

const keys = {
  activationEvents: [
    'workspaceContains:**/*.vgnet.json',
    'onLanguage:jsonc',
    'onLanguage:json',
    'onWebviewPanel:vgnet.plots',
  ],
  contributes: {
    commands,
    menus: {
      commandPalette: [
        { command: 'vgnet.analyzeCurrentModel', when: isSpec },
        { command: 'vgnet.cancelAnalysis', when: 'vgnet.analysisRunning' },
      ],
      'editor/title': [
        { command: 'vgnet.analyzeCurrentModel', when: isSpec, group: 'navigation@1' },
        { command: 'vgnet.showPlots', when: isSpec, group: 'navigation@2' },
      ],
    },
    configuration: { title: 'VGNet', properties },
    jsonValidation: [{ fileMatch: SPEC_GLOB, url: './media/vgnet.schema.json' }],
    configurationDefaults: { 'files.associations': { [SPEC_GLOB]: 'jsonc' } },
  },
  capabilities: {
    untrustedWorkspaces: {
      supported: 'limited',
      description:
        'In Restricted Mode VGNet checks specs and shows its instant predictions, but does not train models (which would read data files named in the spec).',
    },
    virtualWorkspaces: {
      supported: false,
      description: 'Measured analysis reads data files from disk next to the spec.',
    },
  },
  categories: ['Linters', 'Machine Learning', 'Visualization'],
  keywords: ['neural network', 'gradient', 'vanishing gradient', 'exploding gradient', 'deep learning', 'MLP'],
  icon: 'media/icon.png',
  repository: { type: 'git', url: REPOSITORY_URL },
  galleryBanner: { color: '#1b2430', theme: 'dark' },
};

const file = new URL('../package.json', import.meta.url);
const manifest = JSON.parse(readFileSync(file, 'utf8'));
Object.assign(manifest, keys);
writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`package.json: wrote ${Object.keys(keys).join(', ')}`);
