import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/fixtures.js';
import {
  FAKE_CLAUDE,
  invocation,
  isolatedEnv,
  isRunning,
  readRecords,
  runExecutor,
  scratchDir,
  startExecutor,
} from './helpers/run-executor.js';

let dir: string;
let project: string;
let recordFile: string;

beforeEach(() => {
  dir = scratchDir();
  project = scratchDir('claude-code-project-');
  recordFile = join(dir, 'record.jsonl');
});

/** Environment that points the executor at the fake claude, with a scenario and a record file. */
function fakeEnv(scenario = 'ok', extra: Record<string, string> = {}) {
  return isolatedEnv(dir, {
    CLAUDE_CODE_EXECUTABLE: FAKE_CLAUDE,
    FAKE_CLAUDE_SCENARIO: scenario,
    FAKE_CLAUDE_RECORD: recordFile,
    FAKE_CLAUDE_STATE_DIR: dir,
    ...extra,
  });
}

const types = (events: Array<{ type: string }>) => events.map((e) => e.type);
const withoutLogs = <T extends { type: string }>(events: T[]) => events.filter((e) => e.type !== 'log');

describe('claude-code executor with a fake claude: start and resume', () => {
  it('binds the Claude session, reports the answer, usage and result, and exits 0', async () => {
    const { outcome, events, stderr } = await runExecutor(invocation({ project_dir: project }), fakeEnv('ok', { FAKE_CLAUDE_TEXT: 'Hi there' }));
    expect(outcome.kind).toBe('succeeded');
    expect(stderr).toEqual([]);
    expect(types(withoutLogs(events))).toEqual(['bind', 'message', 'usage', 'result']);
    const [record] = readRecords(recordFile);
    expect(events[0]).toEqual({ type: 'bind', executor_session_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(events).toContainEqual({ type: 'message', role: 'assistant', text: 'Hi there' });
    expect(events).toContainEqual({
      type: 'usage',
      input_tokens: 10,
      output_tokens: 3,
      cache_read_input_tokens: 2,
      cache_creation_input_tokens: 0,
      cost_usd: 0.0125,
      cost_scope: 'executor_session',
      model: 'claude-fake-1',
      num_turns: 1,
    });
    expect(outcome.result).toMatchObject({ type: 'result', result_text: 'Hi there', is_error: false });
    expect(record!.prompts).toEqual(['hello claude']);
    expect(record!.cwd).toBe(project);
  });

  it('resumes the bound Claude session: same session id, cumulative cost', async () => {
    const env = fakeEnv();
    const first = await runExecutor(invocation({ project_dir: project }), env);
    const sessionId = first.outcome.executor_session_id!;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);

    const second = await runExecutor(
      invocation({ mode: 'resume', prompt: 'and then?', project_dir: project, metadata: { executor_session_id: sessionId } }),
      env,
    );
    expect(second.outcome.kind).toBe('succeeded');
    expect(second.outcome.executor_session_id).toBe(sessionId);
    expect(second.events.find((e) => e.type === 'usage')).toMatchObject({ cost_usd: 0.025, cost_scope: 'executor_session' });
    const records = readRecords(recordFile);
    expect(records).toHaveLength(2);
    expect(records[0]!.argv.some((a) => a.startsWith('--resume'))).toBe(false);
    expect(records[1]!.argv).toContain(`--resume=${sessionId}`);
    expect(records[1]!.prompts).toEqual(['and then?']);
  });

  it('rejects a resume without metadata.executor_session_id (exit 2, reason on stderr)', async () => {
    const { outcome, stderr } = await runExecutor(invocation({ mode: 'resume', project_dir: project }), fakeEnv());
    expect(outcome.kind).toBe('rejected');
    expect(stderr).toEqual([expect.stringContaining('metadata.executor_session_id: required on resume')]);
    expect(readRecords(recordFile)).toEqual([]);
  });
});

describe('claude-code executor with a fake claude: events', () => {
  it('maps tool use and tool results, naming each result after its call', async () => {
    const { outcome, events } = await runExecutor(invocation({ project_dir: project }), fakeEnv('tool', { FAKE_CLAUDE_TEXT: 'Done.' }));
    expect(outcome.kind).toBe('succeeded');
    expect(withoutLogs(events).slice(1, -2)).toEqual([
      { type: 'message', role: 'assistant', text: 'Let me look.' },
      { type: 'tool_call', id: 'toolu_01', name: 'Read', input: { file_path: 'a.txt' } },
      { type: 'tool_result', id: 'toolu_01', name: 'Read', output: 'file contents', is_error: false },
      { type: 'tool_call', id: 'toolu_02', name: 'Bash', input: { command: 'false' } },
      { type: 'tool_result', id: 'toolu_02', name: 'Bash', output: 'exit 1', is_error: true },
      { type: 'message', role: 'assistant', text: 'Done.' },
    ]);
  });

  it('ignores unknown message types, subtypes, content blocks and fields', async () => {
    const { outcome, events } = await runExecutor(invocation({ project_dir: project }), fakeEnv('unknown', { FAKE_CLAUDE_TEXT: 'Still fine' }));
    expect(outcome.kind).toBe('succeeded');
    expect(types(withoutLogs(events))).toEqual(['bind', 'message', 'usage', 'result']);
    expect(events.filter((e) => e.type === 'log' && 'reason' in e)).toEqual([]);
    expect(outcome.result).toMatchObject({ result_text: 'Still fine', is_error: false });
  });

  it('reports API retries as warning logs', async () => {
    const { outcome, events } = await runExecutor(invocation({ project_dir: project }), fakeEnv('retry'));
    expect(outcome.kind).toBe('succeeded');
    expect(events).toContainEqual({ type: 'log', level: 'warn', message: 'Claude API request failed (HTTP 529, server_error); retry 1 of 10 in 500 ms' });
  });

  it("turns Claude Code's stderr into log events, keeping the executor's stderr clean", async () => {
    const { outcome, events, stderr } = await runExecutor(invocation({ project_dir: project }), fakeEnv('ok', { FAKE_CLAUDE_STDERR: 'some CLI chatter' }));
    expect(outcome.kind).toBe('succeeded');
    expect(events).toContainEqual({ type: 'log', level: 'warn', message: 'claude: some CLI chatter' });
    expect(stderr).toEqual([]);
  });

  it('reports structured output as result_data when the blueprint has an output_schema', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'] };
    const { outcome } = await runExecutor(
      invocation({ project_dir: project, agent_blueprint: { name: 'w', output_schema: schema } }),
      fakeEnv('structured', { FAKE_CLAUDE_TEXT: 'The answer is 42' }),
    );
    expect(outcome.kind).toBe('succeeded');
    expect(outcome.result).toMatchObject({ result_text: 'The answer is 42', result_data: { answer: 42, ok: true }, is_error: false });
    const [record] = readRecords(recordFile);
    expect(record!.argv).toContain(`--json-schema=${JSON.stringify(schema)}`);
  });
});

