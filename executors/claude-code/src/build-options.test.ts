import { describe, expect, it } from 'vitest';
import type { Invocation } from '../../../protocol/invocation.js';
import { buildOptions, CLIENT_APP, toSdkMcpServer, type BuildOptionsInput } from './build-options.js';
import { readConfig, type ExecutorConfig } from './config.js';

const config = (env: Record<string, string> = {}): ExecutorConfig => {
  const read = readConfig(env);
  if (!read.ok) throw new Error(read.reason);
  return read.config;
};
const input = (overrides: Partial<BuildOptionsInput> = {}, invocation: Partial<Invocation> = {}): BuildOptionsInput => ({
  invocation: { schema_version: '2.0', mode: 'start', session_id: 'ses_1', prompt: 'hi', ...invocation },
  settings: { systemPromptMode: 'append' },
  config: config(),
  resumeId: undefined,
  env: { PATH: '/bin' },
  cwd: '/here',
  ...overrides,
});

describe('buildOptions', () => {
  it('uses Claude Code’s own system prompt and the headless permission mode by default', () => {
    expect(buildOptions(input())).toEqual({
      cwd: '/here',
      env: { PATH: '/bin', CLAUDE_AGENT_SDK_CLIENT_APP: CLIENT_APP },
      permissionMode: 'acceptEdits',
      systemPrompt: { type: 'preset', preset: 'claude_code' },
    });
  });

  it('runs in project_dir and resumes the given session', () => {
    expect(buildOptions(input({ resumeId: 'abc' }, { project_dir: '/project' }))).toMatchObject({ cwd: '/project', resume: 'abc' });
  });

  it('appends the blueprint system prompt, or replaces it', () => {
    const blueprint = { name: 'w', system_prompt: 'Be brief.' };
    expect(buildOptions(input({}, { agent_blueprint: blueprint })).systemPrompt).toEqual({ type: 'preset', preset: 'claude_code', append: 'Be brief.' });
    expect(buildOptions(input({ settings: { systemPromptMode: 'replace' } }, { agent_blueprint: blueprint })).systemPrompt).toBe('Be brief.');
  });

  it('passes MCP servers and allows their tools, keeping explicit allowed tools', () => {
    const options = buildOptions(
      input(
        { settings: { systemPromptMode: 'append', allowedTools: ['Read', 'mcp__orchestrator'] } },
        { agent_blueprint: { name: 'w', mcp_servers: { orchestrator: { type: 'http', url: 'http://127.0.0.1:1/mcp', headers: { A: 'b' } }, extra: { type: 'sse', url: 'http://127.0.0.1:2/sse' } } } },
      ),
    );
    expect(options.mcpServers).toEqual({
      orchestrator: { type: 'http', url: 'http://127.0.0.1:1/mcp', headers: { A: 'b' } },
      extra: { type: 'sse', url: 'http://127.0.0.1:2/sse' },
    });
    expect(options.mcpServersDelivery).toBe('initialize');
    expect(options.allowedTools).toEqual(['Read', 'mcp__orchestrator', 'mcp__extra']);
  });

  it('prefers blueprint values over the config, and adds disallowed tools up', () => {
    const cfg = config({
      AGENT_RUNNER_CLAUDE_MODEL: 'm-config',
      AGENT_RUNNER_CLAUDE_MAX_TURNS: '5',
      AGENT_RUNNER_CLAUDE_MAX_BUDGET_USD: '1',
      AGENT_RUNNER_CLAUDE_DISALLOWED_TOOLS: 'WebFetch,Bash',
      CLAUDE_CODE_EXECUTABLE: '/opt/claude',
    });
    expect(buildOptions(input({ config: cfg }))).toMatchObject({ model: 'm-config', maxTurns: 5, maxBudgetUsd: 1, disallowedTools: ['WebFetch', 'Bash'], pathToClaudeCodeExecutable: '/opt/claude' });
    const settings = { systemPromptMode: 'append' as const, model: 'm-blueprint', maxTurns: 9, maxBudgetUsd: 3, disallowedTools: ['Bash', 'Write'], permissionMode: 'bypassPermissions' as const };
    expect(buildOptions(input({ config: cfg, settings }))).toMatchObject({
      model: 'm-blueprint',
      maxTurns: 9,
      maxBudgetUsd: 3,
      disallowedTools: ['WebFetch', 'Bash', 'Write'],
      permissionMode: 'bypassPermissions',
      allowDangerouslySkipPermissions: true,
    });
  });

  it("passes the fallback model as Claude Code's fallbackModel, never the model itself", () => {
    expect(buildOptions(input({ settings: { systemPromptMode: 'append', model: 'a', fallbackModel: 'b' } }))).toMatchObject({ model: 'a', fallbackModel: 'b' });
    expect(buildOptions(input({ settings: { systemPromptMode: 'append', model: 'a' } })).fallbackModel).toBeUndefined();
    const cfg = config({ AGENT_RUNNER_CLAUDE_MODEL: 'b' });
    expect(buildOptions(input({ config: cfg, settings: { systemPromptMode: 'append', fallbackModel: 'b' } })).fallbackModel).toBeUndefined();
  });

  it('asks for structured output when the blueprint has an output schema', () => {
    const schema = { type: 'object', properties: { n: { type: 'number' } } };
    expect(buildOptions(input({ settings: { systemPromptMode: 'append', outputSchema: schema } })).outputFormat).toEqual({ type: 'json_schema', schema });
  });

  it('gives the tools the approvals list ask rules (which win over allow rules), leaving the rest as it was', () => {
    const settings = { systemPromptMode: 'append' as const, allowedTools: ['Bash', 'Read'], approvals: { tools: ['Bash', 'mcp__github__*'], timeoutS: 60 } };
    const options = buildOptions(input({ settings }));
    expect(options.settings).toEqual({ permissions: { ask: ['Bash', 'mcp__github'] } });
    expect(options.allowedTools).toEqual(['Bash', 'Read']);
    expect(options.permissionMode).toBe('acceptEdits');
    expect(options.canUseTool).toBeUndefined(); // main.ts sets it: it needs the run's MCP client and abort signal
    expect(buildOptions(input()).settings).toBeUndefined();
  });
});

describe('toSdkMcpServer', () => {
  it('keeps only the fields Claude Code knows, inferring stdio from a command', () => {
    expect(toSdkMcpServer({ command: 'node', args: ['s.js'], note: 'x' } as never)).toEqual({ type: 'stdio', command: 'node', args: ['s.js'] });
    expect(toSdkMcpServer({ url: 'http://h/mcp' })).toEqual({ type: 'http', url: 'http://h/mcp' });
  });
});
