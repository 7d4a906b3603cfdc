import { describe, expect, it } from 'vitest';
import type { AgentDocument } from '../../protocol/agents.js';
import { EMPTY_MCP_REGISTRY, McpRegistryError, parseMcpRegistry } from './mcp-registry.js';
import { AgentResolveError, MAX_EXTENDS_DEPTH, resolveAgent, runnerBlueprint } from './resolve-agent.js';

const lookupOf = (agents: AgentDocument[]) => (name: string) => agents.find((a) => a.name === name) ?? null;
const issuesOf = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    if (error instanceof AgentResolveError) return error.issues;
    throw error;
  }
  throw new Error('expected an AgentResolveError');
};

const registry = parseMcpRegistry(
  JSON.stringify({ servers: { github: { type: 'http', url: 'https://mcp.example/github', headers: { Authorization: 'Bearer ${env.GH}' } }, old: { url: 'https://old.example/', enabled: false } } }),
  'servers.json',
);

describe('extends', () => {
  it('merges base first: scalars child wins, mcp_servers by name, skills union, tags replaced; extends is gone', () => {
    const base: AgentDocument = {
      name: 'base', system_prompt: 'base prompt', model: 'm1', tags: ['gpu'], skills: ['a', 'b'],
      mcp_servers: { one: { url: 'https://one.example/' }, two: { url: 'https://two.example/' } }, max_turns: 3,
    };
    const child: AgentDocument = { name: 'child', extends: 'base', system_prompt: 'child prompt', tags: ['cpu'], skills: ['b', 'c'], mcp_servers: { two: { url: 'https://two.child/' } } };
    const resolved = resolveAgent(child, lookupOf([base, child]), EMPTY_MCP_REGISTRY);
    expect(resolved).toEqual({
      name: 'child', system_prompt: 'child prompt', model: 'm1', tags: ['cpu'], skills: ['a', 'b', 'c'], max_turns: 3,
      mcp_servers: { one: { url: 'https://one.example/' }, two: { url: 'https://two.child/' } },
    });
  });

  it('follows a chain of bases (the nearest base wins over the farther)', () => {
    const agents: AgentDocument[] = [
      { name: 'a', extends: 'b', description: 'A' },
      { name: 'b', extends: 'c', model: 'from-b' },
      { name: 'c', model: 'from-c', system_prompt: 'from-c' },
    ];
    expect(resolveAgent(agents[0]!, lookupOf(agents), EMPTY_MCP_REGISTRY)).toEqual({ name: 'a', description: 'A', model: 'from-b', system_prompt: 'from-c' });
  });

  it('refuses a cycle naming the chain, an unknown base naming it, and a chain too deep', () => {
    const cycle: AgentDocument[] = [{ name: 'a', extends: 'b' }, { name: 'b', extends: 'a' }];
    expect(issuesOf(() => resolveAgent(cycle[0]!, lookupOf(cycle), EMPTY_MCP_REGISTRY))).toEqual([{ path: 'extends', message: 'a cycle: a → b → a' }]);
    const self: AgentDocument = { name: 'me', extends: 'me' };
    expect(issuesOf(() => resolveAgent(self, lookupOf([self]), EMPTY_MCP_REGISTRY))).toEqual([{ path: 'extends', message: 'a cycle: me → me' }]);
    const orphan: AgentDocument[] = [{ name: 'a', extends: 'b' }, { name: 'b', extends: 'ghost' }];
    expect(issuesOf(() => resolveAgent(orphan[0]!, lookupOf(orphan), EMPTY_MCP_REGISTRY))).toEqual([{ path: 'extends', message: 'no agent named "ghost" (the base of "b")' }]);
    const deep: AgentDocument[] = Array.from({ length: MAX_EXTENDS_DEPTH + 2 }, (_, i) => ({ name: `a${i}`, ...(i < MAX_EXTENDS_DEPTH + 1 ? { extends: `a${i + 1}` } : {}) }));
    expect(issuesOf(() => resolveAgent(deep[0]!, lookupOf(deep), EMPTY_MCP_REGISTRY))[0]!.message).toMatch(/deeper than 8 bases/);
    const justDeepEnough = deep.slice(1);
    expect(resolveAgent(justDeepEnough[0]!, lookupOf(justDeepEnough), EMPTY_MCP_REGISTRY).name).toBe('a1');
  });

  it('never lets a base rename the agent', () => {
    const agents: AgentDocument[] = [{ name: 'kid', extends: 'base' }, { name: 'base', description: 'd' }];
    expect(resolveAgent(agents[0]!, lookupOf(agents), EMPTY_MCP_REGISTRY).name).toBe('kid');
  });
});