describe('claude-code executor with a fake claude: failures', () => {
  const cases = [
    { scenario: 'error_success', reason: 'Claude Code reported an error: API Error: 500 internal server error' },
    { scenario: 'max_turns', reason: 'Claude stopped at the maximum number of turns (max_turns): Reached maximum number of turns (1)' },
    { scenario: 'budget', reason: 'Claude stopped at its budget (max_budget_usd): Reached maximum budget ($0.01)' },
    { scenario: 'during_execution', reason: 'Claude Code failed during execution: Tool execution exploded' },
  ];
  for (const { scenario, reason } of cases) {
    it(`exits 1 on ${scenario}, with the reason in the result and on stderr`, async () => {
      const { outcome, stderr } = await runExecutor(invocation({ project_dir: project }), fakeEnv(scenario));
      expect(outcome.kind).toBe('failed');
      expect(outcome.exit_code).toBe(1);
      expect(outcome.result).toMatchObject({ is_error: true, result_text: reason });
      expect(stderr).toEqual([`claude-code: ${reason}`]);
    });
  }

  it('says in one stderr line how to log in when Claude Code has no credentials (exit 75)', async () => {
    const { outcome, stderr } = await runExecutor(invocation({ project_dir: project }), fakeEnv('not_logged_in'));
    expect(outcome.kind).toBe('infra_failed');
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^claude-code: Claude Code has no valid credentials .*Not logged in.*: log in once with `claude`.*or set ANTHROPIC_API_KEY/);
    expect(outcome.result).toMatchObject({ is_error: true });
  });

  it('exits 1 when Claude Code dies without a result', async () => {
    const { outcome, stderr } = await runExecutor(invocation({ project_dir: project }), fakeEnv('crash'));
    expect(outcome.kind).toBe('failed');
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^claude-code: Claude Code ended without a result: .*exited with code 3/);
  });

  it('reports the usage so far when Claude Code fails without a result, and none twice when it gave one', async () => {
    const crashed = await runExecutor(invocation({ project_dir: project }), fakeEnv('work_then_crash'));
    expect(crashed.outcome.kind).toBe('failed');
    expect(crashed.events.filter((e) => e.type === 'usage')).toEqual([
      { type: 'usage', input_tokens: 20, output_tokens: 6, cache_read_input_tokens: 4, cache_creation_input_tokens: 0, model: 'claude-fake-1', partial: true },
    ]);
    // A failure Claude reported with its result message: that message's usage (with cost) is the only one.
    const failed = await runExecutor(invocation({ project_dir: project }), fakeEnv('budget'));
    expect(failed.outcome.kind).toBe('failed');
    const usage = failed.events.filter((e) => e.type === 'usage');
    expect(usage).toHaveLength(1);
    expect(usage[0]).toMatchObject({ cost_usd: expect.any(Number), cost_scope: 'executor_session' });
    expect(usage[0]).not.toHaveProperty('partial');
  });

  it('exits 75 with a hint when CLAUDE_CODE_EXECUTABLE does not exist', async () => {
    const { outcome, stderr } = await runExecutor(invocation({ project_dir: project }), fakeEnv('ok', { CLAUDE_CODE_EXECUTABLE: join(dir, 'no-such-claude') }));
    expect(outcome.kind).toBe('infra_failed');
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^claude-code: cannot start Claude Code \(.*no-such-claude.*\); install it or point CLAUDE_CODE_EXECUTABLE/);
  });

  it('exits 75 naming the variable when the executor configuration is invalid', async () => {
    const { outcome, stderr } = await runExecutor(invocation({ project_dir: project }), fakeEnv('ok', { AGENT_RUNNER_CLAUDE_MAX_TURNS: 'lots' }));
    expect(outcome.kind).toBe('infra_failed');
    expect(stderr).toEqual(['claude-code: invalid configuration: AGENT_RUNNER_CLAUDE_MAX_TURNS: must be a whole number']);
  });

  it('rejects an invalid blueprint field with exit 2 and the field named', async () => {
    const { outcome, stderr } = await runExecutor(
      invocation({ project_dir: project, agent_blueprint: { name: 'w', max_turns: 0, permission_mode: 'yolo' } }),
      fakeEnv(),
    );
    expect(outcome.kind).toBe('rejected');
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toContain('agent_blueprint.permission_mode: permission_mode must be one of default, acceptEdits');
    expect(stderr[0]).toContain('agent_blueprint.max_turns: max_turns must be at least 1');
  });
});

