// Bundles the extension host code, the CLI, the analysis worker and the benchmark.
// Usage: node esbuild.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Node entry points: [source, output name]; missing ones are skipped so the build works while parts are written. */
const nodeEntries = [
  ['src/cli/main.ts', 'cli'],
  ['src/node/worker.ts', 'worker'],
  ['src/node/gemm-helper-worker.ts', 'gemm-helper'],
  ['src/extension/extension.ts', 'extension'],
  ['bench/bench.ts', 'bench'],
  ['bench/memory-analyses.ts', 'memory-analyses'],
  ['bench/robustness/run.ts', 'robustness'],
].filter(([source]) => existsSync(source));

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // Prefer ES module builds: jsonc-parser's UMD main uses dynamic requires esbuild cannot follow.
  mainFields: ['module', 'main'],
};

const contexts = [];
if (nodeEntries.length > 0) {
  contexts.push(await esbuild.context({
    ...common,
    entryPoints: Object.fromEntries(nodeEntries.map(([src, out]) => [out, src])),
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', '@tensorflow/*'],
  }));
}
if (existsSync('webview/main.tsx')) {
  contexts.push(await esbuild.context({
    ...common,
    entryPoints: { webview: 'webview/main.tsx' },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.css': 'css' },
  }));
}

for (const ctx of contexts) {
  if (watch) await ctx.watch();
  else { await ctx.rebuild(); await ctx.dispose(); }
}
