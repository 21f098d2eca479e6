// Builds a standalone preview of the plots webview, outside VS Code: the real page (same HTML and CSP as the
// panel), the real bundle (dist/webview.js + .css), a fake acquireVsCodeApi that plays the host, and a PlotModel
// made by the real toPlotModel from a real analysis of a spec.
//
// Usage: npm run build && node scripts/preview-webview.mjs [spec.vgnet.json] [--record file.json] [--out dir]
//   --record  reuse a `vgnet analyze --json` record instead of running the analysis
//   --out     output folder (default /tmp/vgnet-preview)
// Then serve the folder over http (scripts/screenshot-webview.mjs does, and takes screenshots); the page takes
// ?theme=dark|light|high-contrast, ?live=1 (stream the run as progress first), ?highlight=/layers/3, ?width=px.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const out = resolve(option('--out') ?? '/tmp/vgnet-preview');
const recordFile = option('--record');
const spec = resolve(args[0] ?? 'examples/deep-sigmoid.vgnet.json');

const record = JSON.parse(
  recordFile
    ? readFileSync(recordFile, 'utf8')
    : execFileSync(process.execPath, ['dist/cli.js', 'analyze', spec, '--json'], {
        encoding: 'utf8',
        maxBuffer: 256 << 20,
      }),
);

// The pure host-side modules, bundled on the fly so this script runs the same code as the extension.
const bundle = await esbuild.build({
  stdin: {
    contents: `export { toPlotModel, toPlotProgress } from './src/protocol/plot-model';
               export { DEFAULT_THRESHOLDS } from './src/analysis/thresholds';
               export { plotsPageHtml } from './src/extension/plots/html';`,
    resolveDir: process.cwd(),
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
  mainFields: ['module', 'main'],
});
const lib = await import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString('base64')}`);

const result =
  record.layers.length === 0
    ? null
    : {
        layers: record.layers,
        recordedSteps: record.recordedSteps,
        series: record.series,
        loss: record.loss,
        accuracy: record.accuracy,
        stepsRun: record.stepsRun,
        stopped: record.stopped,
        timeMs: record.timing?.trainMs ?? 0,
      };
const source = { ...record, result };
const uri = pathToFileURL(spec).toString();
const model = lib.toPlotModel(source, uri, 1, lib.DEFAULT_THRESHOLDS);
const progress = liveFrames(result, 12).map((partial) => lib.toPlotProgress(uri, partial));

mkdirSync(out, { recursive: true });
copyFileSync('dist/webview.js', join(out, 'webview.js'));
copyFileSync('dist/webview.css', join(out, 'webview.css'));
writeFileSync(join(out, 'preview-data.js'), `window.__VGNET_PREVIEW__ = ${JSON.stringify({ model, progress })};\n`);
writeFileSync(join(out, 'fake-vscode.js'), readFileSync(new URL('./preview-host.js', import.meta.url), 'utf8'));
const nonce = 'preview-nonce';
const page = lib
  .plotsPageHtml({ cspSource: "'self'", scriptUri: 'webview.js', styleUri: 'webview.css', nonce })
  .replace('<link rel="stylesheet"', '<link rel="stylesheet" href="preview.css">\n  <link rel="stylesheet"')
  .replace(
    '<script nonce',
    `<script nonce="${nonce}" src="preview-data.js"></script>\n  <script nonce="${nonce}" src="fake-vscode.js"></script>\n  <script nonce`,
  );
writeFileSync(join(out, 'index.html'), page);
writeFileSync(join(out, 'preview.css'), readFileSync(new URL('./preview-themes.css', import.meta.url), 'utf8'));
console.log(
  `wrote ${out}/index.html — ${model.layers.length} layers, ${model.findings.length} findings, ${model.fixes.length} fixes`,
);

/** The run as it streamed: the record cut at `count` evenly spaced points (RunProgress snapshots). */
function liveFrames(run, count) {
  if (!run) return [];
  const frames = [];
  for (let k = 1; k <= count; k++) {
    const recorded = Math.max(1, Math.round((run.recordedSteps.length * k) / count));
    const stepsRun = run.recordedSteps[recorded - 1] + 1;
    frames.push({
      stepsRun,
      totalSteps: run.stepsRun,
      layers: run.layers.map((l) => l.path),
      recordedSteps: run.recordedSteps.slice(0, recorded),
      gradNorm: run.series.map((s, l) =>
        run.layers[l].hasWeights ? s.gradNorm.slice(0, recorded) : s.gradNorm.slice(0, recorded).map(() => NaN),
      ),
      loss: run.loss.slice(0, stepsRun),
    });
  }
  return frames;
}
