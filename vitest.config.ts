import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'protocol/**/*.test.ts', 'lib/**/*.test.ts', 'coordinator/**/*.test.ts', 'executors/**/*.test.ts'],
    // Tests wait on events (test/helpers/fixtures.ts WAIT_MS, 30 s each), never on sleeps: a budget of two
    // such waits lets a busy machine finish and costs a quiet one nothing. Bigger work sets its own.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most of the suite waits on processes, sockets and databases rather than computing, and vitest's
    // default on two cores is one file at a time (cores - 1): four files at once took the quiet suite
    // from ~7.5 min to ~3. Files are independent (own state folder, own local port, own temp databases).
    maxWorkers: 4,
    // A temp AGENT_RUNNER_STATE_DIR per test file, removed after it.
    setupFiles: ['test/helpers/state-dir-setup.ts'],
  },
});
