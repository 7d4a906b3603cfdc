// GET /v1/questions?status=closed&order=recent: what the console's inbox shows as "recently answered"
// (the latest closed first, whoever closed it), and the query's refusals of malformed and hostile values.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Api, pollRun, registerRunner, startTestCoordinator, STORE_KINDS } from '../coordinator/helpers.js';

describe.each(STORE_KINDS)('listing questions by status closed, latest first (%s)', (kind) => {
  let api: Api;
  let stop: () => Promise<void>;
  let runner: { runner_id: string; token: string };

  beforeEach(async () => {
    ({ api, stop } = await startTestCoordinator(kind, { timings: { sweepIntervalMs: 50 } }));
    runner = await registerRunner(api, ['test']);
  });
  afterEach(async () => stop?.());

  async function runningSession() {
    const created = await api('POST', '/v1/sessions', { prompt: 'work', executor: 'test' });
    expect(created.status).toBe(201);
    await pollRun(api, runner);
    expect((await api('POST', `/v1/runs/${created.body.run_id}/started`, {}, runner.token)).status).toBe(200);
    return created.body as { session_id: string; run_id: string };
  }
  const ask = async (sessionId: string, body: unknown) => (await api('POST', `/v1/sessions/${sessionId}/questions`, body)).body.question.question_id as string;
  const answer = (qid: string, body: unknown) => api('POST', `/v1/questions/${qid}/answer`, body);
  const texts = (res: { body: { questions: { question: string }[] } }) => res.body.questions.map((q) => q.question);

  it('status=closed is every answered, timed out or cancelled one; order=recent puts the latest closed first', async () => {
    const s = await runningSession();
    const first = await ask(s.session_id, { question: 'First?' });
    const second = await ask(s.session_id, { question: 'Second?' });
    await ask(s.session_id, { question: 'Still open?' });
    // Answered in the other order than asked: the second one first.
    expect((await answer(second, { text: 'b', answered_by: 'bo' })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 5)); // two distinct answered_at milliseconds
    expect((await answer(first, { text: 'a', answered_by: 'al' })).status).toBe(200);
    // Asked after both answers, the sweeper closes it a second later: the latest closed.
    await ask(s.session_id, { question: 'Times out?', timeout_s: 1 });
    for (;;) {
      const closed = await api('GET', '/v1/questions?status=timed_out');
      if (closed.body.questions.length === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(texts(await api('GET', '/v1/questions?status=closed'))).toEqual(['First?', 'Second?', 'Times out?']);
    const recent = await api('GET', '/v1/questions?status=closed&order=recent');
    expect(recent.status).toBe(200);
    expect(texts(recent)).toEqual(['Times out?', 'First?', 'Second?']);
    expect(recent.body.questions.map((q: { answered_by: string }) => q.answered_by)).toEqual(['timeout', 'al', 'bo']);
    expect(texts(await api('GET', '/v1/questions?status=closed&order=recent&limit=2'))).toEqual(['Times out?', 'First?']);
    expect(texts(await api('GET', '/v1/questions?status=closed&order=asked'))).toEqual(['First?', 'Second?', 'Times out?']);
    // Open ones by when they were asked, latest first; `all` mixes both by their latest moment.
    expect(texts(await api('GET', '/v1/questions?order=recent'))).toEqual(['Still open?']);
    expect(texts(await api('GET', `/v1/questions?status=all&order=recent&session=${s.session_id}`))).toEqual(['Times out?', 'First?', 'Second?', 'Still open?']);
  });

  it('refuses a malformed or hostile status or order with 400 naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['order=newest', 'order'],
      ['order=', 'order'],
      ['order=RECENT', 'order'],
      ['order=%3Cscript%3Ealert(1)%3C%2Fscript%3E', 'order'],
      ["order=recent'%20OR%201=1--", 'order'],
      ['status=closed%3B%20DROP%20TABLE%20questions', 'status'],
      ['status=Closed', 'status'],
      ['status=', 'status'],
      ['sort=recent', '(root)'],
    ];
    for (const [query, field] of cases) {
      const res = await api('GET', `/v1/questions?${query}`);
      expect(res.status, query).toBe(400);
      const issues = res.body.error.details.issues as { path: string; message: string }[];
      expect(issues.map((i) => i.path), query).toContain(field);
      expect(res.body.error.message, query).not.toContain('<script>');
    }
    const bad = await api('GET', '/v1/questions?order=newest');
    expect(bad.body.error.message).toContain('order must be "asked" or "recent"');
    // The table is still there.
    expect((await api('GET', '/v1/questions?status=closed')).status).toBe(200);
  });
});
