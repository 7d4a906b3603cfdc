// The runner's blueprint cache, seen on the wire: a recording proxy sits between a real runner daemon and
// a real coordinator and counts the runner's `GET /v1/agents/<name>` requests. The claim names the
// blueprint's version (`agent_etag`), so an unchanged blueprint must cost no request at all (not even a
// 304 revalidation), and a changed one exactly one.
import { afterEach, describe, expect, it } from 'vitest';
import type { Api } from '../coordinator/helpers.js';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.js';
import { allEvents, createSession, useRunnerKit, waitForSession } from './runner-kit.js';

/** The invocation the report-env fixture received on stdin, from the session's result. */
async function invocationOf(api: Api, sessionId: string) {
  const session = await waitForSession(api, sessionId, ['idle', 'failed']);
  expect(session.status).toBe('idle');
  return JSON.parse((session.result!.result_data as { stdin: string }).stdin);
}

async function putAgent(api: Api, name: string, blueprint: Record<string, unknown>): Promise<string> {
  const res = await api('PUT', `/v1/agents/${name}`, { name, ...blueprint });
  expect([200, 201]).toContain(res.status);
  return res.headers.get('etag')!;
}

const isAgentGet = (name: string) => (r: { method: string; path: string }) => r.method === 'GET' && r.path.split('?')[0] === `/v1/agents/${name}/resolved`;

/** What the proxy saw of `GET /v1/agents/<name>/resolved`: status and If-None-Match of each. */
const agentGets = (proxy: RecordingProxy, name: string) =>
  proxy.requests.filter(isAgentGet(name)).map((r) => ({ status: r.status, ifNoneMatch: r.ifNoneMatch ?? null }));

/** Runs the runner reported finished through the proxy. */
const runReports = (proxy: RecordingProxy) => proxy.requests.filter((r) => r.method === 'POST' && /^\/v1\/runners\/[^/]+\/reports$/.test(r.path));

