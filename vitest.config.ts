import { defineConfig } from 'vitest/config';

// Node loads the CA bundle NODE_EXTRA_CA_CERTS names at every start, before any code: ~90 ms of each of the
// many Node processes of a run (the test workers, and the CLIs, runners, coordinators and fake claude they
// start, all inheriting this environment). No test reaches a TLS server that needs it (a TLS test gives its own CA).
delete process.env.NODE_EXTRA_CA_CERTS;

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
