import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'protocol/**/*.test.ts', 'lib/**/*.test.ts', 'coordinator/**/*.test.ts', 'executors/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // A temp AGENT_RUNNER_STATE_DIR per test file, removed after it.
    setupFiles: ['test/helpers/state-dir-setup.ts'],
  },
});
