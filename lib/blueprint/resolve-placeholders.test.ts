import { describe, expect, it } from 'vitest';
import { PlaceholderError, resolvePlaceholders, type PlaceholderContext } from './resolve-placeholders.js';

const context: PlaceholderContext = {
  runnerMcpUrl: 'http://127.0.0.1:4000/mcp',
  sessionId: 'ses_aaa',
  runId: 'run_bbb',
  env: { GITHUB_TOKEN: 'ghp_x', SECRET: 's3cret' },
  allowedEnv: new Set(['GITHUB_TOKEN', 'UNSET_BUT_ALLOWED']),
};

describe('resolvePlaceholders', () => {
  it('resolves every known placeholder in any string, deep in objects and arrays, without touching the input', () => {
    const blueprint = {
      name: 'worker',
      system_prompt: 'You are session ${session.id}, run ${run.id}.',
      mcp_servers: {
        orchestrator: { type: 'http', url: '${runner.mcp_url}', headers: { 'X-Agent-Session-Id': '${AGENT_SESSION_ID}' } },
        legacy: { type: 'http', url: '${AGENT_ORCHESTRATOR_MCP_URL}' },
        github: { type: 'stdio', command: 'gh-mcp', args: ['--token', 'Bearer ${env.GITHUB_TOKEN}'] },
      },
      timeout_s: 30,
      enabled: true,
      nothing: null,
    };
    const copy = structuredClone(blueprint);
    expect(resolvePlaceholders(blueprint, context)).toEqual({
      ...blueprint,
      system_prompt: 'You are session ses_aaa, run run_bbb.',
      mcp_servers: {
        orchestrator: { type: 'http', url: 'http://127.0.0.1:4000/mcp', headers: { 'X-Agent-Session-Id': 'ses_aaa' } },
        legacy: { type: 'http', url: 'http://127.0.0.1:4000/mcp' },
        github: { type: 'stdio', command: 'gh-mcp', args: ['--token', 'Bearer ghp_x'] },
      },
    });
    expect(blueprint).toEqual(copy);
  });

  it('writes $${ as a literal ${', () => {
    expect(resolvePlaceholders({ s: 'cost: $${price} for ${session.id}' }, context)).toEqual({ s: 'cost: ${price} for ses_aaa' });
  });

  it('names every unknown or unresolvable placeholder with its JSON path', () => {
    const blueprint = {
      system_prompt: 'Hi ${user.name}',
      mcp_servers: { a: { headers: { Authorization: 'Bearer ${env.SECRET}' }, args: ['x', '${env.UNSET_BUT_ALLOWED}', '${env.bad-name}'] } },
    };
    let error: unknown;
    try {
      resolvePlaceholders(blueprint, { ...context, runnerMcpUrl: undefined, runId: undefined });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlaceholderError);
    expect((error as PlaceholderError).problems).toEqual([
      {
        placeholder: '${user.name}',
        path: 'agent_blueprint.system_prompt',
        reason: expect.stringMatching(/^is not a known placeholder \(known: \$\{runner\.mcp_url\}/),
      },
      { placeholder: '${env.SECRET}', path: 'agent_blueprint.mcp_servers.a.headers.Authorization', reason: 'is not allowed (allow it with --blueprint-env SECRET)' },
      {
        placeholder: '${env.UNSET_BUT_ALLOWED}',
        path: 'agent_blueprint.mcp_servers.a.args[1]',
        reason: "cannot be resolved: UNSET_BUT_ALLOWED is not set in the runner's environment",
      },
      { placeholder: '${env.bad-name}', path: 'agent_blueprint.mcp_servers.a.args[2]', reason: 'names an invalid environment variable "bad-name"' },
    ]);
    expect((error as Error).message).toContain('agent_blueprint.mcp_servers.a.headers.Authorization: ${env.SECRET} is not allowed');
  });

  it('fails ${runner.mcp_url} when the runner has no MCP endpoint', () => {
    expect(() => resolvePlaceholders({ url: '${runner.mcp_url}' }, { ...context, runnerMcpUrl: undefined })).toThrow(
      'agent_blueprint.url: ${runner.mcp_url} cannot be resolved: this runner has no MCP endpoint',
    );
  });
});
