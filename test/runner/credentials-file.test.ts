// The credentials file on disk: its profiles, its access rules, its encryption, and every way it can be
// wrong, each error naming the file, the place and the field, and never a secret's value.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CREDENTIALS_KEY_ENV, isSealed, seal, unseal } from '../../lib/credentials/credentials-cipher.js';
import { CredentialsFileError, loadCredentialsFile, profileSummary } from '../../lib/credentials/credentials-file.js';
import { isRunnerSecret, passedEnvNames } from '../../lib/process/executor-env.js';
import { ConfigError, resolveRunnerConfig } from '../../lib/runner/runner-config.js';
import { tempDir } from '../helpers/fixtures.js';

const SECRET = 'sk-ant-secret-value-never-shown';
const dirs: Array<() => void> = [];
afterEach(() => dirs.splice(0).forEach((cleanup) => cleanup()));

/** Write `text` to a new file with `mode`; its path. */
function file(text: string, mode = 0o600, name = 'credentials.yaml'): string {
  const { dir, cleanup } = tempDir('credentials-');
  dirs.push(cleanup);
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

/** The error loading `text` gives (it must give one). */
function refusal(text: string, key?: string): string {
  const path = file(text);
  try {
    loadCredentialsFile(path, { key });
  } catch (error) {
    expect(error).toBeInstanceOf(CredentialsFileError);
    const message = (error as Error).message;
    expect(message).not.toContain(SECRET);
    return message.replaceAll(path, 'FILE');
  }
  throw new Error('the file was accepted');
}

const GOOD = `# two accounts
profiles:
  team-a:
    env:
      ANTHROPIC_API_KEY: ${SECRET}
    weight: 3
    models: [claude-sonnet-4-5, claude-haiku-4-5]
    executors: [claude-code]
  team-b:
    description: the second account
    env:
      CLAUDE_CODE_OAUTH_TOKEN: oat-b
      ANTHROPIC_BASE_URL: http://127.0.0.1:9/
`;

describe('the credentials file', () => {
  it('reads profiles in the file\'s order with their defaults; a summary holds names, never values', () => {
    const profiles = loadCredentialsFile(file(GOOD));
    expect(profiles).toEqual([
      { name: 'team-a', env: { ANTHROPIC_API_KEY: SECRET }, weight: 3, models: ['claude-sonnet-4-5', 'claude-haiku-4-5'], executors: ['claude-code'] },
      { name: 'team-b', env: { CLAUDE_CODE_OAUTH_TOKEN: 'oat-b', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/' }, weight: 1, models: null, executors: null },
    ]);
    const summary = profiles.map(profileSummary);
    expect(summary[1]).toEqual({ name: 'team-b', weight: 1, models: null, executors: null, variables: ['ANTHROPIC_BASE_URL', 'CLAUDE_CODE_OAUTH_TOKEN'] });
    expect(JSON.stringify(summary)).not.toContain(SECRET);
    // JSON is YAML: the same file as JSON reads the same.
    expect(loadCredentialsFile(file(JSON.stringify({ profiles: { a: { env: { ANTHROPIC_API_KEY: 'k' } } } }), 0o600, 'c.json'))[0]!.name).toBe('a');
  });

  it('is refused when others may read or change it, naming the mode and the fix', () => {
    for (const mode of [0o644, 0o640, 0o604, 0o620]) {
      const path = file(GOOD, mode);
      expect(() => loadCredentialsFile(path)).toThrow(`${path}: others may`);
      expect(() => loadCredentialsFile(path)).toThrow(`chmod 600 ${path}`);
    }
    expect(() => loadCredentialsFile(file(GOOD, 0o644))).toThrow('(mode 0644)');
    expect(loadCredentialsFile(file(GOOD, 0o400))).toHaveLength(2);
    expect(() => loadCredentialsFile('/nonexistent/credentials.yaml')).toThrow('/nonexistent/credentials.yaml: cannot read it (ENOENT)');
  });

  it('names the place, the field and the reason of each problem, never a value', () => {
    const cases: Array<[string, string]> = [
      ['profiles: {}\n', 'FILE:1:1: profiles: name at least one profile'],
      ['- a\n- b\n', 'FILE:1:1: the file must hold an object (credential profiles), not a list'],
      ['profile:\n  a: {}\n', 'FILE:1:1: profile: unknown field (did you mean "profiles"?)'],
      [`profiles:\n  a:\n    env: {}\n`, 'FILE:3:5: profiles.a.env: name at least one variable (e.g. ANTHROPIC_API_KEY)'],
      [`profiles:\n  a:\n    weight: 2\n`, 'FILE:2:3: profiles.a.env:'],
      [`profiles:\n  a:\n    env:\n      ANTHROPIC_API_KEY: 12345\n`, 'FILE:4:7: profiles.a.env.ANTHROPIC_API_KEY: must be a string (quote numbers)'],
      [`profiles:\n  a:\n    env:\n      ANTHROPIC_API_KEY: ""\n`, 'profiles.a.env.ANTHROPIC_API_KEY: must not be empty'],
      [`profiles:\n  a:\n    env:\n      AGENT_RUNNER_TOKEN: ${SECRET}\n`, `profiles.a.env.AGENT_RUNNER_TOKEN: "AGENT_RUNNER_TOKEN" is the runner's own secret`],
      [`profiles:\n  a:\n    env:\n      ${CREDENTIALS_KEY_ENV}: x\n`, `"${CREDENTIALS_KEY_ENV}" is the runner's own secret`],
      [`profiles:\n  a:\n    env:\n      AGENT_SESSION_ID: x\n`, 'is set by the runner for each run (AGENT_* and TRACEPARENT are reserved)'],
      [`profiles:\n  a:\n    env:\n      TRACEPARENT: x\n`, 'profiles.a.env.TRACEPARENT:'],
      [`profiles:\n  a:\n    env:\n      "BAD NAME": x\n`, '"BAD NAME" is not an environment variable name'],
      [`profiles:\n  "no/slash":\n    env: {K: v}\n`, 'FILE:2:3: profiles.no/slash: "no/slash" is not a profile name'],
      [`profiles:\n  a:\n    env: {K: ${SECRET}}\n    weight: 0\n`, 'FILE:4:5: profiles.a.weight: must be more than 0'],
      [`profiles:\n  a:\n    env: {K: ${SECRET}}\n    weight: "2"\n`, 'profiles.a.weight: must be a number'],
      [`profiles:\n  a:\n    env: {K: ${SECRET}}\n    models: [m, m]\n`, 'profiles.a.models: a model is listed twice'],
      [`profiles:\n  a:\n    env: {K: ${SECRET}}\n    models: []\n`, 'profiles.a.models: list at least one model, or leave the field out'],
      [`profiles:\n  a:\n    env: {K: ${SECRET}}\n    executors: claude-code\n`, 'profiles.a.executors: must be a list of executors'],
      [`profiles:\n  a:\n    env: {K: ${SECRET}}\n    wieght: 2\n`, 'FILE:4:5: profiles.a.wieght: unknown field (did you mean "weight"?)'],
      [`profiles:\n  a:\n    env: {K: ${SECRET}}\n  a:\n    env: {K: v}\n`, 'FILE:4:3: duplicate key: "a" is written twice in the same object'],
      [`profiles:\n  a:\n    env: {K: "${SECRET}\n`, 'FILE:'],
      [`profiles: [${'['.repeat(300)}`, 'FILE:'],
    ];
    for (const [text, expected] of cases) expect(refusal(text), text).toContain(expected);
    // A file that is not YAML at all says so at its place without echoing the line.
    expect(refusal(`profiles:\n  a:\n    env: {K: ${SECRET}\n  b: [\n`)).toMatch(/^FILE:\d+:\d+: not valid YAML/);
    // Many profiles: refused past the limit.
    const many = `profiles:\n${Array.from({ length: 101 }, (_, i) => `  p${i}:\n    env: {K: v}\n`).join('')}`;
    expect(refusal(many)).toContain('profiles: at most 100 profiles');
  });

  it('refuses an alias bomb and a file larger than 1 MB', () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nprofiles: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`;
    expect(refusal(bomb)).toContain('aliases expand to more than');
    expect(refusal(`# ${'x'.repeat(1024 * 1024)}\nprofiles: {}\n`)).toContain('larger than 1048576 bytes');
  });
});

describe('an encrypted credentials file', () => {
  it('is opened with the passphrase; refused without it, with a wrong one, or when altered', () => {
    const sealed = seal(GOOD, 'correct horse');
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain(SECRET);
    expect(sealed).not.toContain('team-a');
    // Each sealing is different (its own salt and IV).
    expect(seal(GOOD, 'correct horse')).not.toBe(sealed);
    expect(unseal(sealed, 'correct horse')).toBe(GOOD);
    const path = file(sealed);
    expect(loadCredentialsFile(path, { key: 'correct horse' }).map((p) => p.name)).toEqual(['team-a', 'team-b']);

    expect(refusal(sealed)).toBe(`FILE: the file is encrypted: set ${CREDENTIALS_KEY_ENV} to its passphrase`);
    expect(refusal(sealed, 'wrong')).toBe(`FILE: cannot decrypt it with ${CREDENTIALS_KEY_ENV} (a wrong passphrase, or the file was altered)`);
    const envelope = JSON.parse(sealed) as Record<string, unknown> & { data: string; kdf: Record<string, unknown> };
    const flipped = Buffer.from(envelope.data, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    expect(refusal(JSON.stringify({ ...envelope, data: flipped.toString('base64') }), 'correct horse')).toContain('cannot decrypt it');
    // Hostile envelopes: a cost meant to exhaust memory, a bad IV, an unknown version.
    expect(refusal(JSON.stringify({ ...envelope, kdf: { ...envelope.kdf, N: 2 ** 30 } }), 'x')).toContain('kdf: must be scrypt with N at most 2^20');
    expect(refusal(JSON.stringify({ ...envelope, iv: 'AAAA' }), 'x')).toContain('iv: must be base64 of 12 bytes');
    expect(refusal(JSON.stringify({ ...envelope, agent_runner_credentials: 9 }), 'x')).toContain('version 9 is not known');
  });
});

describe('credentials and the runner', () => {
  it('the passphrase is a runner secret: no executor gets it, whatever the operator allows', () => {
    expect(isRunnerSecret(CREDENTIALS_KEY_ENV)).toBe(true);
    expect(passedEnvNames({ [CREDENTIALS_KEY_ENV]: 'p', ANTHROPIC_API_KEY: 'k', PATH: '/bin' }, ['*'])).toEqual(['ANTHROPIC_API_KEY', 'PATH']);
  });

  it('--credentials (or AGENT_RUNNER_CREDENTIALS) loads the profiles; a bad file is a ConfigError naming the flag', () => {
    const good = file(GOOD);
    expect(resolveRunnerConfig({ credentials: good }, {}).credentials.map((p) => p.name)).toEqual(['team-a', 'team-b']);
    expect(resolveRunnerConfig({}, { AGENT_RUNNER_CREDENTIALS: good }).credentialsFile).toBe(good);
    expect(resolveRunnerConfig({}, {}).credentials).toEqual([]);
    const open = file(GOOD, 0o644);
    expect(() => resolveRunnerConfig({ credentials: open }, {})).toThrow(ConfigError);
    expect(() => resolveRunnerConfig({}, { AGENT_RUNNER_CREDENTIALS: open })).toThrow(`AGENT_RUNNER_CREDENTIALS: ${open}: others may read it`);
    const sealed = file(seal(GOOD, 'pw'));
    expect(resolveRunnerConfig({ credentials: sealed }, { [CREDENTIALS_KEY_ENV]: 'pw' }).credentials).toHaveLength(2);
    expect(() => resolveRunnerConfig({ credentials: sealed }, {})).toThrow(`--credentials: ${sealed}: the file is encrypted`);
    expect(readFileSync(good, 'utf8')).toBe(GOOD);
  });
});
