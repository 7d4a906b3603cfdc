import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentFileError } from '../../coordinator/agents/load-agents-dir.js';
import { CoordinatorConfigError, startCoordinator } from '../../coordinator/start-coordinator.js';
import { apiClient, registerRunner, startTestCoordinator } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('API token', () => {
  it('protects the user API, refuses runner tokens there, and leaves runner endpoints to runner tokens', async () => {
    const t = await startTestCoordinator('sqlite', { apiToken: 'sekret' });
    cleanups.push(t.stop);
    const anonymous = apiClient(t.url);
    const user = apiClient(t.url, 'sekret');
    expect(await anonymous('GET', '/v1/sessions')).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect((await apiClient(t.url, 'wrong')('GET', '/v1/agents')).status).toBe(401);
    expect((await anonymous('POST', '/v1/runners', { executors: ['x'] })).status).toBe(401);
    expect((await anonymous('GET', '/v1/runners')).status).toBe(401);
    expect((await anonymous('GET', '/healthz')).status).toBe(200);
    expect((await user('GET', '/v1/sessions')).status).toBe(200);
    const runner = await registerRunner(user, ['x']);
    expect((await apiClient(t.url, runner.token)('GET', '/v1/agents')).status).toBe(403);
    expect((await apiClient(t.url, runner.token)('POST', `/v1/runners/${runner.runner_id}/heartbeat`, {})).status).toBe(200);
  });

  it('authenticates each runner route by its own middleware, and user routes under the same prefixes by the API token', async () => {
    const t = await startTestCoordinator('sqlite', { apiToken: 'sekret' });
    cleanups.push(t.stop);
    const user = apiClient(t.url, 'sekret');
    const a = await registerRunner(user, ['x']);
    const b = await registerRunner(user, ['x']);
    const asA = apiClient(t.url, a.token);
    const { run_id } = (await user('POST', '/v1/sessions', { prompt: 'hi', executor: 'x' })).body;
    // The API token is not a runner token: runner routes refuse it, with or without a runner in the path.
    expect(await user('POST', `/v1/runners/${a.runner_id}/heartbeat`, {})).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect((await user('POST', `/v1/runs/${run_id}/started`, {})).status).toBe(401);
    // A runner token names its runner: another runner's path is refused.
    expect(await asA('POST', `/v1/runners/${b.runner_id}/next-run`, { timeout_ms: 0 })).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect((await asA('POST', `/v1/runners/${a.runner_id}/next-run`, { timeout_ms: 0 })).body.run).toMatchObject({ run_id });
    expect((await asA('POST', `/v1/runs/${run_id}/started`, {})).body).toMatchObject({ run_id, status: 'running' });
    // GET /v1/runs/:id is the user API's, under the runner routes' /v1/runs/:id prefix.
    expect((await user('GET', `/v1/runs/${run_id}`)).body).toMatchObject({ run_id, status: 'running' });
    expect((await apiClient(t.url)('GET', `/v1/runs/${run_id}`)).status).toBe(401);
    expect((await user('DELETE', `/v1/runners/${a.runner_id}`)).status).toBe(401);
    expect((await asA('DELETE', `/v1/runners/${a.runner_id}`)).status).toBe(204);
  });

  it('is required to bind anything but loopback', async () => {
    await expect(startCoordinator({ host: '0.0.0.0', port: 0, databaseUrl: ':memory:', agentsDir: null })).rejects.toThrow(CoordinatorConfigError);
    await expect(startCoordinator({ host: '0.0.0.0', port: 0, databaseUrl: ':memory:', agentsDir: null })).rejects.toThrow(/--api-token/);
  });
});

describe('agents folder', () => {
  const folder = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'agents-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };

  it('loads every <name>.json at start, keeping x- fields', async () => {
    const dir = folder({ 'writer.json': JSON.stringify({ name: 'writer', system_prompt: 's', executor: 'test', 'x-custom': [1] }), 'notes.txt': 'x' });
    const t = await startTestCoordinator('sqlite', { agentsDir: dir });
    cleanups.push(t.stop);
    expect(await t.api('GET', '/v1/agents/writer')).toMatchObject({ status: 200, body: { executor: 'test', 'x-custom': [1] } });
  });

  it('starts without the bad blueprints, each listed as a problem naming the file and the field; an unreadable folder stops start-up', async () => {
    const dir = folder({
      'broken.json': JSON.stringify({ name: 'broken', mcp_servers: { web: { type: 'http' } } }),
      'a.json': JSON.stringify({ name: 'b' }),
      'c.json': '{',
      'good.json': JSON.stringify({ name: 'good', executor: 'test' }),
    });
    const t = await startTestCoordinator('sqlite', { agentsDir: dir });
    cleanups.push(t.stop);
    const list = (await t.api('GET', '/v1/agents')).body;
    expect(list.agents.map((a: { name: string }) => a.name)).toEqual(['good']);
    expect(list.problems.map((p: { file: string; message: string }) => `${p.file}: ${p.message}`)).toEqual([
      'a.json: name: is "b" but the file is named a.json (expected "a")',
      'broken.json: mcp_servers.web.url: url is required for a http MCP server',
      expect.stringMatching(/^c\.json: \(root\): not valid JSON/),
    ]);
    const error = await startCoordinator({ port: 0, databaseUrl: ':memory:', agentsDir: join(dir, 'missing') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentFileError);
    expect((error as Error).message).toMatch(/cannot read the agents folder .*missing: ENOENT/);
  });
});
