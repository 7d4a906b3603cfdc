import { describe, expect, it } from 'vitest';
import { DEFAULT_KILL_GRACE_MS, readConfig } from './config.js';

describe('readConfig', () => {
  it('has a default for everything', () => {
    expect(readConfig({})).toEqual({
      ok: true,
      config: {
        executable: undefined,
        model: undefined,
        permissionMode: 'acceptEdits',
        allowedTools: [],
        disallowedTools: [],
        maxTurns: undefined,
        maxBudgetUsd: undefined,
        mcpDelivery: 'initialize',
        killGraceMs: DEFAULT_KILL_GRACE_MS,
      },
    });
  });

  it('reads every variable, trimming values and tool lists; empty counts as unset', () => {
    const result = readConfig({
      CLAUDE_CODE_EXECUTABLE: '/opt/claude',
      AGENT_RUNNER_CLAUDE_MODEL: ' claude-x ',
      AGENT_RUNNER_CLAUDE_PERMISSION_MODE: 'bypassPermissions',
      AGENT_RUNNER_CLAUDE_ALLOWED_TOOLS: 'Read, Bash(npm test) ,,',
      AGENT_RUNNER_CLAUDE_DISALLOWED_TOOLS: 'WebFetch',
      AGENT_RUNNER_CLAUDE_MAX_TURNS: '12',
      AGENT_RUNNER_CLAUDE_MAX_BUDGET_USD: '2.5',
      AGENT_RUNNER_CLAUDE_MCP_DELIVERY: 'argv',
      AGENT_RUNNER_CLAUDE_KILL_GRACE_MS: '0',
      AGENT_RUNNER_CLAUDE_UNKNOWN: 'ignored',
    });
    expect(result).toEqual({
      ok: true,
      config: {
        executable: '/opt/claude',
        model: 'claude-x',
        permissionMode: 'bypassPermissions',
        allowedTools: ['Read', 'Bash(npm test)'],
        disallowedTools: ['WebFetch'],
        maxTurns: 12,
        maxBudgetUsd: 2.5,
        mcpDelivery: 'argv',
        killGraceMs: 0,
      },
    });
    expect(readConfig({ AGENT_RUNNER_CLAUDE_MODEL: '  ' })).toMatchObject({ ok: true, config: { model: undefined } });
  });

  it('names each invalid variable and why', () => {
    const result = readConfig({
      AGENT_RUNNER_CLAUDE_PERMISSION_MODE: 'yolo',
      AGENT_RUNNER_CLAUDE_MAX_TURNS: '0',
      AGENT_RUNNER_CLAUDE_MAX_BUDGET_USD: 'cheap',
    });
    expect(result).toEqual({
      ok: false,
      reason:
        'invalid configuration: AGENT_RUNNER_CLAUDE_PERMISSION_MODE: must be one of default, acceptEdits, bypassPermissions, plan, dontAsk, auto; ' +
        'AGENT_RUNNER_CLAUDE_MAX_TURNS: must be at least 1; AGENT_RUNNER_CLAUDE_MAX_BUDGET_USD: must be a number',
    });
  });
});
