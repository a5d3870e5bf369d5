import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // web/src/**/*.test.tsx are the web app's component tests (each file opts into happy-dom).
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts', 'web/src/**/*.test.{ts,tsx}'],
    // Load tests saturate the machine on purpose: they run on their own (npm run test:load), so the
    // files running beside them are not slowed down.
    // The fault suite (test/faults/) kills instances and restarts databases: it runs on its own too
    // (npm run test:faults), on PostgreSQL.
    exclude: ['test/load/**', 'test/faults/**', '**/node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    // Component tests' waits (testing-library) get room for a loaded machine: see the file.
    setupFiles: ['test/support/dom-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Spawned servers and fresh databases make some files slow; report, do not fail, on slowness.
    slowTestThreshold: 5_000,
  },
});
