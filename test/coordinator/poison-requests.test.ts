import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, pollRun, registerRunner, STORE_KINDS, type StoreKind, startTestCoordinator } from './helpers.js';

const NUL = '\u0000';
/** JSON text of `depth` nested arrays (sent as text: JSON.stringify itself overflows at such depths). */
const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
/** `field` of a refused request: a 400 whose message names it. */
const refusal = (res: { status: number; body: any }) => ({ status: res.status, message: String(res.body?.error?.message ?? res.body) });

// Issue 11, items 9–12 at the HTTP API: deep nesting, NUL, numbers beyond their maximum and relative
// folders are refused with a 400 naming the field, and both stores answer alike (PostgreSQL answered 500).
describe.each(STORE_KINDS)('poison requests (%s)', (kind: StoreKind) => {
  let api: Api;
  let stop: () => Promise<void>;
  let sessionId: string;
  let runner: { runner_id: string; token: string };
  let runId: string;

  beforeAll(async () => {
    ({ api, stop } = await startTestCoordinator(kind));
    runner = await registerRunner(api, ['test']);
    const created = await api('POST', '/v1/sessions', { executor: 'test', prompt: 'hi' });
    sessionId = created.body.session_id;
    runId = (await pollRun(api, runner)).run.run_id;
  });
  afterAll(() => stop());

  const bodies: Array<[string, string, string, Record<string, unknown>, string]> = [
    ['POST', '/v1/sessions', 'prompt', { executor: 'test', prompt: `a${NUL}` }, 'prompt'],
    ['POST', '/v1/sessions', 'agent', { agent: `a${NUL}`, prompt: 'p' }, 'agent'],
    ['POST', '/v1/sessions', 'executor', { executor: `t${NUL}`, prompt: 'p' }, 'executor'],
    ['POST', '/v1/sessions', 'tags', { executor: 'test', prompt: 'p', tags: ['ok', `t${NUL}`] }, 'tags[1]'],
    ['POST', '/v1/sessions', 'project_dir', { executor: 'test', prompt: 'p', project_dir: `/tmp/${NUL}` }, 'project_dir'],
    ['POST', '/v1/sessions', 'parent_session_id', { executor: 'test', prompt: 'p', parent_session_id: `ses_${NUL}` }, 'parent_session_id'],
    ['POST', '/v1/sessions', 'callback_session_id', { executor: 'test', prompt: 'p', callback_session_id: `ses_${NUL}` }, 'callback_session_id'],
    ['POST', '/v1/runners', 'name', { executors: ['test'], name: `r${NUL}` }, 'name'],
    ['POST', '/v1/runners', 'hostname', { executors: ['test'], hostname: `h${NUL}` }, 'hostname'],
    ['POST', '/v1/runners', 'executors', { executors: [`t${NUL}`] }, 'executors[0]'],
    ['POST', '/v1/runners', 'metadata value', { executors: ['test'], metadata: { os: `l${NUL}` } }, 'metadata.os'],
    ['POST', '/v1/runners', 'metadata key', { executors: ['test'], metadata: { [`k${NUL}`]: 1 } }, 'metadata.k'],
    ['PUT', '/v1/agents/helper', 'system_prompt', { system_prompt: `s${NUL}` }, 'system_prompt'],
    ['PUT', '/v1/agents/helper', 'unknown field', { executor: 'test', notes: { x: [`n${NUL}`] } }, 'notes.x[0]'],
  ];

  it.each(bodies)('%s %s: NUL in %s is a 400 naming it', async (method, path, _what, body, field) => {
    const res = refusal(await api(method, path, body));
    expect(res.status).toBe(400);
    expect(res.message).toContain(field);
    expect(res.message).toContain('NUL');
  });

  it('NUL in a resume prompt, a heartbeat and the query or path of any route is a 400 naming it', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', `/v1/sessions/${sessionId}/resume`, { prompt: `r${NUL}` }, 'prompt'],
      ['GET', `/v1/sessions?parent=ses_%00`, undefined, 'parent'],
      ['GET', `/v1/sessions?agent=a%00`, undefined, 'agent'],
      ['GET', `/v1/sessions?cursor=c%00`, undefined, 'cursor'],
      ['GET', `/v1/runs?session_id=ses_%00`, undefined, 'session_id'],
      ['GET', `/v1/sessions/${sessionId}/events?after=1%00`, undefined, 'after'],
      ['GET', '/v1/sessions/ses_%00', undefined, 'path'],
      ['GET', '/v1/sessions/ses_%00/events', undefined, 'path'],
      ['POST', '/v1/sessions/ses_%00/stop', {}, 'path'],
      ['GET', '/v1/agents/a%00', undefined, 'path'],
      ['PUT', '/v1/agents/a%00', { executor: 'test' }, 'path'],
      ['GET', '/v1/runs/run_%00', undefined, 'path'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = refusal(await api(method, path, body));
      expect({ path, ...res }).toMatchObject({ path, status: 400, message: expect.stringContaining(field) });
    }
    const heartbeat = await api('POST', `/v1/runners/${runner.runner_id}/heartbeat`, { running: [`run_${NUL}`] }, runner.token);
    expect(refusal(heartbeat)).toMatchObject({ status: 400, message: expect.stringContaining('running[0]') });
  });

  it('executor output with NUL is stored with U+FFFD, in one batch with the rest', async () => {
    const events = [
      { seq: 1, event: { type: 'bind', executor_session_id: `conv${NUL}1` } },
      { seq: 2, event: { type: 'message', role: 'assistant', text: `a${NUL}b` } },
    ];
    expect((await api('POST', `/v1/runs/${runId}/events`, { events }, runner.token)).status).toBe(200);
    const stored = await api('GET', `/v1/sessions/${sessionId}/events`);
    const texts = stored.body.events.filter((e: any) => e.type === 'message').map((e: any) => e.event.text);
    expect(texts).toEqual(['a\uFFFDb']);
  });

  it('nesting deeper than 64 levels is a 400 naming the field (agents, runner metadata, events)', async () => {
    const agent = refusal(await api('PUT', '/v1/agents/deep', `{"executor":"test","x-extra":${deep(6000)}}`));
    expect(agent).toMatchObject({ status: 400, message: expect.stringContaining(`x-extra${'[0]'.repeat(63)}: nested deeper than 64 levels`) });
    const register = refusal(await api('POST', '/v1/runners', `{"executors":["test"],"metadata":{"m":${deep(6000)}}}`));
    expect(register).toMatchObject({ status: 400, message: expect.stringContaining('metadata.m[0]') });
    const events = `{"events":[{"seq":3,"event":{"type":"message","role":"assistant","text":"x","nested":${deep(6000)}}}]}`;
    const batch = refusal(await api('POST', `/v1/runs/${runId}/events`, events, runner.token));
    expect(batch).toMatchObject({ status: 400, message: expect.stringContaining('events[0].event.nested[0]') });
    // At the limit is fine.
    expect((await api('PUT', '/v1/agents/deep', `{"executor":"test","x-extra":${deep(63)}}`)).status).toBe(201);
  });

  it('timeout_s beyond 7 days and a relative project_dir are 400s naming the field', async () => {
    const tooLong = 604_801;
    for (const [method, path, body] of [
      ['POST', '/v1/sessions', { executor: 'test', prompt: 'p', timeout_s: 2_147_484 }],
      ['POST', '/v1/sessions', { executor: 'test', prompt: 'p', timeout_s: tooLong }],
      ['POST', `/v1/sessions/${sessionId}/resume`, { prompt: 'p', timeout_s: tooLong }],
      ['PUT', '/v1/agents/long', { executor: 'test', timeout_s: tooLong }],
    ] as const) {
      expect(refusal(await api(method, path, body))).toEqual({ status: 400, message: expect.stringContaining('timeout_s must be at most 604800') });
    }
    expect((await api('POST', '/v1/sessions', { executor: 'test', prompt: 'p', timeout_s: 604_800 })).status).toBe(201);
    const relative = refusal(await api('POST', '/v1/sessions', { executor: 'test', prompt: 'p', project_dir: '../../../../etc' }));
    expect(relative).toEqual({ status: 400, message: expect.stringContaining('project_dir: project_dir must be an absolute path') });
  });
});
