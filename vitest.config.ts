import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start real Asterisk instances; two cores only.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
