// Lint: promise mistakes (type-aware) and the layers of docs/architecture in README ("Layout"), as import rules.
// Imports are relative paths, so a layer is recognised by its folder name anywhere in the path.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_'));

/** `**\/name` and `**\/name/**`: the folder itself (its index.ts) and any file in it. */
const folders = (...names) => names.flatMap((name) => [`**/${name}`, `**/${name}/**`]);

/**
 * The no-restricted-imports options of one layer. A later config block replaces (does not merge) the rule's
 * options for the files it matches, so each layer states its whole list.
 */
function layer(what, { project = [], node = false, vscode = false, packages = [], regex = [] }) {
  const paths = [];
  const patterns = [...regex];
  if (project.length > 0)
    patterns.push({ group: folders(...project), message: `${what} must not import these layers.` });
  if (!vscode) {
    const message = `${what} must not import vscode: only src/extension does (and not its vscode-free core).`;
    paths.push({ name: 'vscode', message });
  }
  for (const name of packages) paths.push({ name, message: `${what} must not import ${name}.` });
  if (!node) {
    const message = `${what} runs outside Node too (no Node built-ins); Node code lives in src/node.`;
    patterns.push({ group: ['node:*'], message });
    paths.push(...nodeBuiltins.map((name) => ({ name, message })));
  }
  return { 'no-restricted-imports': ['error', { paths, patterns }] };
}

export default tseslint.config(
  { ignores: ['dist/**', 'dist-vsix/**', 'node_modules/**', 'media/**', 'test/e2e/artifacts/**', '.vscode-test/**'] },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mjs', '**/*.js'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './webview/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      ...layer('Code outside src/extension', { node: true }),
    },
  },
  // Plain JavaScript outside any tsconfig (scripts, the vitest e2e config): no type information to check with.
  {
    files: ['**/*.{js,mjs}', 'vitest.e2e.config.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { parserOptions: { project: false } },
  },
  {
    files: ['src/engine/**'],
    rules: layer('src/engine', {
      project: ['spec', 'analysis', 'bridge', 'node', 'cli', 'extension', 'protocol'],
      packages: ['jsonc-parser'],
    }),
  },
  {
    files: ['src/spec/**'],
    rules: layer('src/spec', { project: ['analysis', 'bridge', 'node', 'cli', 'extension', 'protocol'] }),
  },
  {
    files: ['src/analysis/**'],
    rules: layer('src/analysis', { project: ['bridge', 'node', 'cli', 'extension', 'protocol'] }),
  },
  // Import and export (formats of other frameworks): pure like the analysis; the CLI and the editor write the files.
  { files: ['src/bridge/**'], rules: layer('src/bridge', { project: ['node', 'cli', 'extension', 'protocol'] }) },
  { files: ['src/node/**'], rules: layer('src/node', { project: ['extension', 'cli'], node: true }) },
  { files: ['src/cli/**'], rules: layer('src/cli', { project: ['extension'], node: true }) },
  { files: ['src/extension/**'], rules: layer('src/extension', { project: ['cli'], node: true, vscode: true }) },
  { files: ['src/extension/core/**'], rules: layer('src/extension/core', { project: ['cli'], node: true }) },
  {
    files: ['src/protocol/**'],
    rules: layer('src/protocol', {
      regex: [{ regex: '.*', message: 'src/protocol holds shared message types and imports nothing.' }],
    }),
  },
  {
    files: ['webview/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: layer('webview', {
      regex: [
        {
          regex: '^(\\.\\./)+src/(?!protocol/plots$)',
          message: 'From src the webview imports only src/protocol/plots.ts.',
        },
        { regex: '^(?![./]|preact(/|$)|uplot(/|$))', message: 'The webview bundles only preact and uplot.' },
      ],
    }),
  },
  prettier,
);
