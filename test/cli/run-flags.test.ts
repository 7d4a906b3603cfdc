import { describe, expect, it } from 'vitest';
import { type RunnerKit, useRunnerKit } from '../runner/runner-kit.js';

describe('`run --timeout --priority --max-attempts --tags` (issue 12)', () => {
  const kit = useRunnerKit();

  /** `run --detach --json` against a coordinator no runner serves: the session and run as created. */
  async function created(k: RunnerKit, url: string, flags: string[]) {
    const run = await k.cli(['run', '-c', url, '-x', 'sh-echo', '--detach', '--json', ...flags, 'hello']);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as { session_id: string; run_id: string };
  }

  it('records what the flags ask for on the session and its run', async () => {
    const { url, api } = await kit().coordinator();
    const { session_id, run_id } = await created(kit(), url, ['--timeout', '1m30s', '--priority', '-5', '--max-attempts', '1', '--tags', 'gpu,linux']);
    expect((await api('GET', `/v1/sessions/${session_id}`)).body).toMatchObject({ timeout_s: 90, priority: -5, tags: ['gpu', 'linux'] });
    expect((await api('GET', `/v1/runs/${run_id}`)).body).toMatchObject({ timeout_s: 90, priority: -5, max_attempts: 1, tags: ['gpu', 'linux'] });
    const rounded = await created(kit(), url, ['--timeout=1500ms', '--priority=1000', '--max-attempts=20']);
    expect((await api('GET', `/v1/runs/${rounded.run_id}`)).body).toMatchObject({ timeout_s: 2, priority: 1000, max_attempts: 20 });
  });

  it.each([
    [['--priority', 'abc'], '--priority: "abc" is not a whole number (-1000 to 1000)'],
    [['--priority', '2000'], '--priority: 2000 is out of range (-1000 to 1000)'],
    [['--max-attempts', '0'], '--max-attempts: 0 is out of range (1 to 20)'],
    [['--max-attempts', '1.5'], '--max-attempts: "1.5" is not a whole number (1 to 20)'],
    [['--timeout', '5x'], '--timeout: "5x" is not a duration (use e.g. 500ms, 30s, 5m, 1h30m)'],
    [['--timeout', '0'], '--timeout: "0" must be longer than 0'],
    [['--timeout', '999h'], '--timeout: "999h" is longer than the most allowed, 7d (168h)'],
    [['--tags', ' , '], '--tags: " , " names no tag (give e.g. --tags gpu,linux)'],
  ])('refuses %j with exit 2 and one line naming the flag, before submitting anything', async (flags, message) => {
    const { url, api } = await kit().coordinator();
    const run = await kit().cli(['run', '-c', url, '-x', 'sh-echo', ...flags, 'hello']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`agent-runner: ${message}\n`);
    expect(run.stdout).toBe('');
    expect((await api('GET', '/v1/sessions')).body.sessions).toEqual([]);
  });
});
