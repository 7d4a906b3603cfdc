import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Environment variable that gives the runner's MCP secret (shared by runners behind one endpoint URL, or pinned in tests). */
export const MCP_SECRET_ENV = 'AGENT_RUNNER_SECRET';
/** File under the runner's state folder that keeps a generated secret, so tokens survive a restart. */
export const MCP_SECRET_FILE = 'mcp-secret';
/** Shortest secret accepted, in characters. */
export const MIN_SECRET_CHARS = 32;

/**
 * The runner's MCP secret: `AGENT_RUNNER_SECRET` when set, else the one stored in `<stateDir>/mcp-secret`
 * (created with 0600 permissions on first use). The same secret after a restart means the tokens already
 * handed to running executors stay valid.
 */
export function loadMcpSecret(stateDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const given = env[MCP_SECRET_ENV];
  if (given !== undefined && given !== '') {
    if (given.length < MIN_SECRET_CHARS) throw new Error(`${MCP_SECRET_ENV} must be at least ${MIN_SECRET_CHARS} characters`);
    return given;
  }
  const path = join(stateDir, MCP_SECRET_FILE);
  if (existsSync(path)) {
    const stored = readFileSync(path, 'utf8').trim();
    if (stored.length >= MIN_SECRET_CHARS) return stored;
  }
  mkdirSync(dirname(path), { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return secret;
}

/** The bearer token of one session: HMAC-SHA256 of its id under the runner's secret, hex. */
export function sessionToken(secret: string, sessionId: string): string {
  return createHmac('sha256', secret).update(`agent-session:${sessionId}`).digest('hex');
}

/** Whether `token` is the session's token (constant-time comparison). */
export function tokenMatches(secret: string, sessionId: string, token: string): boolean {
  const expected = Buffer.from(sessionToken(secret, sessionId));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
