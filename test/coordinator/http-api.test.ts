import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, eventually, pollRun, registerRunner, startTestCoordinator } from './helpers.js';

/** Every endpoint with valid and malformed input, over real HTTP on 127.0.0.1 (SQLite). */
describe('coordinator HTTP API', () => {
  let t: Awaited<ReturnType<typeof startTestCoordinator>>;
  let api: Api;
  beforeAll(async () => {
    t = await startTestCoordinator('sqlite', { maxBodyBytes: 64 * 1024 });
    api = t.api;
  });
  afterAll(async () => t?.stop());

  const expectFieldError = (res: { status: number; body: any }, status: number, field: string) => {
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBeTypeOf('string');
    expect(res.body.error.message).toContain(field);
    return res.body.error;
  };

  it('GET /healthz and /metrics', async () => {
    expect(await api('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok', store: 'sqlite' } });
    const metrics = await api('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metrics.body).toContain('agent_coordinator_queue_depth');
  });

  it('unknown routes are 404 in the error shape', async () => {
    expect(await api('GET', '/v1/nope')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });

  it('agents: put, get, list, delete; bad blueprints name the field', async () => {
    const doc = { system_prompt: 'be brief', executor: 'test', tags: ['t'], model: 'm', timeout_s: 30, 'x-extra': { kept: 1 }, max_turns: 3,
      mcp_servers: { fs: { type: 'stdio', command: 'fs-server', extra_option: true } } };
    expect(await api('PUT', '/v1/agents/writer', doc)).toMatchObject({ status: 201, body: { name: 'writer', 'x-extra': { kept: 1 }, max_turns: 3 } });
    expect((await api('PUT', '/v1/agents/writer', doc)).status).toBe(200);
    const got = await api('GET', '/v1/agents/writer');
    expect(got).toMatchObject({ status: 200, body: { name: 'writer', model: 'm' } });
    const etag = got.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const fresh = await fetch(`${t.url}/v1/agents/writer`, { headers: { 'if-none-match': etag } });
    expect(fresh.status).toBe(304);
    expect((await fetch(`${t.url}/v1/agents/writer`, { headers: { 'if-none-match': '"stale"' } })).status).toBe(200);
    expect((await api('GET', '/v1/agents')).body.agents.map((a: any) => a.name)).toContain('writer');
    const bad = expectFieldError(await api('PUT', '/v1/agents/bad', { mcp_servers: { x: { type: 'http' } } }), 400, 'mcp_servers.x.url');
    expect(bad.details.issues[0].path).toBe('mcp_servers.x.url');
    expectFieldError(await api('PUT', '/v1/agents/bad', { timeout_s: -1 }), 400, 'timeout_s');
    expectFieldError(await api('PUT', '/v1/agents/bad', { name: 'other' }), 400, 'name');
    const typos = expectFieldError(await api('PUT', '/v1/agents/bad', { exectuor: 'test', timout_s: 5, team: 'docs', timeout_s: 'x' }), 400, 'exectuor');
    expect(typos.details.issues).toEqual([
      { path: 'timeout_s', message: 'timeout_s must be a whole number of seconds' },
      { path: 'exectuor', message: 'unknown field (did you mean "executor"?)' },
      { path: 'timout_s', message: 'unknown field (did you mean "timeout_s"?)' },
      { path: 'team', message: 'unknown field (a field of your own must start with "x-")' },
    ]);
    expect((await api('GET', '/v1/agents/bad')).status).toBe(404);
    expectFieldError(await api('PUT', '/v1/agents/b%20d', {}), 400, 'name');
    expect(await api('PUT', '/v1/agents/bad', '{nope')).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
    expect((await api('GET', '/v1/agents/missing')).status).toBe(404);
    expect(await api('GET', '/v1/agents/writr')).toMatchObject({ status: 404, body: { error: { code: 'not_found', message: 'no agent named "writr" (did you mean "writer"?)' } } });
    expect(await api('POST', '/v1/sessions', { agent: 'writr', prompt: 'p' })).toMatchObject({
      status: 422,
      body: { error: { message: 'agent: no agent named "writr" (did you mean "writer"?)' } },
    });
    expect((await api('DELETE', '/v1/agents/writer')).status).toBe(204);
    expect(await api('DELETE', '/v1/agents/writer')).toMatchObject({ status: 404, body: { error: { message: 'no agent named "writer"' } } });
  });

  it('agents carry an ETag: If-None-Match answers 304 until the blueprint changes; a claimed run names the version', async () => {
    const put = await api('PUT', '/v1/agents/tagged', { system_prompt: 'v1', executor: 'etag-exec' });
    const etag = put.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    const first = await api('GET', '/v1/agents/tagged');
    expect(first.headers.get('etag')).toBe(etag);
    const same = await fetch(`${t.url}/v1/agents/tagged`, { headers: { 'if-none-match': etag! } });
    expect(same.status).toBe(304);
    expect(await same.text()).toBe('');
    expect((await fetch(`${t.url}/v1/agents/tagged`, { headers: { 'if-none-match': `"other", W/${etag}` } })).status).toBe(304);
    await api('PUT', '/v1/agents/tagged', { system_prompt: 'v2', executor: 'etag-exec' });
    const changed = await fetch(`${t.url}/v1/agents/tagged`, { headers: { 'if-none-match': etag! } });
    expect(changed.status).toBe(200);
    const newEtag = changed.headers.get('etag');
    expect(newEtag).not.toBe(etag);
    expect(((await changed.json()) as any).system_prompt).toBe('v2');
    const runner = await registerRunner(api, ['etag-exec']);
    await api('POST', '/v1/sessions', { agent: 'tagged', prompt: 'go' });
    const claimed = await pollRun(api, runner);
    expect(claimed.invocation).toMatchObject({ agent: 'tagged', agent_etag: newEtag });
    expect(claimed.invocation.agent_blueprint).toBeUndefined();
  });

  it('POST /v1/sessions validates and answers 201 with ids; defaults come from the agent', async () => {
    await api('PUT', '/v1/agents/helper', { executor: 'test', tags: ['a'], timeout_s: 9 });
    const helperEtag = (await api('GET', '/v1/agents/helper')).headers.get('etag');
    const created = await api('POST', '/v1/sessions', { agent: 'helper', prompt: 'hi', project_dir: '/tmp' });
    expect(created).toMatchObject({ status: 201, body: { status: 'queued' } });
    expect(created.body.session_id).toMatch(/^ses_/);
    expect(created.body.run_id).toMatch(/^run_/);
    const session = await api('GET', `/v1/sessions/${created.body.session_id}`);
    expect(session.body).toMatchObject({ agent: 'helper', executor: 'test', tags: ['a'], timeout_s: 9, project_dir: '/tmp' });
    const runner = await registerRunner(api, ['test'], ['a']);
    const claimed = await pollRun(api, runner);
    expect(claimed.invocation).toMatchObject({ agent: 'helper', agent_etag: helperEtag, timeout_s: 9 });
    expectFieldError(await api('POST', '/v1/sessions', { agent: 'helper' }), 400, 'prompt');
    // Neither agent nor executor: the coordinator's default executor, decided now.
    const bare = await api('POST', '/v1/sessions', { prompt: 'x' });
    expect(bare.status).toBe(201);
    expect((await api('GET', `/v1/sessions/${bare.body.session_id}`)).body).toMatchObject({ agent: null, executor: 'claude-code' });
    expectFieldError(await api('POST', '/v1/sessions', { prompt: 'x', executor: 'test', priority: 1.5 }), 400, 'priority');
    expectFieldError(await api('POST', '/v1/sessions', { prompt: 'x', executor: 'test', tags: 'a' }), 400, 'tags');
    expectFieldError(await api('POST', '/v1/sessions', { prompt: 'x', executor: 'test', promt: 1 }), 400, 'promt');
    expectFieldError(await api('POST', '/v1/sessions', { prompt: 'x', agent: 'ghost' }), 422, 'agent');
    expectFieldError(await api('POST', '/v1/sessions', { prompt: 'x', executor: 't', parent_session_id: 'ses_no' }), 422, 'parent_session_id');
    expect((await api('POST', '/v1/sessions', 'x'.repeat(70 * 1024))).status).toBe(413);
  });

  it('a body over the limit is refused by its Content-Length, and a chunked one (no length) as it is read', async () => {
    // A stream body is sent chunked, without Content-Length: only counting it as it arrives can refuse it.
    const chunked = (text: string) =>
      fetch(`${t.url}/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new Blob([text]).stream(),
        duplex: 'half',
      } as RequestInit);
    const big = await chunked(JSON.stringify({ executor: 'test', prompt: 'x'.repeat(70 * 1024) }));
    expect(big.status).toBe(413);
    expect(((await big.json()) as any).error.code).toBe('payload_too_large');
    const small = await chunked(JSON.stringify({ executor: 'test', prompt: 'chunked' }));
    expect(small.status).toBe(201);
    const sized = await api('POST', '/v1/sessions', { executor: 'test', prompt: 'y'.repeat(70 * 1024) });
    expect(sized).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large', details: { max_bytes: 64 * 1024 } } } });
  });

  it('GET /v1/sessions filters and pages with a cursor; bad queries name the field', async () => {
    const parent = (await api('POST', '/v1/sessions', { executor: 'e', prompt: 'p' })).body.session_id;
    for (let i = 0; i < 3; i++) await api('POST', '/v1/sessions', { executor: 'e', prompt: `c${i}`, parent_session_id: parent });
    const page1 = await api('GET', `/v1/sessions?parent=${parent}&limit=2`);
    expect(page1.body.sessions).toHaveLength(2);
    const page2 = await api('GET', `/v1/sessions?parent=${parent}&limit=2&cursor=${page1.body.next_cursor}`);
    expect(page2.body.sessions).toHaveLength(1);
    expect(page2.body.next_cursor).toBeNull();
    expect((await api('GET', '/v1/sessions?status=queued&agent=helper')).body.sessions.length).toBeGreaterThan(0);
    expectFieldError(await api('GET', '/v1/sessions?status=sleeping'), 400, 'status');
    expectFieldError(await api('GET', '/v1/sessions?limit=0'), 400, 'limit');
    expectFieldError(await api('GET', '/v1/sessions?cursor=zzz'), 400, 'cursor');
    expectFieldError(await api('GET', '/v1/sessions?colour=red'), 400, 'colour');
    expect((await api('GET', '/v1/sessions/ses_missing')).status).toBe(404);
  });

  it('the runner protocol: register, poll, started, events, finished, heartbeat, deregister', async () => {
    expectFieldError(await api('POST', '/v1/runners', { executors: 'test' }), 400, 'executors');
    const runner = await registerRunner(api, ['proto'], ['x']);
    expect(runner).toMatchObject({ lease_ms: expect.any(Number), heartbeat_interval_ms: expect.any(Number), poll_timeout_ms: expect.any(Number) });
    const { session_id } = (await api('POST', '/v1/sessions', { executor: 'proto', prompt: 'go', tags: ['x'] })).body;
    const claimed = await pollRun(api, runner);
    expect(claimed.invocation).toMatchObject({ mode: 'start', session_id, prompt: 'go', metadata: { attempt: 1, runner_id: runner.runner_id } });
    const runId = claimed.run.run_id;
    const auth = runner.token;
    expect((await api('POST', `/v1/runners/${runner.runner_id}/next-run`, { timeout_ms: 0 })).status).toBe(401);
    expect((await api('POST', `/v1/runners/${runner.runner_id}/next-run`, { timeout_ms: 0 }, 'rnr_x.bad')).status).toBe(401);
    expectFieldError(await api('POST', `/v1/runners/${runner.runner_id}/next-run`, { timeout_ms: -1 }, auth), 400, 'timeout_ms');
    expect((await api('POST', `/v1/runs/${runId}/started`, {}, auth)).body.status).toBe('running');
    expectFieldError(await api('POST', `/v1/runs/${runId}/events`, { events: [{ seq: 1, event: { type: 'nope' } }] }, auth), 400, 'events[0].event.type');
    expectFieldError(await api('POST', `/v1/runs/${runId}/events`, { events: [{ seq: 2, event: { type: 'log', message: 'a' } }, { seq: 1, event: { type: 'log', message: 'b' } }] }, auth), 400, 'events[1].seq');
    expectFieldError(await api('POST', `/v1/runs/${runId}/events`, { events: [] }, auth), 400, 'events');
    const batch = { events: [{ seq: 1, event: { type: 'message', role: 'assistant', text: 'hi' } }, { seq: 2, event: { type: 'result', result_text: 'ok' } }] };
    expect((await api('POST', `/v1/runs/${runId}/events`, batch, auth)).body).toMatchObject({ accepted: 2, duplicates: 0, last_seq: 2 });
    expect((await api('POST', `/v1/runs/${runId}/events`, batch, auth)).body).toMatchObject({ accepted: 0, duplicates: 2, last_seq: 2 });
    const all = await api('GET', `/v1/sessions/${session_id}/events`);
    expect(all.body.events.map((e: any) => [e.seq, e.type, e.event.status ?? e.event.type])).toEqual([
      [1, 'run_status', 'queued'], [2, 'run_status', 'claimed'], [3, 'run_status', 'running'], [4, 'message', 'message'], [5, 'result', 'result'],
    ]);
    const page = await api('GET', `/v1/sessions/${session_id}/events?after=4`);
    expect(page.body.events.map((e: any) => e.event.type)).toEqual(['result']);
    expectFieldError(await api('GET', `/v1/sessions/${session_id}/events?after=-2`), 400, 'after');
    expectFieldError(await api('POST', `/v1/runs/${runId}/finished`, { kind: 'great', message: '' }, auth), 400, 'kind');
    expect((await api('POST', `/v1/runs/${runId}/finished`, { kind: 'succeeded', message: 'succeeded', exit_code: 0 }, auth)).body.status).toBe('succeeded');
    const illegal = await api('POST', `/v1/runs/${runId}/started`, {}, auth);
    expect(illegal).toMatchObject({ status: 409, body: { error: { code: 'illegal_transition', details: { from: 'succeeded', to: 'running' } } } });
    expect(illegal.body.error.message).toContain('from succeeded to running');
    expect(await api('GET', `/v1/sessions/${session_id}/result`)).toMatchObject({ status: 200, body: { status: 'idle', result: { result_text: 'ok' } } });
    expect((await api('GET', `/v1/sessions/${session_id}/runs`)).body.runs).toHaveLength(1);
    expect((await api('GET', `/v1/runs?session_id=${session_id}`)).body.runs.map((r: any) => r.run_id)).toEqual([runId]);
    expectFieldError(await api('GET', '/v1/runs'), 400, 'session_id');
    expect((await api('GET', '/v1/sessions/ses_missing/runs')).status).toBe(404);
    expect((await api('GET', '/v1/sessions/ses_missing/events')).status).toBe(404);
    expect((await api('GET', `/v1/runs/${runId}`)).body.status).toBe('succeeded');
    expect((await api('GET', '/v1/runs/run_missing')).status).toBe(404);
    const hb = await api('POST', `/v1/runners/${runner.runner_id}/heartbeat`, { running: [runId] }, auth);
    expect(hb).toMatchObject({ status: 200, body: { stop: [runId] } }); // it no longer holds a finished run
    expectFieldError(await api('POST', `/v1/runners/${runner.runner_id}/heartbeat`, { running: 'x' }, auth), 400, 'running');
    const list = await api('GET', '/v1/runners');
    expect(list.body.runners.find((r: any) => r.runner_id === runner.runner_id)).toMatchObject({ status: 'online', executors: ['proto'] });
    expect((await api('DELETE', `/v1/runners/${runner.runner_id}`, undefined, auth)).status).toBe(204);
    expect((await api('POST', `/v1/runners/${runner.runner_id}/heartbeat`, {}, auth)).status).toBe(401);
  });

  it('a runner cannot report on runs it does not hold (403) nor act as another runner', async () => {
    const a = await registerRunner(api, ['own']);
    const b = await registerRunner(api, ['own']);
    await api('POST', '/v1/sessions', { executor: 'own', prompt: 'x' });
    const claimed = await pollRun(api, a);
    const res = await api('POST', `/v1/runs/${claimed.run.run_id}/started`, {}, b.token);
    expect(res).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect((await api('POST', `/v1/runners/${a.runner_id}/heartbeat`, {}, b.token)).status).toBe(403);
  });

  it('a stop request wakes the owning runner\'s parked long-poll at once', async () => {
    const runner = await registerRunner(api, ['wake']);
    const { session_id } = (await api('POST', '/v1/sessions', { executor: 'wake', prompt: 'x' })).body;
    const { run } = await pollRun(api, runner);
    // A poll timeout far beyond the test timeout: only the wake-up can answer it in time.
    const parked = pollRun(api, runner, 300_000);
    await eventually(async () => ((await api('GET', '/metrics')).body as string).includes('agent_coordinator_polls_waiting 1'));
    expect((await api('POST', `/v1/sessions/${session_id}/stop`)).status).toBe(202);
    expect(await parked).toMatchObject({ run: null, stop: [run.run_id] });
  });

  it('resume, stop and delete', async () => {
    const runner = await registerRunner(api, ['rs']);
    const { session_id } = (await api('POST', '/v1/sessions', { executor: 'rs', prompt: 'one' })).body;
    expectFieldError(await api('POST', `/v1/sessions/${session_id}/resume`, {}), 400, 'prompt');
    expect((await api('POST', `/v1/sessions/${session_id}/resume`, { prompt: 'two' })).status).toBe(409);
    expect((await api('DELETE', `/v1/sessions/${session_id}`)).status).toBe(409);
    const first = await pollRun(api, runner);
    await api('POST', `/v1/runs/${first.run.run_id}/events`, { events: [{ seq: 1, event: { type: 'bind', executor_session_id: 'claude-1' } }] }, runner.token);
    await api('POST', `/v1/runs/${first.run.run_id}/finished`, { kind: 'succeeded', message: 'ok' }, runner.token);
    const resumed = await api('POST', `/v1/sessions/${session_id}/resume`, { prompt: 'two' });
    expect(resumed).toMatchObject({ status: 201, body: { session_id, status: 'queued' } });
    const second = await pollRun(api, runner);
    expect(second.invocation).toMatchObject({ mode: 'resume', prompt: 'two', metadata: { executor_session_id: 'claude-1' } });
    const stop = await api('POST', `/v1/sessions/${session_id}/stop`);
    expect(stop).toMatchObject({ status: 202, body: { run: { stop_requested: true } } });
    expect((await pollRun(api, runner, 5_000)).stop).toEqual([second.run.run_id]); // the poll wakes for it
    expect((await api('POST', `/v1/runners/${runner.runner_id}/heartbeat`, {}, runner.token)).body.stop).toEqual([second.run.run_id]);
    await api('POST', `/v1/runs/${second.run.run_id}/finished`, { kind: 'cancelled', message: 'cancelled' }, runner.token);
    expect((await api('GET', `/v1/sessions/${session_id}`)).body.status).toBe('cancelled');
    expect(await api('DELETE', `/v1/sessions/${session_id}`)).toMatchObject({ status: 200, body: { session_id, deleted: 1 } });
    expect((await api('GET', `/v1/sessions/${session_id}`)).status).toBe(404);
    expect((await api('POST', '/v1/sessions/ses_gone/stop')).status).toBe(404);
    expect((await api('POST', '/v1/sessions/ses_gone/resume', { prompt: 'x' })).status).toBe(404);
    expect((await api('DELETE', '/v1/sessions/ses_gone')).status).toBe(404);
    expect((await api('GET', '/v1/sessions/ses_gone/result')).status).toBe(404);
  });
});
