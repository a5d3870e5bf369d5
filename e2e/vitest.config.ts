import { defineConfig } from 'vitest/config';

// Browser journeys in real Chromium (playwright-core + /usr/bin/chromium). Run by `npm run test:e2e`.
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    passWithNoTests: true,
  },
});
