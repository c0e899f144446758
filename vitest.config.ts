import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./testing/global-setup.ts'],
    include: ['packages/*/src/**/*.test.ts', 'server/src/**/*.test.ts', 'worker/src/**/*.test.ts', 'tests/**/*.test.ts', 'web/src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