describe('shared MCP servers', () => {
  it('adds the named registry entries to mcp_servers (without enabled); the runner blueprint drops the coordinator-only fields', () => {
    const agent: AgentDocument = { name: 'w', shared_mcp_servers: ['github'], skills: ['x'], inherit_skills: false, mcp_servers: { own: { command: 'own-mcp' } } };
    const resolved = resolveAgent(agent, lookupOf([agent]), registry);
    expect(resolved.mcp_servers).toEqual({ own: { command: 'own-mcp' }, github: { type: 'http', url: 'https://mcp.example/github', headers: { Authorization: 'Bearer ${env.GH}' } } });
    expect(runnerBlueprint(resolved)).toEqual({ name: 'w', mcp_servers: resolved.mcp_servers });
  });

  it('refuses an unknown, a disabled, and a doubly named server, each with its name and field', () => {
    const agent: AgentDocument = { name: 'w', shared_mcp_servers: ['githb', 'old', 'github'], mcp_servers: { github: { url: 'https://mine.example/' } } };
    expect(issuesOf(() => resolveAgent(agent, lookupOf([agent]), registry))).toEqual([
      { path: 'shared_mcp_servers[0]', message: 'no shared MCP server named "githb" in servers.json (did you mean "github"?)' },
      { path: 'shared_mcp_servers[1]', message: 'the shared MCP server "old" is disabled (enabled: false in servers.json)' },
      { path: 'mcp_servers.github', message: '"github" is also in shared_mcp_servers; keep one of them' },
    ]);
    expect(issuesOf(() => resolveAgent({ name: 'w', shared_mcp_servers: ['github'] }, () => null, EMPTY_MCP_REGISTRY))[0]!.message).toMatch(/has no registry \(start it with --mcp-servers FILE\)/);
  });

  it('a base\'s shared servers reach the agent that extends it', () => {
    const agents: AgentDocument[] = [{ name: 'kid', extends: 'base' }, { name: 'base', shared_mcp_servers: ['github'] }];
    expect(Object.keys(resolveAgent(agents[0]!, lookupOf(agents), registry).mcp_servers ?? {})).toEqual(['github']);
  });
});

describe('the --mcp-servers file', () => {
  it('reads YAML as JSON, enabled defaults to true', () => {
    const r = parseMcpRegistry('servers:\n  docs:\n    url: https://docs.example/mcp\n  fs:\n    command: fs-mcp\n    enabled: false\n', 'r.yaml');
    expect(r.servers.get('docs')).toEqual({ config: { url: 'https://docs.example/mcp' }, enabled: true });
    expect(r.servers.get('fs')).toEqual({ config: { command: 'fs-mcp' }, enabled: false });
  });

  it.each([
    ['not: [yaml', /r.yaml: not JSON or YAML/],
    ['[]', /r.yaml: \(root\): /],
    ['{"servers": {"x": {"type": "http"}}}', /servers\.x\.url: url is required for a http MCP server/],
    ['{"servers": {"x": {"url": "https://a/", "enabled": "yes"}}}', /servers\.x\.enabled: enabled must be true or false/],
    ['{"servers": {"bad name": {"url": "https://a/"}}}', /servers\.bad name: a server name must be letters/],
    ['{"servers": {}, "extra": 1}', /extra/],
    ['{"servers": {"x": {"url": "not a url"}}}', /servers\.x\.url: url must be an absolute URL/],
  ])('refuses %s naming the field', (text, message) => {
    expect(() => parseMcpRegistry(text, 'r.yaml')).toThrow(McpRegistryError);
    expect(() => parseMcpRegistry(text, 'r.yaml')).toThrow(message);
  });
});
