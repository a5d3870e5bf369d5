import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The fault suite (test/faults/): instances killed with SIGKILL, PostgreSQL restarted, upstreams that
 * time out or answer garbage, clients that stop reading. One file at a time, on PostgreSQL
 * (npm run test:faults sets TEST_DATABASE_URL when it is not set).
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/faults/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    maxWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
