// `agent-runner credentials list|check|encrypt|decrypt` as real processes: check asks a fake Anthropic API
// on 127.0.0.1 with each profile's own key; no value of a profile is ever printed.
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, pollRun, startTestCoordinator } from '../coordinator/helpers.js';
import { runCli } from '../helpers/cli.js';
import { freePort, tempDir } from '../helpers/fixtures.js';

const KEYS = { good: 'sk-ant-good-0123456789', bad: 'sk-ant-bad-0123456789', limited: 'sk-ant-limited-0123456789', oauth: 'sk-ant-oat01-0123456789' };

describe('agent-runner credentials', { timeout: 60_000 }, () => {
  const { dir, cleanup } = tempDir('credentials-cli-');
  const seen: Array<{ url: string; headers: IncomingMessage['headers'] }> = [];
  let server: Server;
  let api: string;
  let closedPort: number;
  let coordinator: Awaited<ReturnType<typeof startTestCoordinator>>;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      const key = req.headers['x-api-key'];
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (key === KEYS.good || req.headers.authorization === `Bearer ${KEYS.oauth}`) return json(200, { data: [], has_more: false });
      if (key === KEYS.limited) return json(429, { type: 'error', error: { type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit' } }, { 'retry-after': '120' });
      return json(401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key \u001b[31mred' } });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closedPort = await freePort();
    coordinator = await startTestCoordinator('sqlite');
  });
  afterAll(async () => {
    await coordinator.stop();
    await new Promise((resolve) => server.close(resolve));
    cleanup();
  });

  const write = (name: string, text: string, mode = 0o600) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    chmodSync(path, mode);
    return path;
  };
  const profiles = () => `profiles:
  good:
    env: { ANTHROPIC_API_KEY: ${KEYS.good}, ANTHROPIC_BASE_URL: "${api}" }
    weight: 2
    models: [claude-sonnet-4-5]
  bad:
    env: { ANTHROPIC_API_KEY: ${KEYS.bad}, ANTHROPIC_BASE_URL: "${api}/" }
  limited:
    env: { ANTHROPIC_API_KEY: ${KEYS.limited}, ANTHROPIC_BASE_URL: "${api}" }
    executors: [claude-code]
  oauth:
    env: { CLAUDE_CODE_OAUTH_TOKEN: ${KEYS.oauth}, ANTHROPIC_BASE_URL: "${api}" }
  gone:
    env: { ANTHROPIC_API_KEY: ${KEYS.good}, ANTHROPIC_BASE_URL: "http://127.0.0.1:${closedPort}" }
  other:
    env: { OPENAI_API_KEY: sk-other-0123456789 }
`;
  const noValues = (text: string) => {
    for (const value of [...Object.values(KEYS), 'sk-other-0123456789']) expect(text).not.toContain(value);
  };

  it('list: names, weights, models, executors and variable names; never a value; --json the same', async () => {
    const file = write('list.yaml', profiles());
    const { code, stdout, stderr } = await runCli(['credentials', 'list', '--credentials', file, '-c', coordinator.url]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/PROFILE\s+WEIGHT\s+MODELS\s+EXECUTORS\s+VARIABLES\s+STATE/);
    expect(stdout).toMatch(/good\s+2\s+claude-sonnet-4-5\s+any\s+ANTHROPIC_API_KEY,ANTHROPIC_BASE_URL\s+ok/);
    expect(stdout).toMatch(/limited\s+1\s+any\s+claude-code\s+ANTHROPIC_API_KEY,ANTHROPIC_BASE_URL\s+ok/);
    expect(stdout).toContain(`${file}: 6 profiles, not encrypted`);
    noValues(stdout);
    const json = await runCli(['credentials', 'list', '--json', '-c', coordinator.url], { env: { AGENT_RUNNER_CREDENTIALS: file } });
    expect(JSON.parse(json.stdout).profiles[3]).toEqual({ name: 'oauth', weight: 1, models: null, executors: null, variables: ['ANTHROPIC_BASE_URL', 'CLAUDE_CODE_OAUTH_TOKEN'], parks: [] });
    noValues(json.stdout);
  });

  it('list: a profile the coordinator parked for a rate limit says until when, and how many runs wait on it', async () => {
    const { api, url } = coordinator;
    const register = await api('POST', '/v1/runners', { executors: ['cc'], name: 'r', default_executor: 'cc', credential_profiles: [{ name: 'limited', weight: 1, models: null, executors: null }] });
    const runner = register.body as { runner_id: string; token: string };
    const as = apiClient(url, runner.token);
    await api('POST', '/v1/sessions', { executor: 'cc', prompt: 'go' });
    const claimed = await pollRun(api, runner);
    const runId = claimed.run.run_id as string;
    await as('POST', `/v1/runs/${runId}/started`, {});
    const until = Date.now() + 3_600_000;
    const seq = (claimed.run.last_event_seq as number) + 1;
    await as('POST', `/v1/runs/${runId}/events`, { events: [{ seq, event: { type: 'rate_limited', scope: 'credential', retry_at: new Date(until).toISOString(), message: 'usage limit reached' } }] });
    expect((await as('POST', `/v1/runs/${runId}/finished`, { kind: 'infra_failed', message: 'rate limited', exit_code: 75 })).status).toBe(200);

    const file = write('parked.yaml', profiles());
    const { code, stdout } = await runCli(['credentials', 'list', '--credentials', file, '-c', url], { env: { TZ: 'UTC' } });
    expect(code).toBe(0);
    const clock = new Date(until).toISOString().slice(11, 16);
    expect(stdout).toMatch(new RegExp(`limited\\s+1\\s+any\\s+claude-code\\s+ANTHROPIC_API_KEY,ANTHROPIC_BASE_URL\\s+parked until (\\d{4}-\\d\\d-\\d\\d )?${clock} \\(1 run waiting\\)`));
    expect(stdout).toMatch(/good\s+2\s+.*\s+ok\n/);
    const json = JSON.parse((await runCli(['credentials', 'list', '--credentials', file, '-c', url, '--json'])).stdout);
    expect(json.profiles[2].parks).toEqual([{ model: null, until: new Date(until).toISOString(), message: 'usage limit reached', runs_waiting: 1 }]);
  });

  it('check: asks each API with the profile\'s own key; ok, failing, rate limited, unreachable, not checked; exit 1', async () => {
    const file = write('check.yaml', profiles());
    seen.length = 0;
    const { code, stdout } = await runCli(['credentials', 'check', '--credentials', file, '--timeout', '5s']);
    expect(code).toBe(1);
    expect(stdout).toMatch(new RegExp(`good\\s+ok\\s+GET ${api}/v1/models: 200`));
    // The API's message is data: its escape sequence is not passed to the terminal.
    expect(stdout).toMatch(/bad\s+failing\s+GET .*\/v1\/models: 401: invalid x-api-key red/);
    expect(stdout).not.toContain('\u001b');
    expect(stdout).toMatch(/limited\s+rate limited\s+GET .*: 429: Number of requests has exceeded your rate limit \(until \d{4}-\d\d-\d\dT/);
    expect(stdout).toMatch(new RegExp(`gone\\s+unreachable\\s+GET http://127.0.0.1:${closedPort}/v1/models: ECONNREFUSED`));
    expect(stdout).toMatch(/other\s+not checked\s+no ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN or ANTHROPIC_AUTH_TOKEN to check/);
    noValues(stdout);
    // What the API saw: each profile's own key, the OAuth token as a bearer with its beta header.
    expect(seen.every((r) => r.url === '/v1/models?limit=1' && r.headers['anthropic-version'] === '2023-06-01')).toBe(true);
    expect(seen.map((r) => r.headers['x-api-key'] ?? r.headers.authorization).sort()).toEqual([`Bearer ${KEYS.oauth}`, KEYS.bad, KEYS.good, KEYS.limited].sort());
    expect(seen.find((r) => r.headers.authorization !== undefined)!.headers['anthropic-beta']).toBe('oauth-2025-04-20');

    const json = await runCli(['credentials', 'check', '--credentials', file, '--json']);
    const states = Object.fromEntries((JSON.parse(json.stdout).profiles as Array<{ profile: string; state: string; retry_at?: string }>).map((p) => [p.profile, p]));
    expect(Object.fromEntries(Object.entries(states).map(([k, v]) => [k, v.state]))).toEqual({ good: 'ok', bad: 'failing', limited: 'rate_limited', oauth: 'ok', gone: 'unreachable', other: 'not_checked' });
    expect(Date.parse(states.limited!.retry_at!)).toBeGreaterThan(Date.now());

    const allGood = write('good.yaml', `profiles:\n  good:\n    env: { ANTHROPIC_API_KEY: ${KEYS.good}, ANTHROPIC_BASE_URL: "${api}" }\n`);
    expect((await runCli(['credentials', 'check', '--credentials', allGood])).code).toBe(0);
  });

  it('encrypt and decrypt in place with AGENT_RUNNER_CREDENTIALS_KEY; the runner reads the sealed file only with it', async () => {
    const file = write('sealed.yaml', profiles());
    const plain = readFileSync(file, 'utf8');
    const env = { AGENT_RUNNER_CREDENTIALS_KEY: 'a long passphrase' };
    expect((await runCli(['credentials', 'encrypt', file])).stderr).toContain('set AGENT_RUNNER_CREDENTIALS_KEY to the passphrase');
    const sealed = await runCli(['credentials', 'encrypt', file], { env });
    expect(sealed.code).toBe(0);
    expect(sealed.stdout).toContain('encrypted (6 profiles)');
    const text = readFileSync(file, 'utf8');
    noValues(text);
    expect(text).not.toContain('limited');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await runCli(['credentials', 'encrypt', file], { env })).stderr).toContain('already encrypted');

    const listed = await runCli(['credentials', 'list', '--credentials', file, '-c', coordinator.url], { env });
    expect(listed.stdout).toContain('6 profiles, encrypted');
    const refused = await runCli(['credentials', 'list', '--credentials', file, '-c', coordinator.url]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${file}: the file is encrypted: set AGENT_RUNNER_CREDENTIALS_KEY to its passphrase`);
    const wrong = await runCli(['credentials', 'list', '--credentials', file, '-c', coordinator.url], { env: { AGENT_RUNNER_CREDENTIALS_KEY: 'wrong' } });
    expect(wrong.stderr).toContain('a wrong passphrase, or the file was altered');
    // The daemon refuses to start on it without the passphrase, naming the flag.
    const daemon = await runCli(['--credentials', file, '-x', 'test-executor']);
    expect(daemon.code).toBe(2);
    expect(daemon.stderr).toContain(`--credentials: ${file}: the file is encrypted`);

    const opened = await runCli(['credentials', 'decrypt', file], { env });
    expect(opened.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(plain);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('a file others may read, a broken file, or none named: exit 2 with the reason', async () => {
    const open = write('open.yaml', profiles(), 0o644);
    const openList = await runCli(['credentials', 'list', '--credentials', open, '-c', coordinator.url]);
    expect(openList.code).toBe(2);
    expect(openList.stderr).toContain(`${open}: others may read it (mode 0644); make it yours alone: chmod 600 ${open}`);
    const broken = write('broken.yaml', `profiles:\n  a:\n    env: { ANTHROPIC_API_KEY: ${KEYS.good} }\n    weight: -1\n`);
    const brokenList = await runCli(['credentials', 'check', '--credentials', broken]);
    expect(brokenList.code).toBe(2);
    expect(brokenList.stderr).toContain(`${broken}:4:5: profiles.a.weight: must be more than 0`);
    noValues(brokenList.stderr);
    const none = await runCli(['credentials', 'list', '-c', coordinator.url], { env: { AGENT_RUNNER_CREDENTIALS: '' } });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('name the credentials file: --credentials FILE (or AGENT_RUNNER_CREDENTIALS)');
    const badTimeout = await runCli(['credentials', 'check', '--credentials', write('t.yaml', profiles()), '--timeout', 'soon']);
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toContain('--timeout');
  });
});
