/**
 * Rate limits park work, with real processes: a coordinator process, a runner with a credentials file, the
 * claude-code executor and a fake `claude` that meets a usage limit for one API key (profile A's). The run
 * parks and continues on profile B with the same Claude session; with one profile it waits for the reset
 * and resumes; no attempt is charged; another tree is not held up; no profile secret shows anywhere else.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAKE_CLAUDE, isolatedEnv, TEST_EXECUTOR_ENV } from '../claude-code/helpers/run-executor.js';
import { startFakeAnthropicApi } from '../claude-code/helpers/fake-anthropic-api.js';
import { findRealClaudeCli } from '../claude-code/helpers/real-claude-cli.js';
import { allEvents, createSession, useRunnerKit, waitForSession } from './runner-kit.js';
import { eventually } from '../coordinator/helpers.js';

const KEY_A = 'sk-ant-profile-a-secret-0001';
const KEY_B = 'sk-ant-profile-b-secret-0002';

describe('rate limits park runs (runner, claude-code executor, fake claude)', { timeout: 120_000 }, () => {
  const kit = useRunnerKit();

  function credentialsFile(text: string): string {
    const path = join(kit().tempDir(), 'credentials.yaml');
    writeFileSync(path, text);
    chmodSync(path, 0o600);
    return path;
  }

  /** A runner of claude-code and print-env with `credentials`, its fake claude limited for `limited` keys (until `until`). */
  async function runner(url: string, credentials: string, limited: string, until = 0) {
    const home = kit().tempDir();
    const env = isolatedEnv(home, {
      CLAUDE_CODE_EXECUTABLE: FAKE_CLAUDE,
      FAKE_CLAUDE_STATE_DIR: kit().dir,
      FAKE_CLAUDE_RECORD: join(kit().dir, 'claude-record.jsonl'),
      FAKE_CLAUDE_LIMITED_KEYS: limited,
      FAKE_CLAUDE_LIMIT_UNTIL: String(until),
      AGENT_RUNNER_EXECUTOR_ENV: TEST_EXECUTOR_ENV.join(','),
    });
    delete env.ANTHROPIC_API_KEY;
    return kit().daemon(['-c', url, '-x', 'claude-code,print-env', '-n', '2', '--credentials', credentials], env);
  }
  /** What each fake claude process recorded last (it appends a line at its start and after each turn). */
  const records = () => {
    const lines = readFileSync(join(kit().dir, 'claude-record.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { pid: number; argv: string[]; prompts: string[] });
    return [...new Map(lines.map((r) => [r.pid, r])).values()];
  };
  /** An option's value in argv, `--name value` or `--name=value`. */
  const option = (argv: string[], name: string) => {
    const joined = argv.find((a) => a.startsWith(`${name}=`));
    return joined === undefined ? argv[argv.indexOf(name) + 1] : joined.slice(name.length + 1);
  };

  it('parks on profile A, continues at once on B with the same Claude session; no attempt charged; no secret elsewhere', async () => {
    const { url, api, proc } = await kit().coordinator();
    const file = credentialsFile(`profiles:
  A:
    env: { ANTHROPIC_API_KEY: ${KEY_A} }
    executors: [claude-code]
  B:
    env: { ANTHROPIC_API_KEY: ${KEY_B} }
    executors: [claude-code]
`);
    const daemon = await runner(url, file, KEY_A);
    const project = kit().tempDir();
    const { session_id, run_id } = await createSession(api, { executor: 'claude-code', project_dir: project, prompt: 'long conversation' });
    const done = await waitForSession(api, session_id, ['idle', 'failed']);
    expect(done.status).toBe('idle');
    const runs = (await api('GET', `/v1/sessions/${session_id}/runs`)).body.runs;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ run_id, status: 'succeeded', attempt: 1, parks: 1, credential_profile: 'B', excluded_runners: [] });
    const events = await allEvents(api, session_id);
    const limit = events.find((e) => e.type === 'rate_limited');
    expect(limit?.event).toMatchObject({ scope: 'credential', retry_at: expect.any(String) });
    // The same Claude session: the restart resumed what the first attempt bound, with the continue prompt.
    const [first, second] = records();
    const bound = (events.find((e) => e.type === 'bind')!.event as { executor_session_id: string }).executor_session_id;
    expect(first!.prompts).toEqual(['long conversation']);
    expect(option(second!.argv, '--resume')).toBe(bound);
    expect(second!.prompts[0]).toMatch(/interrupted by an API rate limit/);
    expect(done.executor_session_id).toBe(bound);
    const statuses = events.filter((e) => e.type === 'run_status').map((e) => `${e.event.status}#${e.event.attempt}`);
    expect(statuses).toEqual(['queued#1', 'claimed#1', 'running#1', 'queued#1', 'claimed#1', 'running#1', 'succeeded#1']);

    // Another executor on the same runner gets neither profile's secret.
    const other = await createSession(api, { executor: 'print-env', prompt: 'env please' });
    const printed = await waitForSession(api, other.session_id, ['idle', 'failed']);
    const { FAKE_CLAUDE_LIMITED_KEYS: _testSetting, ...env } = (printed.result as { result_data: { env: Record<string, string> } }).result_data.env;
    expect(env.ANTHROPIC_API_KEY).toBeUndefined();
    expect(JSON.stringify(env)).not.toContain(KEY_A);
    expect(JSON.stringify(env)).not.toContain(KEY_B);
    // The coordinator knows profiles by name only: its log, its API answers and the runner's log hold no secret.
    const answers = await Promise.all(
      [`/v1/sessions/${session_id}`, `/v1/sessions/${session_id}/runs`, `/v1/sessions/${session_id}/events`, '/v1/runners'].map(async (path) => JSON.stringify((await api('GET', path)).body)),
    );
    const runnersView = JSON.parse(answers[3]!) as { runners: Array<{ credential_profiles: Array<{ name: string; variables: string[] }> }> };
    expect(runnersView.runners[0]!.credential_profiles.map((p) => [p.name, p.variables])).toEqual([['A', ['ANTHROPIC_API_KEY']], ['B', ['ANTHROPIC_API_KEY']]]);
    for (const text of [...answers, proc.stderr(), daemon.stderr(), daemon.stdout()]) {
      expect(text).not.toContain(KEY_A);
      expect(text).not.toContain(KEY_B);
    }
  });

  it('a profile is the run\'s whole account: the runner\'s own API key does not pass beside the profile\'s token', async () => {
    const { url, api } = await kit().coordinator();
    const file = credentialsFile(`profiles:\n  team:\n    executors: [print-env]\n    env: { CLAUDE_CODE_OAUTH_TOKEN: sk-ant-oat01-team-token }\n`);
    const env = isolatedEnv(kit().tempDir(), {
      ANTHROPIC_API_KEY: 'sk-ant-runner-own-key',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/gateway',
      AGENT_RUNNER_EXECUTOR_ENV: ['ANTHROPIC_*', 'CLAUDE_CODE_OAUTH_TOKEN', ...TEST_EXECUTOR_ENV].join(','),
    });
    await kit().daemon(['-c', url, '-x', 'print-env', '--credentials', file], env);
    const { session_id } = await createSession(api, { executor: 'print-env', prompt: 'env please' });
    const printed = await waitForSession(api, session_id, ['idle', 'failed']);
    const seen = (printed.result as { result_data: { env: Record<string, string> } }).result_data.env;
    expect(seen.CLAUDE_CODE_OAUTH_TOKEN).toBe('sk-ant-oat01-team-token');
    expect(seen.ANTHROPIC_API_KEY).toBeUndefined(); // it would win over the profile's token in Claude Code
    expect(seen.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:9/gateway'); // an endpoint, not an account: the runner's passes
  });

  it('with one profile the run waits for the reset, says so, then resumes; another tree is not held up', async () => {
    const { url, api } = await kit().coordinator();
    const file = credentialsFile(`profiles:
  solo:
    env: { ANTHROPIC_API_KEY: ${KEY_A} }
    executors: [claude-code]
`);
    // Seconds, not hours: long enough for the executor to start (its SDK loads in seconds on a busy box).
    const until = Date.now() + 15_000;
    await runner(url, file, KEY_A, until);
    const project = kit().tempDir();
    const { session_id } = await createSession(api, { executor: 'claude-code', project_dir: project, prompt: 'wait for me' });
    const waiting = await eventually(async () => {
      const view = (await api('GET', `/v1/sessions/${session_id}`)).body;
      return view.rate_limit_wait !== null && view.rate_limit_wait !== undefined ? view : null;
    });
    expect(waiting.status).toBe('queued');
    expect(waiting.rate_limit_wait).toMatchObject({ profile: 'solo', until: new Date(Math.ceil(until / 1000) * 1000).toISOString() });
    expect(waiting.rate_limit_wait.message).toMatch(/^waiting for rate limit until \d\d:\d\d UTC \(profile solo\)$/);
    expect(waiting.waiting).toMatchObject({ reason: 'rate_limit', message: waiting.rate_limit_wait.message });

    // A second tree (another executor) runs to its end while the first waits.
    const other = await createSession(api, { executor: 'print-env', prompt: 'meanwhile' });
    expect((await waitForSession(api, other.session_id, ['idle', 'failed'])).status).toBe('idle');
    expect((await api('GET', `/v1/sessions/${session_id}`)).body.status).toBe('queued');

    const done = await waitForSession(api, session_id, ['idle', 'failed']);
    expect(done.status).toBe('idle');
    const [run] = (await api('GET', `/v1/sessions/${session_id}/runs`)).body.runs;
    expect(run).toMatchObject({ attempt: 1, parks: 1, credential_profile: 'solo' });
    // It started again only once the limit had reset.
    expect(Date.parse(run.started_at)).toBeGreaterThanOrEqual(Math.ceil(until / 1000) * 1000);
    expect(done.rate_limit_wait).toBeNull();
  });

  const cli = findRealClaudeCli();
  (('skip' in cli) ? it.skip : it)('the real Claude Code CLI: a 429 for profile A\'s key parks the run; B continues the same Claude session', async () => {
    const rateLimited = { type: 'error', error: { type: 'rate_limit_error', message: "This request would exceed your account's rate limit." } };
    const fake = await startFakeAnthropicApi([], (_body, headers) =>
      headers['x-api-key'] === KEY_A ? { kind: 'status', status: 429, body: rateLimited, headers: { 'retry-after': '5' } } : { kind: 'text', text: 'answered on B' },
    );
    kit().afterCleanup(() => fake.close());
    const { url, api } = await kit().coordinator();
    const file = credentialsFile(`profiles:
  A:
    env: { ANTHROPIC_API_KEY: ${KEY_A} }
  B:
    env: { ANTHROPIC_API_KEY: ${KEY_B} }
`);
    const env = isolatedEnv(kit().tempDir(), { ANTHROPIC_BASE_URL: fake.url });
    // Claude Code's own retries on (it would wait out the 429 itself): the executor must stop them.
    delete env.CLAUDE_CODE_MAX_RETRIES;
    delete env.ANTHROPIC_API_KEY;
    await kit().daemon(['-c', url, '-x', 'claude-code', '--credentials', file], env);
    const project = kit().tempDir();
    const { session_id } = await createSession(api, { executor: 'claude-code', project_dir: project, prompt: 'remember the word heron' });
    const done = await waitForSession(api, session_id, ['idle', 'failed'], 90_000);
    expect(done.status).toBe('idle');
    expect(done.result).toMatchObject({ result_text: 'answered on B' });
    const [run] = (await api('GET', `/v1/sessions/${session_id}/runs`)).body.runs;
    expect(run).toMatchObject({ attempt: 1, parks: 1, credential_profile: 'B', mode: 'start' });
    const turns = fake.turns();
    expect(turns.map((t) => t.headers['x-api-key'])).toEqual([KEY_A, KEY_B]);
    // The same Claude session: B's request carries the conversation A's had begun.
    expect(JSON.stringify(turns[1]!.body.messages)).toContain('remember the word heron');
    expect(JSON.stringify(turns[1]!.body.messages)).toContain('interrupted by an API rate limit');
    const binds = (await allEvents(api, session_id)).filter((e) => e.type === 'bind').map((e) => e.event.executor_session_id);
    expect(new Set(binds).size).toBe(1);
  });
});

