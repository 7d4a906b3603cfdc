import { describe, expect, it } from 'vitest';
import { createSession, useRunnerKit, waitForSession } from '../runner/runner-kit.js';

describe('blueprint approvals reach the executor', () => {
  const kit = useRunnerKit();

  it('the invocation\'s agent_blueprint carries approvals as stored', async () => {
    const { api, url } = await kit().coordinator();
    const approvals = { tools: ['Bash', 'Write', 'mcp__github__*'], timeout_s: 120, on_timeout: 'deny' };
    expect((await api('PUT', '/v1/agents/careful', { name: 'careful', approvals })).status).toBe(201);
    await kit().daemon(['-c', url, '-x', 'report-env']);
    const { session_id } = await createSession(api, { agent: 'careful', executor: 'report-env', prompt: 'x' });
    const session = await waitForSession(api, session_id, ['idle', 'failed']);
    expect(session.status).toBe('idle');
    const invocation = JSON.parse((session.result!.result_data as { stdin: string }).stdin);
    expect(invocation.agent_blueprint.approvals).toEqual(approvals);
  });
});
