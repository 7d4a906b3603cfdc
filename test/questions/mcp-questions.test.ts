import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoordinatorError } from '../../lib/client/coordinator-error.js';
import { UserApi } from '../../lib/client/user-api.js';
import type { SessionEvent } from '../../protocol/events.js';
import { McpTestBed } from '../mcp/harness.js';

type Call = { tool: string; is_error: boolean; data: any; progress: string[] };
const calls = (view: { result: { result_data?: unknown } | null }) => (view.result?.result_data as { calls: Call[] }).calls;
const isQuestion = (e: SessionEvent) => e.type === 'question';
const questionId = (e: SessionEvent) => String((e.event as { question_id?: unknown }).question_id);

describe('ask_user and request_approval from an executor process', () => {
  let bed: McpTestBed;
  beforeEach(async () => (bed = await McpTestBed.start()));
  afterEach(async () => bed.close());

  /** Restart the coordinator in place, with a new client (the old one's kept-alive sockets were reset). */
  async function restart() {
    await bed.restartCoordinator();
    await bed.user.close();
    bed.user = new UserApi(bed.coordinator.url);
  }

  /** Start a driver script, wait for its question event, and return the session and question ids. */
  async function asked(steps: unknown[]) {
    const id = await bed.drive(steps);
    const event = await bed.waitForEvent(id, isQuestion);
    return { id, qid: questionId(event), event };
  }

  it('ask_user wait:true returns the answer; the session shows waiting_for_input meanwhile', async () => {
    const { id, qid, event } = await asked([{ tool: 'ask_user', args: { question: 'Deploy to prod?', details: '**now**', urgency: 'high' } }]);
    expect(event.event).toMatchObject({ kind: 'question', question: 'Deploy to prod?', details: '**now**', urgency: 'high', wait: true, options: null });
    const waiting = await bed.user.getSession(id);
    expect(waiting).toMatchObject({ status: 'running', waiting_for_input: true, open_questions: 1 });
    const inbox = await bed.user.listQuestions();
    expect(inbox.questions.map((q) => q.question_id)).toEqual([qid]);
    expect(inbox.questions[0]).toMatchObject({ session_id: id, agent: null, root_session_id: id, status: 'open', kind: 'question' });
    await bed.user.answerQuestion(qid, { text: 'yes, go', answered_by: 'alice' });
    const view = await bed.waitEnded(id);
    const [call] = calls(view);
    expect(call).toMatchObject({ is_error: false, data: { question_id: qid, status: 'answered', answer: { text: 'yes, go' }, answered_by: 'alice' } });
    expect(view).toMatchObject({ status: 'idle', waiting_for_input: false, open_questions: 0 });
    const runs = await bed.coordinator.store.listRuns(id);
    expect(runs).toHaveLength(1);
  });

  it('escalate_decision with options: the answer names the choice; a second answer is 409 saying who and when', async () => {
    const { id, qid } = await asked([{ tool: 'escalate_decision', args: { question: 'Which region?', options: ['eu', 'us'] } }]);
    await bed.user.answerQuestion(qid, { choice: 1, answered_by: 'bob' });
    const second = await bed.user.answerQuestion(qid, { choice: 0, answered_by: 'carol' }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(CoordinatorError);
    expect((second as CoordinatorError).status).toBe(409);
    expect((second as CoordinatorError).message).toMatch(/already answered: by bob at \d{4}-/);
    const [call] = calls(await bed.waitEnded(id));
    expect(call!.data).toMatchObject({ status: 'answered', answer: { choice: 1, choice_text: 'us' }, answered_by: 'bob' });
  });

  it('ask_user with timeout_s: the sweeper closes it, the call returns "no answer within N s"', async () => {
    const id = await bed.drive([{ tool: 'ask_user', args: { question: 'Anyone?', timeout_s: 1 } }]);
    const [call] = calls(await bed.waitEnded(id));
    expect(call!.data).toMatchObject({ status: 'timed_out', answer: { timed_out: true, text: 'no answer within 1 s' }, answered_by: 'timeout', note: 'no answer within 1 s' });
    const late = await bed.user.answerQuestion(call!.data.question_id, { text: 'too late' }).catch((e: unknown) => e);
    expect((late as CoordinatorError).status).toBe(409);
    expect((late as CoordinatorError).message).toContain('timed out: by timeout');
  });

  it('ask_user wait:false returns at once; the answer resumes the idle session as its next prompt', async () => {
    const id = await bed.drive([{ tool: 'ask_user', args: { question: 'Pick a name', wait: false } }]);
    const view = await bed.waitEnded(id);
    expect(view).toMatchObject({ status: 'idle', waiting_for_input: true });
    const [call] = calls(view);
    expect(call!.data).toMatchObject({ status: 'open' });
    const qid = call!.data.question_id as string;
    // No process is held while the person thinks: the session has no run in flight.
    expect((await bed.coordinator.store.listRuns(id)).map((r) => r.status)).toEqual(['succeeded']);
    const tree = await bed.user.getTree(id);
    expect(tree.quiet).toBe(false);
    const answered = await bed.user.answerQuestion(qid, { text: 'Ada' });
    expect(answered.resume_run_id).not.toBeNull();
    let ended = 0;
    await bed.waitForEvent(id, (e) => e.type === 'run_status' && e.event.status === 'succeeded' && ++ended === 2);
    const runs = await bed.coordinator.store.listRuns(id);
    expect(runs.map((r) => r.mode)).toEqual(['start', 'resume']);
    expect(runs[1]!.id).toBe(answered.resume_run_id);
    expect(runs[1]!.prompt).toContain(`<answer question_id="${qid}" kind="question" status="answered">`);
    expect(runs[1]!.prompt).toContain('You asked: Pick a name');
    expect(runs[1]!.prompt).toContain('Answer: Ada');
    expect((await bed.user.getSession(id)).waiting_for_input).toBe(false);
  });

  it('wait:false answered after a coordinator restart resumes the session', async () => {
    const id = await bed.drive([{ tool: 'ask_user', args: { question: 'Later?', wait: false } }]);
    const view = await bed.waitEnded(id);
    const qid = calls(view)[0]!.data.question_id as string;
    await restart();
    expect((await bed.user.getQuestion(qid)).status).toBe('open');
    await bed.user.answerQuestion(qid, { text: 'now' });
    let ended = 0;
    await bed.waitForEvent(id, (e) => e.type === 'run_status' && e.event.status === 'succeeded' && ++ended === 2);
    const runs = await bed.coordinator.store.listRuns(id);
    expect(runs[1]!.prompt).toContain('Answer: now');
  });

  it('wait:true across a coordinator restart: the waiting call gets the answer given after it', async () => {
    const { id, qid } = await asked([{ tool: 'ask_user', args: { question: 'Survive?' } }]);
    await restart();
    await bed.user.answerQuestion(qid, { text: 'survived' });
    const [call] = calls(await bed.waitEnded(id));
    expect(call!.data).toMatchObject({ status: 'answered', answer: { text: 'survived' } });
  });

  it('malformed and hostile tool input is a tool error naming the field; nothing is asked', async () => {
    const me = await bed.liveSession();
    const client = await bed.client(me.session_id);
    const bad: Array<[string, Record<string, unknown>, string]> = [
      ['ask_user', {}, 'question'],
      ['ask_user', { question: '' }, 'question'],
      ['ask_user', { question: 'x', options: [] }, 'options'],
      ['ask_user', { question: 'x', urgency: 'asap' }, 'urgency'],
      ['ask_user', { question: 'x', timeout_s: 0 }, 'timeout_s'],
      ['ask_user', { question: 'x'.repeat(10_001) }, 'question'],
      ['escalate_decision', { question: 'x', wait: 'no' }, 'wait'],
      ['request_approval', { tool: 'Bash' }, 'input'],
      ['request_approval', { tool: 'Bash', input: 'rm -rf /' }, 'input'],
      ['request_approval', { tool: '', input: {} }, 'tool'],
      ['request_approval', { tool: 'Bash', input: {}, on_timeout: 'shrug' }, 'on_timeout'],
    ];
    for (const [name, args, field] of bad) {
      const result = await client.callTool({ name, arguments: args }).catch((e: Error) => ({ isError: true, content: [{ type: 'text', text: e.message }] }));
      expect(result.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
      expect(JSON.stringify(result.content), `${name} ${JSON.stringify(args)}`).toContain(field);
    }
    const huge = await client.callTool({ name: 'request_approval', arguments: { tool: 'Write', input: { content: 'x'.repeat(200_001) }, wait: false } });
    expect(huge.isError).toBe(true);
    expect(JSON.stringify(huge.content)).toContain('subject.input');
    expect((await bed.user.listQuestions({ status: 'all' })).questions).toEqual([]);
  });

  it('request_approval: allow once, deny with a message, remember for the session', async () => {
    const gate = join(bed.dir, 'approval-gate');
    const id = await bed.drive([
      { tool: 'request_approval', args: { tool: 'Bash', input: { command: 'rm -rf build' }, reason: 'clean' } },
      { tool: 'request_approval', args: { tool: 'Bash', input: { command: 'curl evil' } } },
      { tool: 'request_approval', args: { tool: 'Write', input: { file_path: '/tmp/x', content: 'x' } } },
      { wait_file: gate },
      { tool: 'request_approval', args: { tool: 'Write', input: { file_path: '/tmp/y', content: 'y' } } },
      { tool: 'request_approval', args: { tool: 'Bash', input: { command: 'ls' }, timeout_s: 1, on_timeout: 'allow' } },
    ]);
    const answers: Array<[string, object]> = [
      ['allow', { decision: 'allow' }],
      ['deny', { decision: 'deny', message: 'not that URL' }],
      ['remember', { decision: 'allow', remember: true }],
    ];
    for (const [n, [, body]] of answers.entries()) {
      let seen = 0;
      await bed.waitForEvent(id, (e) => isQuestion(e) && seen++ === n);
      const open = await bed.user.listQuestions({ session: id });
      expect(open.questions).toHaveLength(1);
      const q = open.questions[0]!;
      expect(q.kind).toBe('approval');
      expect(q.subject?.tool).toBeDefined();
      await bed.user.answerQuestion(q.question_id, body as never);
      await bed.waitForEvent(id, (e) => e.type === 'answer' && questionId(e) === q.question_id);
    }
    writeFileSync(gate, '');
    const view = await bed.waitEnded(id);
    const all = calls(view);
    expect(all[0]!.data).toMatchObject({ decision: 'allow', remember: false, timed_out: false, answered_by: 'api' });
    expect(all[1]!.data).toMatchObject({ decision: 'deny', message: 'not that URL', remember: false, timed_out: false });
    expect(all[2]!.data).toMatchObject({ decision: 'allow', remember: true, timed_out: false });
    expect(all[3]!.data).toEqual({ decision: 'allow', remember: true, remembered: true });
    expect(all[4]!.data).toMatchObject({ decision: 'allow', timed_out: true, remember: false });
    const approvals = (await bed.user.listQuestions({ session: id, status: 'all' })).questions;
    expect(approvals.map((q) => q.subject)).toEqual([
      { tool: 'Bash', input: { command: 'rm -rf build' } },
      { tool: 'Bash', input: { command: 'curl evil' } },
      { tool: 'Write', input: { file_path: '/tmp/x', content: 'x' } },
      { tool: 'Bash', input: { command: 'ls' } },
    ]);
    expect(approvals[0]!.details).toBe('clean');
    expect(approvals[0]!.question).toBe('Allow Bash?');
  });
});
