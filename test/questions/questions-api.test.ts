import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Api, eventually, pollRun, registerRunner, startTestCoordinator, STORE_KINDS } from '../coordinator/helpers.js';

describe.each(STORE_KINDS)('questions over HTTP (%s)', (kind) => {
  let api: Api;
  let stop: () => Promise<void>;
  let runner: { runner_id: string; token: string };

  beforeEach(async () => {
    ({ api, stop } = await startTestCoordinator(kind, { timings: { sweepIntervalMs: 50 } }));
    runner = await registerRunner(api, ['test']);
  });
  afterEach(async () => stop?.());

  /** A session whose run a runner took and started (it is running, as when its agent asks). */
  async function runningSession(extra: Record<string, unknown> = {}) {
    const created = await api('POST', '/v1/sessions', { prompt: 'work', executor: 'test', ...extra });
    expect(created.status).toBe(201);
    const polled = await pollRun(api, runner);
    expect(polled.run.run_id).toBe(created.body.run_id);
    expect((await api('POST', `/v1/runs/${created.body.run_id}/started`, {}, runner.token)).status).toBe(200);
    return created.body as { session_id: string; run_id: string };
  }
  const finish = (runId: string) => api('POST', `/v1/runs/${runId}/finished`, { kind: 'succeeded', message: 'ok', result: { type: 'result', result_text: 'done' } }, runner.token);
  const ask = (sessionId: string, body: unknown) => api('POST', `/v1/sessions/${sessionId}/questions`, body);
  const answer = (qid: string, body: unknown) => api('POST', `/v1/questions/${qid}/answer`, body);
  const paths = (res: { body: { error: { details: { issues?: { path: string }[] } } } }) => res.body.error.details.issues?.map((i) => i.path);

  it('asks, lists oldest first by session and root, answers once; the events carry question and answer', async () => {
    const s = await runningSession();
    const first = await ask(s.session_id, { question: 'One?', options: ['a', 'b'], urgency: 'low' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ remembered: false, question: { kind: 'question', status: 'open', run_id: s.run_id, root_session_id: s.session_id, options: ['a', 'b'], urgency: 'low', wait: true } });
    const second = await ask(s.session_id, { question: 'Two?' });
    const other = await runningSession();
    await ask(other.session_id, { question: 'Elsewhere?' });
    const listed = await api('GET', '/v1/questions');
    expect(listed.body.questions.map((q: { question: string }) => q.question)).toEqual(['One?', 'Two?', 'Elsewhere?']);
    expect((await api('GET', `/v1/questions?session=${s.session_id}`)).body.questions).toHaveLength(2);
    expect((await api('GET', `/v1/questions?root=${other.session_id}`)).body.questions).toHaveLength(1);
    const session = await api('GET', `/v1/sessions/${s.session_id}`);
    expect(session.body).toMatchObject({ status: 'running', waiting_for_input: true, open_questions: 2 });

    const qid = first.body.question.question_id;
    const answered = await answer(qid, { choice: 1, message: 'because', answered_by: 'dana' });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ status: 'answered', answer: { choice: 1, choice_text: 'b', message: 'because' }, answered_by: 'dana', resume_run_id: null });
    const again = await answer(qid, { choice: 0 });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', details: { question: qid, status: 'answered', answered_by: 'dana' } });
    expect(again.body.error.message).toContain('by dana at');
    expect((await api('GET', '/v1/questions')).body.questions.map((q: { question: string }) => q.question)).toEqual(['Two?', 'Elsewhere?']);
    expect((await api('GET', '/v1/questions?status=answered')).body.questions.map((q: { question_id: string }) => q.question_id)).toEqual([qid]);
    expect((await api('GET', `/v1/sessions/${s.session_id}`)).body.open_questions).toBe(1);

    const events = (await api('GET', `/v1/sessions/${s.session_id}/events`)).body.events as { type: string; run_id: string; event: Record<string, unknown> }[];
    const mine = events.filter((e) => e.type === 'question' || e.type === 'answer');
    expect(mine.map((e) => [e.type, e.event.question_id])).toEqual([
      ['question', qid],
      ['question', second.body.question.question_id],
      ['answer', qid],
    ]);
    expect(mine.every((e) => e.run_id === s.run_id)).toBe(true);
    expect(mine[2]!.event).toMatchObject({ status: 'answered', answered_by: 'dana', answer: { choice: 1 } });
  });

  it('answers exactly once under concurrent answers', async () => {
    const s = await runningSession();
    const qid = (await ask(s.session_id, { question: 'Race?' })).body.question.question_id;
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => answer(qid, { text: `answer ${i}`, answered_by: `p${i}` })));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(7);
    expect((await api('GET', `/v1/sessions/${s.session_id}`)).body.open_questions).toBe(0);
  });

  it('refuses malformed answers with 400 naming the field', async () => {
    const s = await runningSession();
    const q = (await ask(s.session_id, { question: 'Pick', options: ['x', 'y'] })).body.question.question_id;
    const free = (await ask(s.session_id, { question: 'Say' })).body.question.question_id;
    const approval = (await ask(s.session_id, { kind: 'approval', subject: { tool: 'Bash', input: { command: 'ls' } } })).body.question.question_id;
    const cases: Array<[string, unknown, string]> = [
      [q, { choice: 2 }, 'choice'],
      [q, { choice: -1 }, 'choice'],
      [q, { choice: 1.5 }, 'choice'],
      [free, { choice: 0 }, 'choice'],
      [q, { decision: 'allow' }, 'decision'],
      [q, { text: 'x', remember: true }, 'remember'],
      [approval, { text: 'yes' }, 'text'],
      [approval, { choice: 0 }, 'choice'],
      [approval, { decision: 'maybe' }, 'decision'],
      [approval, { decision: 'deny', remember: true }, 'remember'],
      [approval, { message: 'only words' }, '(root)'],
      [q, { text: 'x', colour: 'red' }, '(root)'],
      [q, { text: 'x'.repeat(20_001) }, 'text'],
      [q, { text: '' }, 'text'],
      [q, { text: 'x', answered_by: 'y'.repeat(201) }, 'answered_by'],
      [q, {}, '(root)'],
      [q, [], '(root)'],
    ];
    for (const [id, body, path] of cases) {
      const res = await answer(id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(paths(res), JSON.stringify(body)).toContain(path);
    }
    const unknownKey = await answer(q, { text: 'x', colour: 'red' });
    expect(unknownKey.body.error.message).toContain('colour');
    expect((await answer(q, 'not json')).status).toBe(400);
    expect((await answer(q, { text: 'a\u0000b' })).status).toBe(400);
    expect((await answer('q_nope', { text: 'x' })).status).toBe(404);
    expect((await api('GET', '/v1/questions/q_nope')).status).toBe(404);
    expect((await api('GET', '/v1/questions?status=pending')).status).toBe(400);
    expect(paths(await api('GET', '/v1/questions?limit=0'))).toEqual(['limit']);
    // Nothing was answered by the refused requests.
    expect((await api('GET', `/v1/questions/${q}`)).body.status).toBe('open');
  });

  it('refuses malformed questions with 400 naming the field', async () => {
    const s = await runningSession();
    const cases: Array<[unknown, string]> = [
      [{}, 'question'],
      [{ question: '' }, 'question'],
      [{ question: 'x'.repeat(10_001) }, 'question'],
      [{ question: 'x', options: [] }, 'options'],
      [{ question: 'x', options: [''] }, 'options[0]'],
      [{ question: 'x', urgency: 'now' }, 'urgency'],
      [{ question: 'x', timeout_s: 0 }, 'timeout_s'],
      [{ question: 'x', timeout_s: 1.5 }, 'timeout_s'],
      [{ question: 'x', wait: 'yes' }, 'wait'],
      [{ question: 'x', on_timeout: 'allow' }, 'on_timeout'],
      [{ question: 'x', subject: { tool: 'Bash', input: {} } }, 'subject'],
      [{ kind: 'approval' }, 'subject'],
      [{ kind: 'approval', subject: { tool: '', input: {} } }, 'subject.tool'],
      [{ kind: 'approval', subject: { tool: 'Bash', input: 'ls' } }, 'subject.input'],
      [{ kind: 'approval', subject: { tool: 'Bash', input: {} }, options: ['a'] }, 'options'],
      [{ kind: 'approval', subject: { tool: 'Bash', input: {} }, on_timeout: 'later' }, 'on_timeout'],
      [{ kind: 'vote', question: 'x' }, 'kind'],
      [{ question: 'x', extra: 1 }, '(root)'],
    ];
    for (const [body, path] of cases) {
      const res = await ask(s.session_id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(paths(res), JSON.stringify(body)).toContain(path);
    }
    const huge = await ask(s.session_id, { kind: 'approval', subject: { tool: 'Write', input: { content: 'x'.repeat(200_001) } } });
    expect(huge.status).toBe(400);
    expect(paths(huge)).toEqual(['subject.input']);
    expect((await ask('ses_nope', { question: 'x' })).status).toBe(404);
    expect((await api('GET', '/v1/questions')).body.questions).toEqual([]);
  });

  it('approvals: allow for the session is remembered for that exact tool; the blueprint gives timeout defaults by pattern', async () => {
    const put = await api('PUT', '/v1/agents/careful', { executor: 'test', approvals: { tools: ['Bash', 'mcp__github__*'], timeout_s: 600, on_timeout: 'allow' } });
    expect(put.status).toBe(201);
    const s = await runningSession({ agent: 'careful' });
    const bash = await ask(s.session_id, { kind: 'approval', subject: { tool: 'Bash', input: { command: 'make' } } });
    expect(bash.body.question).toMatchObject({ question: 'Allow Bash?', timeout_s: 600, on_timeout: 'allow', agent: 'careful' });
    const gh = await ask(s.session_id, { kind: 'approval', subject: { tool: 'mcp__github__create_issue', input: {} }, on_timeout: 'deny' });
    expect(gh.body.question).toMatchObject({ timeout_s: 600, on_timeout: 'deny' });
    const write = await ask(s.session_id, { kind: 'approval', subject: { tool: 'Write', input: {} } });
    expect(write.body.question).toMatchObject({ timeout_s: null, on_timeout: 'deny' });
    expect((await answer(bash.body.question.question_id, { decision: 'allow', remember: true })).body.answer).toEqual({ decision: 'allow', remember: true });
    const again = await ask(s.session_id, { kind: 'approval', subject: { tool: 'Bash', input: { command: 'make install' } } });
    expect(again.body).toMatchObject({ remembered: true, question: null });
    // Another tool, and the same tool in another session, still ask.
    expect((await ask(s.session_id, { kind: 'approval', subject: { tool: 'Bash2', input: {} } })).body.remembered).toBe(false);
    const other = await runningSession({ agent: 'careful' });
    expect((await ask(other.session_id, { kind: 'approval', subject: { tool: 'Bash', input: {} } })).body.remembered).toBe(false);
    // A deny with remember is refused; a plain allow is not remembered.
    await answer(gh.body.question.question_id, { decision: 'allow' });
    expect((await ask(s.session_id, { kind: 'approval', subject: { tool: 'mcp__github__create_issue', input: {} } })).body.remembered).toBe(false);
  });

  it('blueprint approvals are validated, errors naming the field', async () => {
    const bad: Array<[unknown, string]> = [
      [{ tools: [] }, 'approvals.tools'],
      [{ tools: [''] }, 'approvals.tools[0]'],
      [{ tools: ['Bash'], on_timeout: 'maybe' }, 'approvals.on_timeout'],
      [{ tools: ['Bash'], timeout_s: -1 }, 'approvals.timeout_s'],
      [{ tools: ['Bash'], colour: 1 }, 'approvals'],
      ['Bash', 'approvals'],
    ];
    for (const [approvals, path] of bad) {
      const res = await api('PUT', '/v1/agents/x', { executor: 'test', approvals });
      expect(res.status, JSON.stringify(approvals)).toBe(400);
      expect(paths(res), JSON.stringify(approvals)).toContain(path);
    }
  });

  it('a wait:false answer to an idle session resumes it with the answer; to a running one, after its run ends', async () => {
    const s = await runningSession();
    const later = (await ask(s.session_id, { question: 'Colour?', wait: false })).body.question.question_id;
    const now = (await ask(s.session_id, { kind: 'approval', subject: { tool: 'Bash', input: { command: 'ls' } }, wait: false })).body.question.question_id;
    // Answered while the run still runs: delivered when it ends.
    const a1 = await answer(later, { text: 'blue' });
    expect(a1.body.resume_run_id).toBeNull();
    expect((await finish(s.run_id)).status).toBe(200);
    const resumed = await eventually(async () => {
      const v = (await api('GET', `/v1/sessions/${s.session_id}`)).body;
      return v.last_run_id !== s.run_id ? v : null;
    });
    expect(resumed.status).toBe('queued');
    expect((await api('GET', `/v1/questions/${later}`)).body.resume_run_id).toBe(resumed.last_run_id);
    const run = (await api('GET', `/v1/runs/${resumed.last_run_id}`)).body;
    expect(run.mode).toBe('resume');
    expect(run.prompt).toContain('Answer: blue');
    expect(run.prompt).not.toContain(now);
    // The approval is still open: the session waits for input while its resume is queued.
    expect(resumed.waiting_for_input).toBe(true);
    await pollRun(api, runner);
    await api('POST', `/v1/runs/${resumed.last_run_id}/started`, {}, runner.token);
    await finish(resumed.last_run_id);
    const a2 = await answer(now, { decision: 'deny', message: 'no ls' });
    expect(a2.body.resume_run_id).not.toBeNull();
    const third = (await api('GET', `/v1/runs/${a2.body.resume_run_id}`)).body;
    expect(third.prompt).toContain('Decision: deny.');
    expect(third.prompt).toContain('Message: no ls');
  });

  it('a wait:true question whose asking run ended meanwhile: the answer resumes the session', async () => {
    const s = await runningSession();
    const qid = (await ask(s.session_id, { question: 'Still there?' })).body.question.question_id;
    await api('POST', `/v1/runs/${s.run_id}/finished`, { kind: 'failed', message: 'killed' }, runner.token);
    expect((await api('GET', `/v1/sessions/${s.session_id}`)).body).toMatchObject({ status: 'failed', waiting_for_input: true });
    const a = await answer(qid, { text: 'yes' });
    expect(a.body.resume_run_id).not.toBeNull();
    expect((await api('GET', `/v1/runs/${a.body.resume_run_id}`)).body.prompt).toContain('Answer: yes');
  });

  it('a run queued again for another attempt cancels its wait:true questions (the agent asks again); wait:false ones stay', async () => {
    const s = await runningSession();
    const waiting = (await ask(s.session_id, { question: 'Before the crash?' })).body.question.question_id;
    const later = (await ask(s.session_id, { question: 'Keep me?', wait: false })).body.question.question_id;
    // An exit 75 is retried on another runner only: one must be online.
    await registerRunner(api, ['test']);
    const requeued = await api('POST', `/v1/runs/${s.run_id}/finished`, { kind: 'infra_failed', message: 'exit 75', exit_code: 75 }, runner.token);
    expect(requeued.status).toBe(200);
    expect((await api('GET', `/v1/runs/${s.run_id}`)).body).toMatchObject({ status: 'queued', attempt: 2 });
    expect((await api('GET', `/v1/questions/${waiting}`)).body).toMatchObject({ status: 'cancelled', answered_by: 'retry' });
    expect((await api('GET', `/v1/questions/${later}`)).body.status).toBe('open');
    expect((await api('GET', `/v1/sessions/${s.session_id}`)).body.open_questions).toBe(1);
  });

  it('the sweeper closes a question at its timeout: "no answer within N s"; an approval by its on_timeout', async () => {
    const s = await runningSession();
    const q = (await ask(s.session_id, { question: 'Quick?', timeout_s: 1 })).body.question.question_id;
    const a = (await ask(s.session_id, { kind: 'approval', subject: { tool: 'Bash', input: {} }, timeout_s: 1, on_timeout: 'allow' })).body.question.question_id;
    const closed = await eventually(async () => {
      const both = await Promise.all([q, a].map(async (id) => (await api('GET', `/v1/questions/${id}`)).body));
      return both.every((x) => x.status === 'timed_out') ? both : null;
    });
    expect(closed[0]).toMatchObject({ answered_by: 'timeout', answer: { timed_out: true, text: 'no answer within 1 s' } });
    expect(closed[1]).toMatchObject({ answered_by: 'timeout', answer: { timed_out: true, decision: 'allow' } });
    expect((await api('GET', `/v1/sessions/${s.session_id}`)).body.waiting_for_input).toBe(false);
  });

  it('stopping a session cancels its open questions and its subtree\'s', async () => {
    const s = await runningSession();
    const child = await api('POST', '/v1/sessions', { prompt: 'kid', executor: 'test', parent_session_id: s.session_id });
    const q1 = (await ask(s.session_id, { question: 'Parent?' })).body.question.question_id;
    const q2 = (await ask(child.body.session_id, { question: 'Child?', wait: false })).body.question.question_id;
    const tree = (await api('GET', `/v1/sessions/${s.session_id}/tree`)).body;
    expect(tree).toMatchObject({ questions_open: 2, quiet: false, root: { waiting_for_input: true } });
    expect((await api('POST', `/v1/sessions/${s.session_id}/stop`, {})).status).toBeLessThan(300);
    for (const id of [q1, q2]) expect((await api('GET', `/v1/questions/${id}`)).body).toMatchObject({ status: 'cancelled', answered_by: 'stop' });
    expect((await answer(q1, { text: 'late' })).status).toBe(409);
  });
});
