import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAKE_CLAUDE, isolatedEnv, TEST_EXECUTOR_ENV } from '../claude-code/helpers/run-executor.js';
import { createSession, useRunnerKit, waitForEvent, waitForSession } from './runner-kit.js';

// Usage counted right with real processes: a coordinator process, two runners (one per fake-claude
// scenario, told apart by tag) running the claude-code executor against the fake `claude`, and the
// test-executor. The fake claude's cost is cumulative over a Claude session, as the real CLI's is.
describe('usage of real runs: summed over runs, cancelled ones included, executor-session costs once', { timeout: 180_000 }, () => {
  const kit = useRunnerKit();

  /** A runner of the claude-code executor whose fake claude plays `scenario`, serving runs tagged with it. */
  async function claudeRunner(url: string, scenario: string) {
    const home = kit().tempDir();
    const env = isolatedEnv(home, {
      CLAUDE_CODE_EXECUTABLE: FAKE_CLAUDE,
      FAKE_CLAUDE_SCENARIO: scenario,
      FAKE_CLAUDE_STATE_DIR: join(kit().dir),
      AGENT_RUNNER_EXECUTOR_ENV: TEST_EXECUTOR_ENV.join(','),
    });
    return kit().daemon(['-c', url, '-x', 'claude-code', '--tags', scenario], env);
  }

  it('a Claude session resumed twice costs its last cumulative figure; a cancelled child\'s tokens count in its tree', async () => {
    const { url, api } = await kit().coordinator();
    await claudeRunner(url, 'ok');
    await claudeRunner(url, 'work_then_hang');
    await kit().daemon(['-c', url, '-x', 'test-executor']);

    const project = kit().tempDir();
    const root = await createSession(api, { executor: 'claude-code', tags: ['ok'], project_dir: project, prompt: 'start' });
    await waitForSession(api, root.session_id, ['idle']);
    for (const prompt of ['again', 'and again']) {
      const res = await api('POST', `/v1/sessions/${root.session_id}/resume`, { prompt });
      expect(res.status).toBe(201);
      await waitForSession(api, root.session_id, ['idle']);
    }
    const runs = (await api('GET', `/v1/sessions/${root.session_id}/runs`)).body.runs as Array<{ status: string; usage: Record<string, number> }>;
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // Each run counted its own part of Claude's cumulative figure.
    expect(runs.map((r) => [r.usage.cost_base_usd, r.usage.executor_session_cost_usd])).toEqual([[0, 0.0125], [0.0125, 0.025], [0.025, 0.0375]]);
    for (const r of runs) expect(r.usage.cost_usd).toBeCloseTo(0.0125, 9);
    let view = (await api('GET', `/v1/sessions/${root.session_id}`)).body;
    // The fake claude costs 0.0125 a turn and reports the Claude session's total: 0.0125, 0.025, 0.0375.
    expect(view.usage).toMatchObject({ cost_usd: 0.0375, cost_scope: 'executor_session' });
    expect(view.totals).toMatchObject({ input_tokens: 30, output_tokens: 9, cache_read_input_tokens: 6 });
    expect(view.totals.cost_usd).toBeCloseTo(0.0375, 9);

    // A child whose Claude works, then is stopped before its result: the tokens it used so far count.
    const child = await createSession(api, { executor: 'claude-code', tags: ['work_then_hang'], project_dir: project, prompt: 'work', parent_session_id: root.session_id });
    await waitForEvent(api, child.session_id, (e) => e.type === 'message' && e.event.text === 'Still working.');
    expect((await api('POST', `/v1/sessions/${child.session_id}/stop`, {})).status).toBeLessThan(300);
    const stopped = await waitForSession(api, child.session_id, ['cancelled']);
    expect(stopped.totals).toEqual({ input_tokens: 20, output_tokens: 6, cache_read_input_tokens: 4, cache_creation_input_tokens: 0, cost_usd: 0 });
    // And a test-executor grandchild under it.
    const grandchild = await createSession(api, { executor: 'test-executor', prompt: 'leaf', parent_session_id: child.session_id });
    const leaf = await waitForSession(api, grandchild.session_id, ['idle']);
    expect(leaf.totals).toMatchObject({ input_tokens: 4, output_tokens: 10 });

    view = (await api('GET', `/v1/sessions/${root.session_id}`)).body;
    expect(view.tree_totals).toMatchObject({ input_tokens: 30 + 20 + 4, output_tokens: 9 + 6 + 10, cache_read_input_tokens: 10 });
    expect(view.tree_totals.cost_usd).toBeCloseTo(0.0375, 9);
    expect((await api('GET', `/v1/sessions/${child.session_id}`)).body.tree_totals).toMatchObject({ input_tokens: 24, output_tokens: 16 });

    const usage = (await api('GET', '/v1/usage')).body;
    const executor = (name: string) => usage.executors.find((e: { name: string }) => e.name === name);
    expect(executor('claude-code')).toMatchObject({ runs: 4, input_tokens: 50, output_tokens: 15 });
    expect(executor('test-executor')).toMatchObject({ runs: 1, input_tokens: 4, output_tokens: 10 });
    expect(usage.agents).toEqual([expect.objectContaining({ name: null, runs: 5, input_tokens: 54 })]);
    expect(usage.total).toMatchObject({ runs: 5, input_tokens: 54, output_tokens: 25 });

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('agent_coordinator_tokens_total{executor="claude-code",kind="input"} 50');
    expect(metrics).toContain('agent_coordinator_tokens_total{agent="",kind="output"} 25');
    expect(metrics).toMatch(/^agent_coordinator_cost_usd_total\{executor="claude-code"\} 0\.037\d*$/m);
  });
});
