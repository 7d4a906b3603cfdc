import { describe, expect, it } from 'vitest';
import { useRunnerKit } from '../runner/runner-kit.js';

describe('`run --budget-usd --budget-tokens --max-wall --max-depth --max-children --max-sessions`', () => {
  const kit = useRunnerKit();

  it('records the budget on the session it creates', async () => {
    const { url, api } = await kit().coordinator();
    const run = await kit().cli(['run', '-c', url, '-x', 'sh-echo', '--detach', '--json', '--budget-usd', '5', '--budget-tokens', '100000', '--max-wall', '10m',
      '--max-depth', '3', '--max-children', '4', '--max-sessions', '20', 'hello']);
    expect(run.code, run.stderr).toBe(0);
    const { session_id } = JSON.parse(run.stdout) as { session_id: string };
    expect((await api('GET', `/v1/sessions/${session_id}`)).body.budget).toEqual({ usd: 5, tokens: 100_000, wall_s: 600, max_depth: 3, max_children: 4, max_sessions: 20 });
    const show = await kit().cli(['sessions', 'show', session_id, '-c', url]);
    expect(show.stdout).toMatch(/^budget {6}usd 5, tokens 100000, wall_s 600, max_depth 3, max_children 4, max_sessions 20; left: usd \$5\.0000, tokens 100000, wall \S+, max_depth 3, max_children 4, max_sessions 19$/m);
  });

  it.each([
    [['--budget-usd', '-1'], '--budget-usd: "-1" is not an amount of US dollars (e.g. 5 or 0.25)'],
    [['--max-depth', 'deep'], '--max-depth: "deep" is not a whole number (0 to 1000)'],
    [['--max-wall', '0s'], '--max-wall: "0s" must be longer than 0'],
  ])('refuses %j with exit 2 and one line naming the flag, before submitting anything', async (flags, message) => {
    const { url, api } = await kit().coordinator();
    const run = await kit().cli(['run', '-c', url, '-x', 'sh-echo', ...flags, 'hello']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`agent-runner: ${message}\n`);
    expect((await api('GET', '/v1/sessions')).body.sessions).toEqual([]);
  });
});
