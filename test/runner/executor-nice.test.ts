import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXECUTOR_NICE } from '../../lib/runner/runner-config.js';
import { createSession, useRunnerKit, waitForSession } from './runner-kit.js';

// The runner starts its executors below its own priority (--executor-nice, default 5), so executors that
// keep every core busy do not starve the process that supervises them (docs/runner.md).
describe('executors run below the runner\'s priority', () => {
  const kit = useRunnerKit();

  /** The nice level the report-env fixture ran at, through a daemon started with `args` and `env`. */
  async function niceOfRun(args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
    const { api, url } = await kit().coordinator();
    const daemon = await kit().daemon(['-c', url, '-x', 'report-env', ...args], env);
    const { session_id } = await createSession(api, { executor: 'report-env', prompt: 'x' });
    const session = await waitForSession(api, session_id, ['idle', 'failed']);
    expect(session.status).toBe('idle');
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    return (session.result!.result_data as { nice: number }).nice;
  }

  // The daemon runs at the test's priority (it inherits it).
  const below = (levels: number) => Math.min(19, getPriority() + levels);

  it('by default, DEFAULT_EXECUTOR_NICE (5) levels below', async () => {
    expect(await niceOfRun([])).toBe(below(DEFAULT_EXECUTOR_NICE));
  });

  it('--executor-nice N, else AGENT_RUNNER_EXECUTOR_NICE; 0 runs them at the runner\'s own', async () => {
    expect(await niceOfRun(['--executor-nice', '0'], { AGENT_RUNNER_EXECUTOR_NICE: '9' })).toBe(below(0));
    expect(await niceOfRun([], { AGENT_RUNNER_EXECUTOR_NICE: '9' })).toBe(below(9));
  });

  it('refuses a value out of range, naming the flag', async () => {
    const { url } = await kit().coordinator();
    const daemon = await kit().daemon(['-c', url, '-x', 'report-env', '--executor-nice', '25'], {}, { waitForRegistration: false });
    expect((await daemon.exited).code).toBe(2);
    expect(daemon.stderr()).toContain('--executor-nice: 25 is out of range (0 to 19)');
  });
});
