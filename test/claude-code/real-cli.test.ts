/**
 * The claude-code executor driving the real Claude Code CLI that the Agent SDK installs, against a fake
 * Anthropic Messages API on 127.0.0.1. No request leaves the machine.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutorEvent } from '../../protocol/executor-event.js';
import { startFakeAnthropicApi, toolResultText, type FakeAnthropicApi, type FakeTurn } from './helpers/fake-anthropic-api.js';
import { startMcpToolServer, type McpToolServer } from './helpers/mcp-tool-server.js';
import { findRealClaudeCli } from './helpers/real-claude-cli.js';
import { waitUntil } from '../helpers/fixtures.js';
import { invocation, isolatedEnv, isRunning, runExecutor, scratchDir, startExecutor } from './helpers/run-executor.js';

const cli = findRealClaudeCli();
if ('skip' in cli) console.log(`skipping the real Claude Code CLI tests: ${cli.skip}`);
const describeReal = 'skip' in cli ? describe.skip : describe;

let api: FakeAnthropicApi | undefined;
let mcp: McpToolServer | undefined;
let home: string;
let project: string;

beforeEach(() => {
  home = scratchDir('claude-code-home-');
  project = scratchDir('claude-code-project-');
});
afterEach(async () => {
  await api?.close();
  await mcp?.close();
  api = undefined;
  mcp = undefined;
});

const realEnv = (url: string) => isolatedEnv(home, { ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'sk-ant-fake' });
const messages = (events: ExecutorEvent[]) => events.filter((e) => e.type === 'message').map((e) => (e as { text: string }).text);

/** Direct children of a process, from /proc. */
function childPids(parent: number): number[] {
  const children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim();
  return children === '' ? [] : children.split(/\s+/).map(Number);
}

