/**
 * Approvals at the executor's edge, through the fake `claude` and its `can_use_tool` control requests:
 * what Claude Code is started with, and every way an approval is denied without a person's answer
 * (tool not listed, no orchestrator server, the coordinator unreachable). The round trips through a real
 * coordinator are in approvals.test.ts.
 */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AgentBlueprint } from '../../protocol/invocation.js';
import { freePort } from '../helpers/fixtures.js';
import { FAKE_CLAUDE, invocation, isolatedEnv, readRecords, runExecutor, scratchDir } from './helpers/run-executor.js';

let dir: string;
let project: string;
let recordFile: string;

beforeEach(() => {
  dir = scratchDir();
  project = scratchDir('claude-code-project-');
  recordFile = join(dir, 'record.jsonl');
});

function permissionEnv(calls?: Array<{ name: string; input: Record<string, unknown> }>) {
  return isolatedEnv(dir, {
    CLAUDE_CODE_EXECUTABLE: FAKE_CLAUDE,
    FAKE_CLAUDE_SCENARIO: 'permission',
    FAKE_CLAUDE_RECORD: recordFile,
    ...(calls === undefined ? {} : { FAKE_CLAUDE_PERMISSION_CALLS: JSON.stringify(calls) }),
  });
}

async function run(blueprint: AgentBlueprint, calls?: Array<{ name: string; input: Record<string, unknown> }>) {
  const result = await runExecutor(invocation({ project_dir: project, agent_blueprint: blueprint }), permissionEnv(calls));
  const [record] = readRecords(recordFile);
  return { ...result, record: record! as typeof record & { permissions: Array<{ tool: string; decision: Record<string, unknown> }> } };
}

const resultText = (outcome: { result?: unknown }) => (outcome.result as { result_text: string }).result_text;

describe('claude-code approvals: what Claude Code is started with', () => {
  it('without approvals: no permission callback, so Claude Code denies what it would ask about (as before)', async () => {
    const { outcome, record } = await run({ name: 'w' });
    expect(outcome.kind).toBe('succeeded');
    expect(record.argv.some((a) => a.startsWith('--permission-prompt-tool'))).toBe(false);
    expect(record.argv.some((a) => a.startsWith('--settings'))).toBe(false);
    expect(resultText(outcome)).toBe("Bash: denied: Claude requested permissions to use Bash, but you haven't granted it yet.");
  });

  it('with approvals: the permission prompt goes to the host, and listed tools get ask rules (exact names and mcp__server__*)', async () => {
    const { record } = await run({ name: 'w', approvals: { tools: ['Bash', 'Write', 'mcp__github__*', 'mcp__x__create_*'] } });
    expect(record.argv).toContain('--permission-prompt-tool=stdio');
    const settingsArg = record.argv[record.argv.indexOf('--settings') + 1] ?? record.argv.find((a) => a.startsWith('--settings='))?.slice('--settings='.length);
    expect(JSON.parse(settingsArg!)).toEqual({ permissions: { ask: ['Bash', 'Write', 'mcp__github'] } });
  });
});

describe('claude-code approvals: denied without a person when the approval cannot be asked', () => {
  it('a tool the approvals do not list is denied as a headless run denies it, and the coordinator is not asked', async () => {
    const port = await freePort(); // nothing listens: asking would fail loudly
    const blueprint = { name: 'w', approvals: { tools: ['Write'] }, mcp_servers: { orchestrator: { type: 'http' as const, url: `http://127.0.0.1:${port}/mcp` } } };
    const { outcome, record, events } = await run(blueprint);
    expect(outcome.kind).toBe('succeeded');
    expect(record.permissions).toEqual([
      {
        tool: 'Bash',
        input: { command: 'echo hi' },
        decision: expect.objectContaining({ behavior: 'deny', message: "Permission to use Bash has not been granted: it is not in allowed_tools, and this agent's approvals do not list it." }),
      },
    ]);
    expect(events.filter((e) => e.type === 'log' && e.message.startsWith('approval'))).toEqual([]);
  });

  it('a listed tool with no orchestrator MCP server in the blueprint is denied, saying why', async () => {
    const { outcome, events } = await run({ name: 'w', approvals: { tools: ['Bash'] } });
    expect(outcome.kind).toBe('succeeded');
    expect(resultText(outcome)).toBe("Bash: denied: Bash call denied: it needs a person's approval, and this session has no orchestrator MCP server to ask through.");
    expect(events).toContainEqual(expect.objectContaining({ type: 'log', level: 'warn', message: expect.stringContaining('approvals: the blueprint has no "orchestrator" MCP server') }));
  });

  it('a listed tool is denied (never allowed) when the coordinator cannot be reached, with the reason', async () => {
    const port = await freePort();
    const blueprint = { name: 'w', approvals: { tools: ['Bash'] }, mcp_servers: { orchestrator: { type: 'http' as const, url: `http://127.0.0.1:${port}/mcp` } } };
    const { outcome, events, record } = await run(blueprint, [
      { name: 'Bash', input: { command: 'rm -rf /tmp/nothing' } },
      { name: 'Bash', input: { command: 'ls' } },
    ]);
    expect(outcome.kind).toBe('succeeded');
    expect(record.permissions.map((p) => p.decision.behavior)).toEqual(['deny', 'deny']);
    for (const line of resultText(outcome).split('\n')) expect(line).toMatch(/^Bash: denied: Bash call denied: the approval could not be asked \(.+\)\.$/);
    expect(events.filter((e) => e.type === 'log' && e.level === 'warn' && e.message.startsWith('approval for Bash could not be asked'))).toHaveLength(2);
  });

  it('a malformed approvals field is refused before Claude starts, naming the field', async () => {
    for (const [approvals, message] of [
      [{ tools: [] }, 'agent_blueprint.approvals.tools: approvals.tools must name at least one tool'],
      [{ tools: [''] }, 'agent_blueprint.approvals.tools[0]: approvals.tools: a tool name must not be empty'],
      [{ tools: 'Bash' }, 'agent_blueprint.approvals.tools: Invalid input: expected array, received string'],
      [{ tools: ['Bash'], timeout_s: -1 }, 'agent_blueprint.approvals.timeout_s: timeout_s must be a positive whole number of seconds'],
      [{ tools: ['Bash'], on_timeout: 'maybe' }, 'agent_blueprint.approvals.on_timeout: on_timeout must be "deny" or "allow"'],
      [{ tools: ['Bash'], timeot_s: 5 }, 'timeot_s'],
      ['Bash', 'agent_blueprint.approvals: Invalid input: expected object, received string'],
    ] as const) {
      const { outcome, stderr } = await runExecutor(
        invocation({ project_dir: project, agent_blueprint: { name: 'w', approvals } as unknown as AgentBlueprint }),
        permissionEnv(),
      );
      expect(outcome.kind).toBe('rejected');
      expect(stderr.join('\n')).toContain(message);
    }
    expect(readRecords(recordFile)).toEqual([]);
  });
});
