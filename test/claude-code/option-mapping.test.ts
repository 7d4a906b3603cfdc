import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AgentBlueprint } from '../../protocol/invocation.js';
import { FAKE_CLAUDE, invocation, isolatedEnv, readRecords, runExecutor, scratchDir, type FakeClaudeRecord } from './helpers/run-executor.js';

let dir: string;
let project: string;
let recordFile: string;

beforeEach(() => {
  dir = scratchDir();
  project = scratchDir('claude-code-project-');
  recordFile = join(dir, 'record.jsonl');
});

/** Run once with the fake claude and return what it was started with. */
async function launch(
  blueprint: AgentBlueprint | undefined,
  env: Record<string, string> = {},
  extra: { resumeId?: string; metadata?: Record<string, unknown> } = {},
): Promise<FakeClaudeRecord> {
  const inv = invocation({
    project_dir: project,
    ...(blueprint === undefined ? {} : { agent_blueprint: blueprint }),
    ...(extra.resumeId === undefined ? {} : { mode: 'resume', metadata: { executor_session_id: extra.resumeId } }),
    ...(extra.metadata === undefined ? {} : { metadata: extra.metadata }),
  });
  const { outcome, stderr } = await runExecutor(inv, isolatedEnv(dir, { CLAUDE_CODE_EXECUTABLE: FAKE_CLAUDE, FAKE_CLAUDE_RECORD: recordFile, ...env }));
  expect(stderr).toEqual([]);
  expect(outcome.kind).toBe('succeeded');
  const records = readRecords(recordFile);
  expect(records).toHaveLength(1);
  return records[0]!;
}

/** `--name=value` flags of a recorded argv. */
function flags(record: FakeClaudeRecord): Record<string, string> {
  return Object.fromEntries(
    record.argv.filter((a) => a.startsWith('--') && a.includes('=')).map((a) => [a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]),
  );
}

const ORCHESTRATOR = {
  type: 'http' as const,
  url: 'http://127.0.0.1:54321/mcp',
  headers: { 'X-Agent-Session-Id': 'ses_claude01', Authorization: 'Bearer secret-token' },
};

