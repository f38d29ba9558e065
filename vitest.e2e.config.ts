import { defineConfig } from 'vitest/config'

/** Browser tests: the built app (`npm run build` first, as `npm run test:e2e` does), one file at a time. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
})
