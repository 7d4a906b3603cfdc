import { describe, expect, it } from 'vitest';
import { withOrchestratorServer } from './orchestrator-entry.js';

const endpoint = { url: 'http://127.0.0.1:5000/mcp', token: 'tok' };
const entry = { type: 'http', url: endpoint.url, headers: { 'X-Agent-Session-Id': 'ses_a', Authorization: 'Bearer tok' } };

describe('withOrchestratorServer', () => {
  it('adds the entry beside the blueprint\'s own servers, replacing one of the reserved name', () => {
    const out = withOrchestratorServer({ name: 'a', mcp_servers: { files: { command: 'fs' }, orchestrator: { url: 'http://x/' } } }, 'ses_a', endpoint);
    expect(out.mcp_servers).toEqual({ files: { command: 'fs' }, orchestrator: entry });
  });

  it('gives a run without an agent a minimal blueprint with the entry', () => {
    expect(withOrchestratorServer(undefined, 'ses_a', endpoint)).toEqual({ name: 'ad-hoc', mcp_servers: { orchestrator: entry } });
  });

  it('leaves a blueprint that opts out as it is', () => {
    const blueprint = { name: 'a', orchestrator_mcp: false };
    expect(withOrchestratorServer(blueprint, 'ses_a', endpoint)).toBe(blueprint);
  });
});