describeReal('claude-code executor with the real Claude Code CLI and a fake Messages API', () => {
  it('answers a prompt: bind, message, usage, result, exit 0, with the blueprint prompt appended', async () => {
    api = await startFakeAnthropicApi([], { kind: 'text', text: 'Hi from the fake API' });
    const { outcome, events, stderr } = await runExecutor(
      invocation({ prompt: 'say hi', project_dir: project, agent_blueprint: { name: 'w', system_prompt: 'You are the test worker agent.' } }),
      realEnv(api.url),
    );
    expect(stderr).toEqual([]);
    expect(outcome.kind).toBe('succeeded');
    expect(outcome.executor_session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(messages(events)).toEqual(['Hi from the fake API']);
    expect(events.find((e) => e.type === 'usage')).toMatchObject({ input_tokens: expect.any(Number), output_tokens: 7, cost_usd: expect.any(Number) });
    expect(outcome.result).toMatchObject({ result_text: 'Hi from the fake API', is_error: false });

    const [request] = api.turns();
    expect(request!.headers['x-api-key']).toBe('sk-ant-fake');
    const system = JSON.stringify(request!.body.system);
    expect(system).toContain('You are the test worker agent.');
    expect(system).toContain('Claude Code'); // its own prompt is kept: appended, not replaced
    expect(JSON.stringify(request!.body.messages)).toContain('say hi');
  });

  it('resumes the same Claude session: same id, the earlier turn sent again, cumulative cost', async () => {
    api = await startFakeAnthropicApi([{ kind: 'text', text: 'First answer' }, { kind: 'text', text: 'Second answer' }]);
    const first = await runExecutor(invocation({ prompt: 'first question', project_dir: project }), realEnv(api.url));
    expect(first.outcome.kind).toBe('succeeded');
    const sessionId = first.outcome.executor_session_id!;

    const second = await runExecutor(
      invocation({ mode: 'resume', prompt: 'second question', project_dir: project, metadata: { executor_session_id: sessionId } }),
      realEnv(api.url),
    );
    expect(second.stderr).toEqual([]);
    expect(second.outcome.kind).toBe('succeeded');
    expect(second.outcome.executor_session_id).toBe(sessionId);
    expect(messages(second.events)).toEqual(['Second answer']);
    const cost = (run: typeof first) => (run.events.find((e) => e.type === 'usage') as { cost_usd: number }).cost_usd;
    expect(cost(second)).toBeGreaterThan(cost(first));
    expect(cost(second)).toBeCloseTo(2 * cost(first), 6);

    const conversation = JSON.stringify(api.turns().at(-1)!.body.messages);
    expect(conversation).toContain('first question');
    expect(conversation).toContain('First answer');
    expect(conversation).toContain('second question');
  });

  it('says in one stderr line how to log in when there are no credentials (exit 75)', async () => {
    api = await startFakeAnthropicApi();
    const env = isolatedEnv(home, { ANTHROPIC_BASE_URL: api.url });
    const { outcome, stderr } = await runExecutor(invocation({ project_dir: project }), env);
    expect(outcome.kind).toBe('infra_failed');
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^claude-code: Claude Code has no valid credentials \(Claude Code said: Not logged in · Please run \/login\): .*ANTHROPIC_API_KEY/);
    expect(api.turns()).toEqual([]);
  });

  it('reports structured output as result_data when the blueprint has an output_schema', async () => {
    // With --json-schema, Claude Code gives the model a StructuredOutput tool whose input is the answer.
    api = await startFakeAnthropicApi([{ kind: 'tool_use', id: 'toolu_so1', name: 'StructuredOutput', input: { answer: 42 } }], { kind: 'text', text: 'Done.' });
    const schema = { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'], additionalProperties: false };
    const { outcome, stderr } = await runExecutor(
      invocation({ prompt: 'what is the answer?', project_dir: project, agent_blueprint: { name: 'w', output_schema: schema } }),
      realEnv(api.url),
    );
    expect(stderr).toEqual([]);
    expect(outcome.kind).toBe('succeeded');
    expect(outcome.result).toMatchObject({ result_data: { answer: 42 }, is_error: false });
  });

  it('stops at max_turns with exit 1 and the reason in the result and on stderr', async () => {
    writeFileSync(join(project, 'notes.txt'), 'remember the milk\n');
    api = await startFakeAnthropicApi([{ kind: 'tool_use', id: 'toolu_r1', name: 'Read', input: { file_path: join(project, 'notes.txt') } }], { kind: 'text', text: 'Too late.' });
    const { outcome, stderr, events } = await runExecutor(
      invocation({ prompt: 'read my notes', project_dir: project, agent_blueprint: { name: 'w', max_turns: 1 } }),
      realEnv(api.url),
    );
    expect(outcome.kind).toBe('failed');
    expect(outcome.result).toMatchObject({ is_error: true, subtype: 'error_max_turns', result_text: expect.stringMatching(/^Claude stopped at the maximum number of turns \(max_turns\)/) });
    expect(stderr).toEqual([`claude-code: ${(outcome.result as { result_text: string }).result_text}`]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'tool_result', id: 'toolu_r1', name: 'Read', is_error: false }));
  });

  it('stops Claude Code on SIGTERM while it waits for the API, leaving no Claude process behind', async () => {
    api = await startFakeAnthropicApi([], { kind: 'hang' });
    const run = startExecutor(invocation({ project_dir: project }), realEnv(api.url));
    await run.waitFor('bind');
    await waitUntil(() => api!.turns().length > 0, 'Claude Code asked the API for a turn');
    const claudePids = childPids(run.child.pid!);
    expect(claudePids.length).toBeGreaterThan(0);
    process.kill(run.child.pid!, 'SIGTERM'); // the executor alone: it must stop Claude Code itself
    const { outcome, stderr } = await run.done;
    expect(outcome.exit_code).toBe(143);
    expect(outcome.forcefully_killed).toBe(false);
    expect(outcome.left_processes_behind).toBe(false);
    expect(stderr).toEqual(['claude-code: cancelled by SIGTERM']);
    for (const pid of claudePids) expect(isRunning(pid)).toBe(false);
  });

  it("calls a blueprint MCP server's tool with its headers and answers from the tool result", async () => {
    mcp = await startMcpToolServer({ 'secret-word': 'PAPAYA' });
    const answer = (body: any): FakeTurn => ({ kind: 'text', text: `The tool said: ${toolResultText(body) ?? 'nothing'}` });
    api = await startFakeAnthropicApi([{ kind: 'tool_use', id: 'toolu_mcp1', name: 'mcp__tools__lookup', input: { key: 'secret-word' } }], answer);
    const headers = { 'X-Agent-Session-Id': 'ses_claude01', Authorization: 'Bearer token-for-ses_claude01' };
    const { outcome, events, stderr } = await runExecutor(
      invocation({ prompt: 'what is the secret word?', project_dir: project, agent_blueprint: { name: 'w', mcp_servers: { tools: { type: 'http', url: mcp.url, headers } } } }),
      realEnv(api.url),
    );
    expect(stderr).toEqual([]);
    expect(outcome.kind).toBe('succeeded');
    expect(mcp.calls).toHaveLength(1);
    expect(mcp.calls[0]!.args).toEqual({ key: 'secret-word' });
    expect(mcp.calls[0]!.headers).toMatchObject({ 'x-agent-session-id': 'ses_claude01', authorization: 'Bearer token-for-ses_claude01' });
    expect(events).toContainEqual({ type: 'tool_call', id: 'toolu_mcp1', name: 'mcp__tools__lookup', input: { key: 'secret-word' } });
    expect(events).toContainEqual({ type: 'tool_result', id: 'toolu_mcp1', name: 'mcp__tools__lookup', output: 'value of secret-word: PAPAYA', is_error: false });
    expect(outcome.result).toMatchObject({ result_text: 'The tool said: value of secret-word: PAPAYA', is_error: false });
    // Claude Code announces MCP tools to the model (as deferred tools, loaded through ToolSearch).
    expect(JSON.stringify(api.turns()[0]!.body)).toContain('mcp__tools__lookup');
  });

  // models [a, b]: the executor passes a as the model and b as Claude Code's fallbackModel. Claude Code (2.1)
  // asks a again after each 529 and switches after three in a row (about 3.5 s of its own backoff), which
  // needs CLAUDE_CODE_MAX_RETRIES ≥ 3 (0 fails on the first 529 without falling back).
  it('models [a, b, c]: a answers 529 overloaded, the answer comes from b; c is never asked', { timeout: 120_000 }, async () => {
    const overloaded: FakeTurn = { kind: 'status', status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } };
    api = await startFakeAnthropicApi([], (body: { model?: string }) => (body?.model === 'model-a' ? overloaded : { kind: 'text', text: `answered by ${body?.model}` }));
    const { outcome, events, stderr } = await runExecutor(
      invocation({ prompt: 'say hi', project_dir: project, agent_blueprint: { name: 'w', model: 'model-a', models: ['model-a', 'model-b', 'model-c'] } }),
      { ...realEnv(api.url), CLAUDE_CODE_MAX_RETRIES: '5' },
    );
    expect(stderr).toEqual([]);
    expect(outcome.kind).toBe('succeeded');
    expect(messages(events)).toEqual(['answered by model-b']);
    const asked = api.turns().map((r) => r.body?.model as string);
    expect(asked.at(-1)).toBe('model-b');
    expect(new Set(asked.slice(0, -1))).toEqual(new Set(['model-a']));
  });
});
