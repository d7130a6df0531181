import { defineConfig } from 'vitest/config';

/** Browser tests (Chromium via playwright-core). Run after `nx run-many -t build -p checkout console`. */
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 90_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
