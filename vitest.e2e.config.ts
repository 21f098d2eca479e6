// The end-to-end suite (npm run test:e2e): a real VS Code workbench (code-server) driven through Chromium. Not part
// of `npm test`, whose config includes only test/**/*.test.ts. One fork, files in sequence: the scenarios share one
// server and browser, and each waits for conditions with its own timeouts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    teardownTimeout: 30_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    fileParallelism: false,
    sequence: { concurrent: false, shuffle: false },
    reporters: ['verbose'],
  },
});
