/**
 * Approvals with the real Claude Code CLI (against a fake Messages API on 127.0.0.1): the ask rules the
 * executor passes make Claude Code ask even where an allow rule or acceptEdits would let the call through;
 * and through a real coordinator and runner, a Bash call that waits for a person, allowed once and denied
 * once with a message the model gets as the tool result.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAnthropicApi, toolResultText, type FakeAnthropicApi, type FakeTurn } from './helpers/fake-anthropic-api.js';
import { startMcpToolServer, type McpToolServer } from './helpers/mcp-tool-server.js';
import { findRealClaudeCli } from './helpers/real-claude-cli.js';
import { invocation, isolatedEnv, runExecutor, scratchDir } from './helpers/run-executor.js';
import { eventually } from '../coordinator/helpers.js';
import { WAIT_MS } from '../helpers/fixtures.js';
import { allEvents, createSession, useRunnerKit, waitForSession } from '../runner/runner-kit.js';

const cli = findRealClaudeCli();
if ('skip' in cli) console.log(`skipping the real Claude Code CLI approval tests: ${cli.skip}`);
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
const echo = (body: any): FakeTurn => ({ kind: 'text', text: `Tool said: ${toolResultText(body) ?? 'nothing'}` });

describeReal('claude-code approvals with the real Claude Code CLI: ask rules', () => {
  it('asks for a listed Bash call even when allowed_tools allows Bash (denied here: no orchestrator to ask)', async () => {
    api = await startFakeAnthropicApi([{ kind: 'tool_use', id: 'toolu_b1', name: 'Bash', input: { command: 'touch made-by-bash', description: 'make a file' } }], echo);
    const { outcome } = await runExecutor(
      invocation({ prompt: 'make a file', project_dir: project, agent_blueprint: { name: 'w', allowed_tools: ['Bash'], approvals: { tools: ['Bash'] } } }),
      realEnv(api.url),
    );
    expect(outcome.kind).toBe('succeeded');
    expect(toolResultText(api.turns()[1]!.body)).toContain("Bash call denied: it needs a person's approval, and this session has no orchestrator MCP server to ask through.");
    expect(existsSync(join(project, 'made-by-bash'))).toBe(false);
  }, 60_000);

  it('asks for a listed Write call although acceptEdits accepts edits in the project', async () => {
    api = await startFakeAnthropicApi([{ kind: 'tool_use', id: 'toolu_w1', name: 'Write', input: { file_path: join(project, 'new.txt'), content: 'hello' } }], echo);
    const { outcome } = await runExecutor(
      invocation({ prompt: 'write a file', project_dir: project, agent_blueprint: { name: 'w', approvals: { tools: ['Write'] } } }),
      realEnv(api.url),
    );
    expect(outcome.kind).toBe('succeeded');
    expect(toolResultText(api.turns()[1]!.body)).toContain("Write call denied: it needs a person's approval");
    expect(existsSync(join(project, 'new.txt'))).toBe(false);
  }, 60_000);

  it("asks for a blueprint MCP server's tool listed as mcp__<server>__*, although the server's tools are allowed", async () => {
    mcp = await startMcpToolServer({ k: 'v' });
    api = await startFakeAnthropicApi([{ kind: 'tool_use', id: 'toolu_m1', name: 'mcp__tools__lookup', input: { key: 'k' } }], echo);
    const { outcome } = await runExecutor(
      invocation({
        prompt: 'look it up',
        project_dir: project,
        agent_blueprint: { name: 'w', mcp_servers: { tools: { type: 'http', url: mcp.url } }, approvals: { tools: ['mcp__tools__*'] } },
      }),
      realEnv(api.url),
    );
    expect(outcome.kind).toBe('succeeded');
    expect(toolResultText(api.turns()[1]!.body)).toContain("mcp__tools__lookup call denied: it needs a person's approval");
    expect(mcp.calls).toEqual([]);
  }, 60_000);

  it('leaves tools the approvals do not list as they were: Write under acceptEdits still runs', async () => {
    api = await startFakeAnthropicApi([{ kind: 'tool_use', id: 'toolu_w2', name: 'Write', input: { file_path: join(project, 'free.txt'), content: 'hello' } }], echo);
    const { outcome } = await runExecutor(
      invocation({ prompt: 'write a file', project_dir: project, agent_blueprint: { name: 'w', approvals: { tools: ['Bash'] } } }),
      realEnv(api.url),
    );
    expect(outcome.kind).toBe('succeeded');
    expect(existsSync(join(project, 'free.txt'))).toBe(true);
  }, 60_000);
});

describeReal('claude-code approvals with the real Claude Code CLI, a real coordinator and runner', { timeout: 180_000 }, () => {
  const kit = useRunnerKit();

  it('a Bash tool_use waits for approval: allowed once (it runs), denied once (the message is the next tool_result)', async () => {
    const work = kit().tempDir();
    const first: FakeTurn = { kind: 'tool_use', id: 'toolu_a1', name: 'Bash', input: { command: 'echo approved-once', description: 'say it' } };
    const second: FakeTurn = { kind: 'tool_use', id: 'toolu_a2', name: 'Bash', input: { command: `touch ${join(work, 'denied-file')}`, description: 'make a file' } };
    api = await startFakeAnthropicApi([first, () => second], echo);

    const { url, api: coordinator } = await kit().coordinator();
    await kit().daemon(['-c', url, '-x', 'claude-code'], realEnv(api.url));
    const put = await coordinator('PUT', '/v1/agents/gatekeeper', { name: 'gatekeeper', executor: 'claude-code', approvals: { tools: ['Bash'], timeout_s: 600 } });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    const { session_id } = await createSession(coordinator, { agent: 'gatekeeper', project_dir: work, prompt: 'run two commands' });

    const questions = async () => (await allEvents(coordinator, session_id)).filter((e) => e.type === 'question').map((e) => e.event as Record<string, any>);
    const nth = async (n: number) => {
      await eventually(async () => ((await questions()).length > n ? true : undefined), WAIT_MS * 3);
      return (await questions())[n]!;
    };
    const answer = async (id: string, body: Record<string, unknown>) => {
      const res = await coordinator('POST', `/v1/questions/${id}/answer`, body);
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    };

    const q1 = await nth(0);
    expect(q1).toMatchObject({ kind: 'approval', subject: { tool: 'Bash', input: { command: 'echo approved-once', description: 'say it' } } });
    expect(api.turns()).toHaveLength(1); // the model waits with the call: no tool result yet
    await answer(q1.question_id, { decision: 'allow', answered_by: 'ana' });

    const q2 = await nth(1);
    expect(q2).toMatchObject({ kind: 'approval', subject: { tool: 'Bash', input: { command: `touch ${join(work, 'denied-file')}` } } });
    expect(toolResultText(api.turns()[1]!.body)).toContain('approved-once'); // the allowed call ran
    await answer(q2.question_id, { decision: 'deny', message: 'not today, ask again after the release', answered_by: 'ana' });

    const view = await waitForSession(coordinator, session_id, ['idle', 'failed'], WAIT_MS * 3);
    expect(view.status, JSON.stringify(view)).toBe('idle');
    const denied = toolResultText(api.turns()[2]!.body);
    expect(denied).toContain('Bash call denied by ana: not today, ask again after the release');
    expect(existsSync(join(work, 'denied-file'))).toBe(false);
    expect((view.result as { result_text: string }).result_text).toContain('not today, ask again after the release');
  });
});
