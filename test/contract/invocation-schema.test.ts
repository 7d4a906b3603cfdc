import { describe, expect, it } from 'vitest';
import { InvocationSchema, MAX_PROMPT_CHARS } from '../../protocol/invocation.js';
import { SEED_INVOCATION } from '../../lib/invocation/seed-invocation.js';
import { buildInvocation, InvalidInvocationError } from '../../lib/invocation/build-invocation.js';
import { formatFieldIssues, toFieldIssues } from '../../protocol/field-issues.js';

function issuesOf(value: unknown): string {
  const parsed = InvocationSchema.safeParse(value);
  if (parsed.success) return '';
  return formatFieldIssues(toFieldIssues(parsed.error));
}

describe('Schema 2.0 invocation', () => {
  it('accepts the DESIGN §4 seed payload verbatim', () => {
    const parsed = InvocationSchema.parse(SEED_INVOCATION);
    expect(parsed).toEqual(SEED_INVOCATION);
  });

  it('accepts the minimum of Schema 2.0 (version, mode, session, prompt)', () => {
    expect(issuesOf({ schema_version: '2.0', mode: 'resume', session_id: 's', prompt: '' })).toBe('');
  });

  it('keeps unknown blueprint and metadata fields (executors ignore what they do not know)', () => {
    const value = { ...SEED_INVOCATION, agent_blueprint: { name: 'a', model: 'opus', tags: ['x'] }, metadata: { trace: 'abc' } };
    expect(InvocationSchema.parse(value)).toEqual(value);
  });

  it.each([
    [{ ...SEED_INVOCATION, schema_version: '2.2' }, 'schema_version: schema_version must be "2.0"'],
    [{ ...SEED_INVOCATION, mode: 'restart' }, 'mode: mode must be "start" or "resume"'],
    [{ ...SEED_INVOCATION, session_id: '' }, 'session_id: session_id must not be empty'],
    [{ ...SEED_INVOCATION, prompt: undefined }, 'prompt: is required (string)'],
    [{ ...SEED_INVOCATION, prompt: 42 }, 'prompt: Invalid input: expected string, received number'],
    [{ ...SEED_INVOCATION, prompt: 'x'.repeat(MAX_PROMPT_CHARS + 1) }, `prompt: prompt is longer than ${MAX_PROMPT_CHARS} characters`],
    [{ ...SEED_INVOCATION, extra: 1 }, '(root): Unrecognized key: "extra"'],
    [{ ...SEED_INVOCATION, agent_blueprint: { system_prompt: 'x' } }, 'agent_blueprint.name: is required (string)'],
    [
      { ...SEED_INVOCATION, agent_blueprint: { name: 'a', mcp_servers: { orchestrator: { type: 'http' } } } },
      'agent_blueprint.mcp_servers.orchestrator.url: url is required for a http MCP server',
    ],
    [
      { ...SEED_INVOCATION, agent_blueprint: { name: 'a', mcp_servers: { fs: { type: 'stdio' } } } },
      'agent_blueprint.mcp_servers.fs.command: command is required for a stdio MCP server',
    ],
    [
      { ...SEED_INVOCATION, agent_blueprint: { name: 'a', mcp_servers: { o: { url: 'not a url' } } } },
      'agent_blueprint.mcp_servers.o.url: url must be an absolute URL',
    ],
    [{ ...SEED_INVOCATION, metadata: { attempt: 0 } }, 'metadata.attempt: Too small: expected number to be >=1'],
  ])('rejects %# naming the field and the reason', (value, expected) => {
    expect(issuesOf(value)).toBe(expected);
  });

  it('buildInvocation validates what it builds and names every bad field', () => {
    const good = buildInvocation({ mode: 'start', sessionId: 'ses_1', prompt: 'hi', projectDir: '/tmp' });
    expect(good).toEqual({ schema_version: '2.0', mode: 'start', session_id: 'ses_1', prompt: 'hi', project_dir: '/tmp' });
    expect(() => buildInvocation({ mode: 'start', sessionId: '', prompt: 'hi', projectDir: '' })).toThrow(
      new InvalidInvocationError('session_id: session_id must not be empty; project_dir: project_dir must not be empty'),
    );
  });
});
