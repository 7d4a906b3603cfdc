import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'protocol/**/*.test.ts', 'lib/**/*.test.ts', 'coordinator/**/*.test.ts', 'executors/**/*.test.ts'],
    // Tests wait on events (test/helpers/fixtures.ts WAIT_MS, 30 s each), never on sleeps: a budget of two
    // such waits lets a busy machine finish and costs a quiet one nothing. Bigger work sets its own.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A temp AGENT_RUNNER_STATE_DIR per test file, removed after it.
    setupFiles: ['test/helpers/state-dir-setup.ts'],
  },
});
