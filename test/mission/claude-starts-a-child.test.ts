/**
 * The mission, end to end through `agent-runner run`: the real Claude Code CLI (driven by the claude-code
 * executor, against a fake Anthropic Messages API on 127.0.0.1) calls the runner's MCP endpoint to start a
 * child agent in sync mode; the child runs on test-executor; its result goes back to Claude as the tool
 * result, and the parent session's result reflects it. Nothing leaves the machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAnthropicApi, toolResultText, type FakeAnthropicApi, type FakeTurn } from '../claude-code/helpers/fake-anthropic-api.js';
import { isolatedEnv, scratchDir } from '../claude-code/helpers/run-executor.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/fixtures.js';
import { findRealClaudeCli } from '../claude-code/helpers/real-claude-cli.js';

const cli = findRealClaudeCli();
if ('skip' in cli) console.log(`skipping the mission test: ${cli.skip}`);
const describeReal = 'skip' in cli ? describe.skip : describe;


let api: FakeAnthropicApi | undefined;
let cwd: string;
let home: string;
beforeEach(() => {
  cwd = scratchDir('mission-cwd-');
  home = scratchDir('mission-home-');
});
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describeReal('the mission: Claude Code starts a child agent through the runner MCP endpoint', () => {
  it('agent-runner run --agent parent: the child runs on test-executor and its result comes back to Claude', async () => {
    mkdirSync(join(cwd, 'agents'));
    writeFileSync(join(cwd, 'agents', 'parent.json'), JSON.stringify({ name: 'parent', executor: 'claude-code', system_prompt: 'Delegate to the child agent.' }));
    writeFileSync(join(cwd, 'agents', 'child.json'), JSON.stringify({ name: 'child', executor: 'test-executor', description: 'echoes' }));
    const startChild: FakeTurn = {
      kind: 'tool_use',
      id: 'toolu_child1',
      name: 'mcp__orchestrator__start_agent_session',
      input: { agent: 'child', prompt: 'ping from Claude', mode: 'sync' },
    };
    const answer = (body: any): FakeTurn => ({ kind: 'text', text: `The child answered: ${toolResultText(body) ?? 'nothing'}` });
    api = await startFakeAnthropicApi([startChild], answer);

    const env = isolatedEnv(home, { ANTHROPIC_BASE_URL: api.url, ANTHROPIC_API_KEY: 'sk-ant-fake', AGENT_RUNNER_LOCAL_PORT: String(await freePort()) });
    const run = await runCli(['run', '--agent', 'parent', 'Ask the child agent to ping', '--json'], { cwd, env: env as Record<string, string> });
    const lines = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    const outcome = lines.at(-1)!;
    expect(outcome, run.stderr).toMatchObject({ type: 'outcome', status: 'succeeded' });

    // Claude called the runner's MCP tool, and got the child's result back as the tool result.
    const events = lines.filter((l) => l.event !== undefined).map((l) => l.event);
    expect(events).toContainEqual(expect.objectContaining({ type: 'tool_call', name: 'mcp__orchestrator__start_agent_session' }));
    const toolResult = events.find((e) => e.type === 'tool_result' && e.id === 'toolu_child1');
    expect(JSON.stringify(toolResult?.output)).toContain('Echo: ping from Claude');
    expect(toolResult?.is_error).toBe(false);
    // The parent's result reflects the child's.
    expect(outcome.result.result_text).toContain('The child answered:');
    expect(outcome.result.result_text).toContain('Echo: ping from Claude');
    // The second model turn carried the tool result (the fake API saw it).
    expect(toolResultText(api.turns()[1]!.body)).toContain('Echo: ping from Claude');

    // The child is a real session whose parent is Claude's session.
    const listed = await runCli(['sessions', 'list', '--json'], { cwd, env: env as Record<string, string> });
    const sessions = JSON.parse(listed.stdout).sessions as Array<Record<string, any>>;
    const parent = sessions.find((s) => s.agent === 'parent');
    const child = sessions.find((s) => s.agent === 'child');
    expect(child).toMatchObject({ status: 'idle', parent_session_id: parent?.session_id, result: { result_text: 'Echo: ping from Claude' } });
  }, 120_000);
});