describe('claude-code executor: invocation → Claude Code options', () => {
  it('runs in project_dir with the headless defaults and no optional flags', async () => {
    const record = await launch(undefined);
    expect(record.cwd).toBe(project);
    expect(flags(record)).toEqual({ 'permission-mode': 'acceptEdits' });
    expect(record.argv.slice(0, 5)).toEqual(['--output-format', 'stream-json', '--verbose', '--input-format', 'stream-json']);
    expect(record.initialize).toMatchObject({ subtype: 'initialize' });
    expect(record.initialize!.systemPrompt).toBeUndefined();
    expect(record.initialize!.appendSystemPrompt).toBeUndefined();
    expect(record.initialize!.mcpServers).toBeUndefined();
  });

  it("appends the blueprint's system prompt to Claude Code's own by default", async () => {
    const record = await launch({ name: 'w', system_prompt: 'You are a worker agent.' });
    expect(record.initialize!.appendSystemPrompt).toBe('You are a worker agent.');
    expect(record.initialize!.systemPrompt).toBeUndefined();
  });

  it('replaces the system prompt when the blueprint says system_prompt_mode "replace"', async () => {
    const record = await launch({ name: 'w', system_prompt: 'You are only this.', system_prompt_mode: 'replace' });
    expect(record.initialize!.systemPrompt).toEqual(['You are only this.']);
    expect(record.initialize!.appendSystemPrompt).toBeUndefined();
  });

  it('hands the MCP servers over in the initialize request (headers stay off argv) and allows their tools', async () => {
    const record = await launch({
      name: 'w',
      mcp_servers: { orchestrator: ORCHESTRATOR, local: { command: 'node', args: ['server.js'], env: { A: '1' } } },
    });
    expect(record.initialize!.mcpServers).toEqual({
      orchestrator: ORCHESTRATOR,
      local: { type: 'stdio', command: 'node', args: ['server.js'], env: { A: '1' } },
    });
    expect(record.argv).toContain('--await-initialize');
    expect(record.argv.join(' ')).not.toContain('secret-token');
    expect(flags(record).allowedTools).toBe('mcp__orchestrator,mcp__local');
  });

  it('puts MCP servers on argv when AGENT_RUNNER_CLAUDE_MCP_DELIVERY=argv (for an older claude)', async () => {
    const record = await launch({ name: 'w', mcp_servers: { orchestrator: ORCHESTRATOR } }, { AGENT_RUNNER_CLAUDE_MCP_DELIVERY: 'argv' });
    const at = record.argv.indexOf('--mcp-config');
    expect(JSON.parse(record.argv[at + 1]!)).toEqual({ mcpServers: { orchestrator: ORCHESTRATOR } });
    expect(record.initialize!.mcpServers).toBeUndefined();
  });

  it('maps the blueprint: model, permission mode, tools, max turns, budget', async () => {
    const record = await launch({
      name: 'w',
      model: 'claude-sonnet-9',
      permission_mode: 'dontAsk',
      allowed_tools: ['Read', 'Bash(npm test)'],
      disallowed_tools: ['WebFetch'],
      max_turns: 7,
      max_budget_usd: 1.5,
    });
    expect(flags(record)).toEqual({
      model: 'claude-sonnet-9',
      'permission-mode': 'dontAsk',
      allowedTools: 'Read,Bash(npm test)',
      disallowedTools: 'WebFetch',
      'max-turns': '7',
      'max-budget-usd': '1.5',
    });
  });

  it('takes the defaults from the executor config, and the blueprint wins over them', async () => {
    const env = {
      AGENT_RUNNER_CLAUDE_MODEL: 'claude-haiku-9',
      AGENT_RUNNER_CLAUDE_PERMISSION_MODE: 'plan',
      AGENT_RUNNER_CLAUDE_ALLOWED_TOOLS: 'Read, Grep',
      AGENT_RUNNER_CLAUDE_DISALLOWED_TOOLS: 'WebSearch',
      AGENT_RUNNER_CLAUDE_MAX_TURNS: '3',
      AGENT_RUNNER_CLAUDE_MAX_BUDGET_USD: '0.25',
    };
    expect(flags(await launch(undefined, env))).toEqual({
      model: 'claude-haiku-9',
      'permission-mode': 'plan',
      allowedTools: 'Read,Grep',
      disallowedTools: 'WebSearch',
      'max-turns': '3',
      'max-budget-usd': '0.25',
    });
  });

  it('lets the blueprint override the config, while disallowed tools add up', async () => {
    const env = { AGENT_RUNNER_CLAUDE_MODEL: 'claude-haiku-9', AGENT_RUNNER_CLAUDE_ALLOWED_TOOLS: 'Read', AGENT_RUNNER_CLAUDE_DISALLOWED_TOOLS: 'WebSearch', AGENT_RUNNER_CLAUDE_MAX_TURNS: '3' };
    const record = await launch({ name: 'w', model: 'claude-opus-9', allowed_tools: ['Edit'], disallowed_tools: ['Bash'], max_turns: 9 }, env);
    expect(flags(record)).toMatchObject({ model: 'claude-opus-9', allowedTools: 'Edit', disallowedTools: 'WebSearch,Bash', 'max-turns': '9' });
  });

  // Nothing left (0) adds no limit of its own (the coordinator stops that tree); no dollars in the budget neither.
  it.each([
    ['only the tree left', undefined, {}, { usd: 0.4, tokens: 1000 }, '0.4'],
    ['the blueprint, smaller', { name: 'w', max_budget_usd: 0.1 }, {}, { usd: 0.4 }, '0.1'],
    ['the tree left, smaller than the config', undefined, { AGENT_RUNNER_CLAUDE_MAX_BUDGET_USD: '2' }, { usd: 0.75 }, '0.75'],
    ['nothing left', undefined, {}, { usd: 0 }, undefined],
    ['no dollars in the budget', undefined, {}, { tokens: 5 }, undefined],
  ] as const)("bounds the run by what its tree has left (metadata.budget.usd), the lesser of it and its own: %s", async (_what, blueprint, env, budget, expected) => {
    expect(flags(await launch(blueprint, env, { metadata: { budget } }))['max-budget-usd']).toBe(expected);
  });

  it('passes --allow-dangerously-skip-permissions only with bypassPermissions', async () => {
    const record = await launch({ name: 'w', permission_mode: 'bypassPermissions' });
    expect(record.argv).toContain('--allow-dangerously-skip-permissions');
    expect(flags(record)['permission-mode']).toBe('bypassPermissions');
  });

  it('resumes with --resume and the executor session id from metadata', async () => {
    const record = await launch(undefined, {}, { resumeId: '0b7f9a4e-5f0c-4a43-9a53-2f1b6a1f0c11' });
    expect(flags(record).resume).toBe('0b7f9a4e-5f0c-4a43-9a53-2f1b6a1f0c11');
  });
});
