import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoordinatorError } from '../../lib/client/coordinator-error.js';
import { followRun } from '../../lib/client/follow-session.js';
import { RunnerApi } from '../../lib/client/runner-api.js';
import { UserApi } from '../../lib/client/user-api.js';
import type { SessionEvent } from '../../protocol/events.js';
import { startTestCoordinator } from '../coordinator/helpers.js';

// The clients parse every reply with the protocol/ schemas: a real coordinator's replies pass (a reply
// that did not would throw invalid_reply here), and a malformed one is refused naming the field.
describe('coordinator replies, as the clients parse them', () => {
  let stack: Awaited<ReturnType<typeof startTestCoordinator>>;
  let user: UserApi;
  let runner: RunnerApi;

  beforeAll(async () => {
    stack = await startTestCoordinator('sqlite');
    user = new UserApi(stack.url);
    runner = new RunnerApi(stack.url);
  });
  afterAll(async () => {
    await user?.close();
    await runner?.close();
    await stack?.stop();
  });

  it('parses every endpoint the user and runner clients call, through a run from start to resume and stop', async () => {
    expect(await user.healthy()).toBe(true);
    expect((await stack.api('PUT', '/v1/agents/helper', { description: 'helps', executor: 'test', tags: ['a'] })).status).toBe(201);
    expect((await user.listAgents()).agents.map((a) => a.name)).toEqual(['helper']);

    const registration = await runner.register({ executors: ['test'], tags: ['a'], capacity: 2 });
    expect(registration.runner_id).toMatch(/^rnr_/);

    const started = await user.createSession({ agent: 'helper', prompt: 'hello' });
    expect((await user.getSession(started.session_id)).status).toBe('queued');
    expect((await user.listSessions({ limit: 5 })).sessions.map((s) => s.session_id)).toEqual([started.session_id]);

    const poll = await runner.nextRun(2);
    expect(poll.runs.map((a) => a.run.run_id)).toEqual([started.run_id]);
    const assignment = poll.runs[0]!;
    expect(assignment.invocation.agent).toBe('helper');

    const fetched = await runner.agent('helper');
    expect(fetched?.blueprint).toMatchObject({ name: 'helper' });
    expect(await runner.agent('helper', fetched!.etag)).toBeNull();
    expect(await runner.heartbeat([started.run_id])).toMatchObject({ stop: [] });

    const results = await runner.reports([
      {
        run_id: started.run_id,
        attempt: assignment.run.attempt,
        started: { pid: 1 },
        events: [{ seq: 1, event: { type: 'message', role: 'assistant', text: 'hi there' } }],
        finished: { kind: 'succeeded', message: 'succeeded', exit_code: 0, result: { type: 'result', result_text: 'done' } },
      },
    ]);
    expect(results).toEqual([expect.objectContaining({ run_id: started.run_id, status: 'succeeded', accepted: 1 })]);

    const seen: SessionEvent[] = [];
    expect(await followRun(user, started.session_id, started.run_id, 0, new AbortController().signal, (e) => seen.push(e))).toBe(true);
    expect(seen.map((e) => e.type)).toEqual(['run_status', 'run_status', 'run_status', 'message', 'run_status']);
    expect((await user.eventsPage(started.session_id)).events).toHaveLength(seen.length);
    expect(await user.getRun(started.run_id)).toMatchObject({ status: 'succeeded', outcome: { kind: 'succeeded' } });
    expect((await user.getSession(started.session_id)).result).toMatchObject({ result_text: 'done' });

    const resumed = await user.resumeSession(started.session_id, 'again');
    const stopped = await user.stopSession(resumed.session_id);
    expect(stopped.run.run_id).toBe(resumed.run_id);
    expect((await user.listRunners()).runners).toEqual([expect.objectContaining({ runner_id: registration.runner_id, slots_used: 0, capacity: 2 })]);
    expect(await user.getStatus()).toMatchObject({ runners: { online: 1 }, last_hour: { succeeded: 1, cancelled: 1 } });
    expect(await user.deleteSession(started.session_id)).toEqual({ session_id: started.session_id, deleted: 1 });
    expect(await user.pruneSessions({ older_than_s: 0 })).toEqual({ deleted: 0, more: false });
    await runner.deregister();
  });
});

/** A loopback HTTP server answering each `METHOD path` with the given body (JSON, or raw text for SSE). */
async function fakeCoordinator(answers: Record<string, { status?: number; json?: unknown; sse?: string }>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const answer = answers[`${req.method} ${req.url}`];
    if (answer === undefined) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not_found","message":"no"}}');
    if (answer.sse !== undefined) return void res.writeHead(200, { 'content-type': 'text/event-stream' }).end(answer.sse);
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(answer.json));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function refusal(call: Promise<unknown>): Promise<CoordinatorError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CoordinatorError);
  return error as CoordinatorError;
}

describe('a malformed reply', () => {
  let fake: Awaited<ReturnType<typeof fakeCoordinator>>;

  beforeAll(async () => {
    fake = await fakeCoordinator({
      'GET /v1/sessions/ses_1': { json: { session_id: 7, status: 'idle' } },
      'GET /v1/runs/run_1': { json: { run_id: 'run_1', status: 'finished' } },
      'POST /v1/runners': { status: 201, json: { runner_id: 'rnr_1', token: 't', heartbeat_interval_ms: '10s', lease_ms: 1, poll_timeout_ms: 1 } },
      'GET /v1/sessions/ses_2/events': { sse: 'id: 1\ndata: {"seq":"one","session_id":"ses_2"}\n\n' },
    });
  });
  afterAll(() => fake?.server.close());

  it('is refused with an error that names the call and the field, and is not retried', async () => {
    const user = new UserApi(fake.url);
    try {
      const error = await refusal(user.getSession('ses_1'));
      expect(error).toMatchObject({ code: 'invalid_reply', status: 200, retryable: false });
      expect(error.message).toContain('GET /v1/sessions/ses_1');
      expect(error.message).toContain('session_id:');
      const run = await refusal(user.getRun('run_1'));
      expect(run.message).toMatch(/status: .*succeeded/);
    } finally {
      await user.close();
    }
  });

  it('is refused on the runner side too (registration)', async () => {
    const runner = new RunnerApi(fake.url);
    try {
      const error = await refusal(runner.register({ executors: ['x'], tags: [], capacity: 1 }));
      expect(error).toMatchObject({ code: 'invalid_reply', status: 201, retryable: false });
      expect(error.message).toContain('heartbeat_interval_ms:');
      expect(runner.isRegistered).toBe(false);
    } finally {
      await runner.close();
    }
  });

  it('in an event stream ends the follow with the error naming the field', async () => {
    const user = new UserApi(fake.url);
    try {
      const follow = (async () => {
        for await (const event of user.followEvents('ses_2', 0, new AbortController().signal)) void event;
      })();
      const error = await refusal(follow);
      expect(error.code).toBe('invalid_reply');
      expect(error.message).toContain('seq:');
    } finally {
      await user.close();
    }
  });
});
