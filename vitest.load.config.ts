import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/** Load tests (test/load/): one file at a time, with the machine to themselves. */
export default defineConfig({
  ...base,
  test: { ...base.test, include: ['test/load/**/*.test.ts'], exclude: ['**/node_modules/**'], maxWorkers: 1 },
});