describe('the runner caches agent blueprints by version', () => {
  const kit = useRunnerKit();
  const proxies: RecordingProxy[] = [];
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  async function runnerBehindProxy(args: string[] = [], coordinatorArgs: string[] = []) {
    const { api, url } = await kit().coordinator({ args: coordinatorArgs });
    const proxy = await startRecordingProxy(url);
    proxies.push(proxy);
    return { api, proxy, start: () => kit().daemon(['-c', proxy.url, '-x', 'report-env', ...args]) };
  }

  it('fetches an unchanged blueprint once for three runs, and a changed one once more (200, revalidated by its old ETag)', async () => {
    const { api, proxy, start } = await runnerBehindProxy();
    const etag1 = await putAgent(api, 'steady', { system_prompt: 'version one' });
    await start();

    for (let i = 0; i < 3; i++) {
      const { session_id } = await createSession(api, { agent: 'steady', executor: 'report-env', prompt: `run ${i}` });
      expect((await invocationOf(api, session_id)).agent_blueprint.system_prompt).toBe('version one');
    }
    // The runner's traffic really went through the proxy: its run reports were sent through it.
    expect(runReports(proxy).length).toBeGreaterThanOrEqual(1);
    expect(agentGets(proxy, 'steady')).toEqual([{ status: 200, ifNoneMatch: null }]);

    const etag2 = await putAgent(api, 'steady', { system_prompt: 'version two', model: 'm2' });
    expect(etag2).not.toBe(etag1);
    const { session_id } = await createSession(api, { agent: 'steady', executor: 'report-env', prompt: 'run 4' });
    expect((await invocationOf(api, session_id)).agent_blueprint).toMatchObject({ name: 'steady', system_prompt: 'version two', model: 'm2' });
    expect(runReports(proxy).length).toBeGreaterThan(1);
    expect(agentGets(proxy, 'steady')).toEqual([
      { status: 200, ifNoneMatch: null },
      { status: 200, ifNoneMatch: etag1 },
    ]);
  });

  it('a failed blueprint fetch fails the attempt as an infrastructure failure and caches nothing: the retry fetches it again', async () => {
    const { api, proxy, start } = await runnerBehindProxy([], ['--backoff-base', '20ms']);
    await putAgent(api, 'flaky', { system_prompt: 'the real one' });
    proxy.failNext(isAgentGet('flaky'), 500, { error: { code: 'internal', message: 'injected by the test proxy' } });
    await start();

    const { session_id, run_id } = await createSession(api, { agent: 'flaky', executor: 'report-env', prompt: 'x' });
    expect((await invocationOf(api, session_id)).agent_blueprint.system_prompt).toBe('the real one');

    const run = (await api('GET', `/v1/runs/${run_id}`)).body;
    expect(run).toMatchObject({ status: 'succeeded', attempt: 2 });
    const events = (await api('GET', `/v1/sessions/${session_id}/events?limit=1000`)).body.events as Array<{ type: string; event: Record<string, unknown> }>;
    const retried = events.find((e) => e.type === 'run_status' && e.event.status === 'queued' && e.event.attempt === 2);
    expect(retried?.event).toMatchObject({ kind: 'infra_failed' });
    expect(retried?.event.message).toMatch(/agent "flaky": cannot fetch its blueprint \(injected by the test proxy\)/);
    expect(agentGets(proxy, 'flaky')).toEqual([
      { status: 500, ifNoneMatch: null },
      { status: 200, ifNoneMatch: null },
    ]);
  });

  // What a 200 answer of GET /v1/agents/<name> carries is validated before the runner keeps it (DESIGN §9:
  // every boundary validates). The proxy answers the first fetch with the agent's real ETag and a body
  // that is not a blueprint: kept, it would serve every later run while the agent is unchanged.
  it('a 200 answer that is not a blueprint is not cached (the run is retried, the next run fetches the real one)', async () => {
    const { api, proxy, start } = await runnerBehindProxy();
    const etag = await putAgent(api, 'garbled', { system_prompt: 'the real one' });
    proxy.failNext(isAgentGet('garbled'), 200, { nme: 'garbled' }, { etag });
    await start();

    const first = await createSession(api, { agent: 'garbled', executor: 'report-env', prompt: 'x' });
    expect((await waitForSession(api, first.session_id, ['idle', 'failed'])).status).toBe('idle');
    // Attempt 1 failed as an infrastructure failure naming the field; attempt 2 fetched the real one.
    const statuses = (await allEvents(api, first.session_id)).filter((e) => e.type === 'run_status').map((e) => [e.event.status, e.event.message]);
    expect(statuses).toContainEqual(['queued', expect.stringMatching(/agent "garbled": the coordinator's answer is not a valid blueprint \(name: /)]);
    expect((await api('GET', `/v1/runs/${first.run_id}`)).body).toMatchObject({ status: 'succeeded', attempt: 2 });
    const second = await createSession(api, { agent: 'garbled', executor: 'report-env', prompt: 'x' });
    expect((await invocationOf(api, second.session_id)).agent_blueprint.system_prompt).toBe('the real one');
  });

  it('an empty (null) 200 answer does not run the session without its agent', async () => {
    const { api, proxy, start } = await runnerBehindProxy();
    const etag = await putAgent(api, 'vanishing', { system_prompt: 'the real one' });
    proxy.failNext(isAgentGet('vanishing'), 200, null, { etag });
    await start();

    const { session_id, run_id } = await createSession(api, { agent: 'vanishing', executor: 'report-env', prompt: 'x' });
    // Unchecked, the run would succeed with the runner's stand-in ad-hoc blueprint instead of the agent's.
    const session = await waitForSession(api, session_id, ['idle', 'failed']);
    if (session.status === 'idle') {
      expect(JSON.parse((session.result!.result_data as { stdin: string }).stdin).agent_blueprint.name).toBe('vanishing');
    } else {
      expect((await api('GET', `/v1/runs/${run_id}`)).body.outcome.message).toMatch(/vanishing/);
    }
  });
});
