import { describe, expect, it } from 'vitest';
import type { Api } from '../coordinator/helpers.js';
import { createSession, useRunnerKit, waitForSession } from './runner-kit.js';

/** The invocation the report-env fixture received on stdin, from the session's result. */
async function invocationOf(api: Api, sessionId: string) {
  const session = await waitForSession(api, sessionId, ['idle', 'failed']);
  expect(session.status).toBe('idle');
  return JSON.parse((session.result!.result_data as { stdin: string }).stdin);
}

async function putAgent(api: Api, name: string, blueprint: Record<string, unknown>) {
  const res = await api('PUT', `/v1/agents/${name}`, { name, ...blueprint });
  expect([200, 201]).toContain(res.status);
}

describe('agent blueprints on the runner', () => {
  const kit = useRunnerKit();

  it('an ${env.NAME} not allowed fails the run, naming the placeholder and its JSON path; --blueprint-env allows it', async () => {
    const { api, url } = await kit().coordinator();
    await putAgent(api, 'leaky', {
      system_prompt: 'You are ${session.id}.',
      mcp_servers: { tools: { type: 'http', url: 'http://127.0.0.1:9/mcp', headers: { Authorization: 'Bearer ${env.SECRET}' } } },
    });
    const strict = await kit().daemon(['-c', url, '-x', 'report-env'], { SECRET: 's3cr3t' });
    const refused = await createSession(api, { agent: 'leaky', executor: 'report-env', prompt: 'x' });
    expect(await waitForSession(api, refused.session_id, ['idle', 'failed'])).toMatchObject({ status: 'failed' });
    const run = (await api('GET', `/v1/runs/${refused.run_id}`)).body;
    expect(run.outcome.kind).toBe('failed');
    expect(run.outcome.message).toContain('${env.SECRET}');
    expect(run.outcome.message).toContain('agent_blueprint.mcp_servers.tools.headers.Authorization');
    expect(run.outcome.message).toContain('--blueprint-env SECRET');
    strict.child.kill('SIGKILL');
    await strict.exited;

    await kit().daemon(['-c', url, '-x', 'report-env', '--blueprint-env', 'SECRET'], { SECRET: 's3cr3t' });
    const allowed = await createSession(api, { agent: 'leaky', executor: 'report-env', prompt: 'x' });
    const invocation = await invocationOf(api, allowed.session_id);
    expect(invocation.agent_blueprint.mcp_servers.tools.headers.Authorization).toBe('Bearer s3cr3t');
    expect(invocation.agent_blueprint.system_prompt).toBe(`You are ${allowed.session_id}.`);
  });

  it('an unknown placeholder fails the run with its path', async () => {
    const { api, url } = await kit().coordinator();
    await putAgent(api, 'typo', { system_prompt: 'ok', 'x-tools': ['a', 'see ${sesion.id}'] });
    await kit().daemon(['-c', url, '-x', 'report-env']);
    const { session_id, run_id } = await createSession(api, { agent: 'typo', executor: 'report-env', prompt: 'x' });
    await waitForSession(api, session_id, ['failed']);
    const { outcome } = (await api('GET', `/v1/runs/${run_id}`)).body;
    expect(outcome.message).toMatch(/agent_blueprint\.x-tools(\[1\]|\.1).*\$\{sesion\.id\} is not a known placeholder/);
  });

  it('a blueprint changed between two runs reaches the second run\'s executor (the cache is revalidated)', async () => {
    const { api, url } = await kit().coordinator();
    await putAgent(api, 'writer', { system_prompt: 'version one' });
    await kit().daemon(['-c', url, '-x', 'report-env']);

    const first = await createSession(api, { agent: 'writer', executor: 'report-env', prompt: 'x' });
    expect((await invocationOf(api, first.session_id)).agent_blueprint.system_prompt).toBe('version one');

    await putAgent(api, 'writer', { system_prompt: 'version two', model: 'm2' });
    const second = await createSession(api, { agent: 'writer', executor: 'report-env', prompt: 'x' });
    expect((await invocationOf(api, second.session_id)).agent_blueprint).toMatchObject({ system_prompt: 'version two', model: 'm2' });

    // Unchanged: still the latest version (served from the cache).
    const third = await createSession(api, { agent: 'writer', executor: 'report-env', prompt: 'x' });
    expect((await invocationOf(api, third.session_id)).agent_blueprint.system_prompt).toBe('version two');

    // Resumed sessions get the blueprint as it is now, too.
    await putAgent(api, 'writer', { system_prompt: 'version three' });
    const resumed = await api('POST', `/v1/sessions/${first.session_id}/resume`, { prompt: 'y' });
    expect(resumed.status).toBe(201);
    const after = await waitForSession(api, first.session_id, ['idle', 'failed']);
    expect(JSON.parse((after.result!.result_data as { stdin: string }).stdin).agent_blueprint.system_prompt).toBe('version three');
  });
});