describe('claude-code executor with a fake claude: SIGTERM', () => {
  it('cancels on SIGTERM to its process group (as the runner does) and leaves no claude behind', async () => {
    const controller = new AbortController();
    const run = startExecutor(invocation({ project_dir: project }), fakeEnv('hang'), { signal: controller.signal, graceMs: 5_000 });
    await run.waitFor('bind');
    const [record] = readRecords(recordFile);
    expect(isRunning(record!.pid)).toBe(true);
    controller.abort();
    const { outcome } = await run.done;
    expect(outcome.kind).toBe('cancelled');
    expect(outcome.forcefully_killed).toBe(false);
    await waitUntil(() => !isRunning(record!.pid), 'the fake claude is gone');
  });

  it('reports the usage so far (each assistant message once, no cost) when cancelled before Claude\'s result', async () => {
    const controller = new AbortController();
    const run = startExecutor(invocation({ project_dir: project }), fakeEnv('work_then_hang'), { signal: controller.signal, graceMs: 5_000 });
    await waitUntil(() => run.events.some((e) => e.type === 'message' && e.text === 'Still working.'), 'the second assistant message');
    controller.abort();
    const { outcome, events } = await run.done;
    expect(outcome.kind).toBe('cancelled');
    const usage = events.filter((e) => e.type === 'usage');
    // Two assistant messages (the first over two content blocks with one id), 10/3/2/0 tokens each.
    expect(usage).toEqual([
      { type: 'usage', input_tokens: 20, output_tokens: 6, cache_read_input_tokens: 4, cache_creation_input_tokens: 0, model: 'claude-fake-1', partial: true },
    ]);
    // Before the executor's last words.
    expect(events.findIndex((e) => e.type === 'usage')).toBeLessThan(events.findIndex((e) => e.type === 'log' && /cancelled by/.test(e.message)));
  });

  it('counts Claude Code ended by a SIGTERM it did not send as a cancel (the group signal seen in the other order)', async () => {
    // The runner's SIGTERM reaches Claude Code and the executor together; on a busy machine Claude Code's end
    // can reach the executor before its own handler runs. Signalling Claude Code alone is that order, always.
    const run = startExecutor(invocation({ project_dir: project }), fakeEnv('work_then_hang'));
    await waitUntil(() => run.events.some((e) => e.type === 'message' && e.text === 'Still working.'), 'the second assistant message');
    const [record] = readRecords(recordFile);
    process.kill(record!.pid, 'SIGTERM');
    const { outcome, events, stderr } = await run.done;
    expect(outcome.exit_code).toBe(143);
    expect(stderr).toEqual(['claude-code: cancelled by SIGTERM']);
    const usageAt = events.findIndex((e) => e.type === 'usage' && e.partial === true);
    const cancelAt = events.findIndex((e) => e.type === 'log' && e.message === 'cancelled by SIGTERM; Claude Code stopped');
    expect(usageAt).toBeGreaterThanOrEqual(0);
    expect(cancelAt).toBeGreaterThan(usageAt);
  });

  it('stops Claude Code itself when only the executor gets SIGTERM, escalating to SIGKILL if it must', async () => {
    const env = fakeEnv('hang', { FAKE_CLAUDE_IGNORE_SIGTERM: '1', AGENT_RUNNER_CLAUDE_KILL_GRACE_MS: '300' });
    const run = startExecutor(invocation({ project_dir: project }), env);
    await run.waitFor('bind');
    const [record] = readRecords(recordFile);
    process.kill(run.child.pid!, 'SIGTERM'); // the executor alone, not its group
    const { outcome, events, stderr } = await run.done;
    expect(outcome.exit_code).toBe(143);
    expect(outcome.left_processes_behind).toBe(false);
    expect(isRunning(record!.pid)).toBe(false);
    expect(events).toContainEqual({ type: 'log', level: 'warn', message: 'cancelled by SIGTERM; Claude Code stopped' });
    expect(stderr).toEqual(['claude-code: cancelled by SIGTERM']);
  });
});
