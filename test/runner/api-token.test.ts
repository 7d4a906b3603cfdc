import { describe, expect, it } from 'vitest';
import { apiClient } from '../coordinator/helpers.js';
import { createSession, useRunnerKit, waitForSession } from './runner-kit.js';

describe('a runner behind an API token', () => {
  const kit = useRunnerKit();

  it('registers, reads blueprints and serves its agents\' MCP tools with the API token (its own token reaches runner routes only)', async () => {
    const { url } = await kit().coordinator({ args: ['--api-token', 'sekret'] });
    const user = apiClient(url, 'sekret');
    expect((await user('PUT', '/v1/agents/driver', { name: 'driver', executor: 'mcp-driver' })).status).toBe(201);
    await kit().daemon(['-c', url, '-x', 'mcp-driver', '-x', 'test-executor'], { AGENT_COORDINATOR_TOKEN: 'sekret' });
    const steps = [
      { tool: 'start_agent_session', args: { prompt: 'child', executor: 'test-executor', mode: 'sync' } },
      { tool: 'list_agent_sessions', args: {} },
      { tool: 'list_agents', args: {} },
    ];
    const { session_id } = await createSession(user, { agent: 'driver', prompt: JSON.stringify({ steps }) });
    const parent = await waitForSession(user, session_id, ['idle', 'failed'], 60_000);
    expect(parent.status).toBe('idle');
    const calls = (parent.result!.result_data as { calls: Array<{ is_error: boolean; data: any }> }).calls;
    expect(calls.map((c) => c.is_error)).toEqual([false, false, false]);
    expect(calls[0]!.data).toMatchObject({ status: 'idle', parent_session_id: session_id, result: { result_text: 'Echo: child' } });
    expect(calls[1]!.data.sessions).toHaveLength(1);
    expect(calls[2]!.data.agents).toEqual([expect.objectContaining({ name: 'driver' })]);
  });
});
