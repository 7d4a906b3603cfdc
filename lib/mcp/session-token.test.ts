import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/fixtures.js';
import { loadMcpSecret, MCP_SECRET_ENV, MCP_SECRET_FILE, sessionToken, tokenMatches } from './session-token.js';

describe('the runner MCP secret and session tokens', () => {
  it('creates the secret once with 0600 permissions and reads the same one after a restart', () => {
    const { dir, cleanup } = tempDir();
    try {
      const first = loadMcpSecret(dir, {});
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      expect(statSync(join(dir, MCP_SECRET_FILE)).mode & 0o777).toBe(0o600);
      expect(loadMcpSecret(dir, {})).toBe(first);
    } finally {
      cleanup();
    }
  });

  it('takes AGENT_RUNNER_SECRET when set, and refuses a short one', () => {
    expect(loadMcpSecret('/nonexistent', { [MCP_SECRET_ENV]: 'x'.repeat(40) })).toBe('x'.repeat(40));
    expect(() => loadMcpSecret('/nonexistent', { [MCP_SECRET_ENV]: 'short' })).toThrow(/at least 32/);
  });

  it('binds a token to one session', () => {
    const secret = 's'.repeat(32);
    const token = sessionToken(secret, 'ses_a');
    expect(tokenMatches(secret, 'ses_a', token)).toBe(true);
    expect(tokenMatches(secret, 'ses_b', token)).toBe(false);
    expect(tokenMatches('t'.repeat(32), 'ses_a', token)).toBe(false);
    expect(tokenMatches(secret, 'ses_a', 'short')).toBe(false);
  });
});
