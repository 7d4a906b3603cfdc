/**
 * Approvals end to end with real processes: a coordinator, a runner daemon running the claude-code
 * executor, and the fake `claude` asking permission over the stream-json control protocol
 * (`can_use_tool`) as Claude Code does. A person answers through the REST API or `agent-runner answer`;
 * the fake reports what Claude received, one line per tool call, as its result.
 */
import { describe, expect, it } from 'vitest';
import { eventually, type Api } from '../coordinator/helpers.js';
import { WAIT_MS } from '../helpers/fixtures.js';
import { allEvents, createSession, useRunnerKit, waitForSession } from '../runner/runner-kit.js';
import { join } from 'node:path';
import { FAKE_CLAUDE, isolatedEnv, isRunning, readRecords, TEST_EXECUTOR_ENV } from './helpers/run-executor.js';

type Call = { name: string; input: Record<string, unknown> };
const prompt = (...calls: Call[]) => JSON.stringify({ calls });
const bash = (command: string): Call => ({ name: 'Bash', input: { command, description: `run ${command}` } });

describe('claude-code approvals through a real coordinator and runner (fake claude)', { timeout: 120_000 }, () => {
  const kit = useRunnerKit();

  /** A coordinator, a claude-code runner whose fake claude asks permission, and an agent with approvals. */
  async function start(approvals: Record<string, unknown>) {
    // A sweep every 250 ms closes a question soon after its timeout_s (the default sweeps every 5 s).
    const { url, api } = await kit().coordinator({ args: ['--sweep-interval', '250ms'] });
    const env = isolatedEnv(kit().tempDir(), {
      CLAUDE_CODE_EXECUTABLE: FAKE_CLAUDE,
      FAKE_CLAUDE_SCENARIO: 'permission',
      FAKE_CLAUDE_RECORD: join(kit().dir, 'fake-claude.jsonl'),
      AGENT_RUNNER_EXECUTOR_ENV: TEST_EXECUTOR_ENV.join(','),
    });
    await kit().daemon(['-c', url, '-x', 'claude-code'], env);
    const put = await api('PUT', '/v1/agents/gatekeeper', { name: 'gatekeeper', executor: 'claude-code', approvals });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    return { url, api };
  }

  /** The n-th (from 0) question event of a session, waited for. */
  async function nthQuestion(api: Api, sessionId: string, n: number): Promise<Record<string, any>> {
    const questions = async () => (await allEvents(api, sessionId)).filter((e) => e.type === 'question');
    await eventually(async () => ((await questions()).length > n ? true : undefined), WAIT_MS);
    return (await questions())[n]!.event;
  }

  async function answer(api: Api, questionId: string, body: Record<string, unknown>) {
    const res = await api('POST', `/v1/questions/${questionId}/answer`, body);
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  }

  const resultLines = async (api: Api, sessionId: string) => {
    // The whole scenario (start Claude Code, ask, wait for an answer or the timeout, go on) in one budget:
    // on a busy machine the fake claude alone took 18 s to ask its question.
    const view = await waitForSession(api, sessionId, ['idle', 'failed'], 2 * WAIT_MS);
    expect(view.status, JSON.stringify(view)).toBe('idle');
    return String((view.result as { result_text: string }).result_text).split('\n');
  };

  it('a Bash call waits for approval: allowed once, then denied with a message Claude receives', async () => {
    const { api, url } = await start({ tools: ['Bash'], timeout_s: 600 });
    const project = kit().tempDir();
    const { session_id } = await createSession(api, { agent: 'gatekeeper', project_dir: project, prompt: prompt(bash('ls -la'), bash('rm -rf build')) });

    const first = await nthQuestion(api, session_id, 0);
    expect(first).toMatchObject({ kind: 'approval', subject: { tool: 'Bash', input: { command: 'ls -la', description: 'run ls -la' } }, wait: true });
    expect((await api('GET', `/v1/sessions/${session_id}`)).body).toMatchObject({ status: 'running', waiting_for_input: true, open_questions: 1 });
    await answer(api, first.question_id, { decision: 'allow', answered_by: 'ana' });

    const second = await nthQuestion(api, session_id, 1);
    expect(second).toMatchObject({ kind: 'approval', subject: { tool: 'Bash', input: { command: 'rm -rf build' } } });
    // The second answer comes from the command line, as a person at a terminal gives it.
    const cli = await kit().cli(['answer', second.question_id, '--deny', '--message', 'not on the build box, use make clean', '-c', url]);
    expect(cli.code, cli.stderr).toBe(0);

    const lines = await resultLines(api, session_id);
    expect(lines[0]).toBe('Bash: allowed {"command":"ls -la","description":"run ls -la"}');
    expect(lines[1]).toMatch(/^Bash: denied: Bash call denied by cli:\S+: not on the build box, use make clean$/);
    expect(lines).toHaveLength(2);
    const events = await allEvents(api, session_id);
    expect(events.filter((e) => e.type === 'log' && String(e.event.message).startsWith('approval for Bash'))).toHaveLength(2);
  });

  it('"allow for this session" lets a later Bash call through without a question; other tools are not asked about', async () => {
    const { api } = await start({ tools: ['Bash'] });
    const project = kit().tempDir();
    const read: Call = { name: 'WebFetch', input: { url: 'http://127.0.0.1:9/' } };
    const { session_id } = await createSession(api, { agent: 'gatekeeper', project_dir: project, prompt: prompt(bash('make test'), read, bash('make lint')) });
    const first = await nthQuestion(api, session_id, 0);
    await answer(api, first.question_id, { decision: 'allow', remember: true });
    const lines = await resultLines(api, session_id);
    expect(lines).toEqual([
      'Bash: allowed {"command":"make test","description":"run make test"}',
      "WebFetch: denied: Permission to use WebFetch has not been granted: it is not in allowed_tools, and this agent's approvals do not list it.",
      'Bash: allowed {"command":"make lint","description":"run make lint"}',
    ]);
    // One question in all: the second Bash call was allowed by the remembered answer.
    const questions = (await api('GET', `/v1/questions?session=${session_id}&status=all`)).body.questions as Array<Record<string, any>>;
    expect(questions).toEqual([expect.objectContaining({ question_id: first.question_id, status: 'answered', kind: 'approval' })]);
    expect((await allEvents(api, session_id)).filter((e) => e.type === 'question')).toHaveLength(1);
  });

  it('on_timeout deny: no answer within timeout_s denies the call and Claude is told so', async () => {
    const { api } = await start({ tools: ['Bash'], timeout_s: 1, on_timeout: 'deny' });
    const { session_id } = await createSession(api, { agent: 'gatekeeper', project_dir: kit().tempDir(), prompt: prompt(bash('deploy')) });
    expect(await resultLines(api, session_id)).toEqual(['Bash: denied: Bash call denied: no answer within 1 s.']);
    const events = await allEvents(api, session_id);
    expect(events.find((e) => e.type === 'answer')?.event).toMatchObject({ status: 'timed_out' });
  });

  it('on_timeout allow: no answer within timeout_s lets the call run', async () => {
    const { api } = await start({ tools: ['Bash'], timeout_s: 1, on_timeout: 'allow' });
    const { session_id } = await createSession(api, { agent: 'gatekeeper', project_dir: kit().tempDir(), prompt: prompt(bash('deploy')) });
    expect(await resultLines(api, session_id)).toEqual(['Bash: allowed {"command":"deploy","description":"run deploy"}']);
  });

  it('stopping the session while a person thinks ends the run: Claude Code and the executor are gone', async () => {
    const { api } = await start({ tools: ['Bash'] });
    const { session_id } = await createSession(api, { agent: 'gatekeeper', project_dir: kit().tempDir(), prompt: prompt(bash('sleep forever')) });
    await nthQuestion(api, session_id, 0);
    const [claude] = readRecords(join(kit().dir, 'fake-claude.jsonl'));
    expect(isRunning(claude!.pid)).toBe(true);
    expect((await api('POST', `/v1/sessions/${session_id}/stop`, {})).status).toBeLessThan(300);
    const view = await waitForSession(api, session_id, ['cancelled']);
    expect(view.status).toBe('cancelled');
    await eventually(async () => (isRunning(claude!.pid) ? undefined : true), WAIT_MS);
  });

  it('a hostile, oversized tool call is refused by the coordinator and so denied, with the reason, without a question', async () => {
    const { api } = await start({ tools: ['Bash'] });
    const huge = { ...bash('echo '), pad: 300_000 };
    const { session_id } = await createSession(api, { agent: 'gatekeeper', project_dir: kit().tempDir(), prompt: prompt(huge as Call, bash('echo small')) });
    const first = await nthQuestion(api, session_id, 0); // only the second call became a question
    expect(first.subject.input.command).toBe('echo small');
    await answer(api, first.question_id, { decision: 'allow' });
    const [denied, allowed] = await resultLines(api, session_id);
    expect(denied).toMatch(/^Bash: denied: Bash call denied: the approval could not be asked \(request_approval failed: .*subject.*\)\.$/);
    expect(allowed).toBe('Bash: allowed {"command":"echo small","description":"run echo small"}');
  });
});
