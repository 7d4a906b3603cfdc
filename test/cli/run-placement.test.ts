import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../coordinator/helpers.js';
import { allEvents, freePort, type Proc, type RunnerKit, useRunnerKit } from '../runner/runner-kit.js';

const BUDGET_MS = 60_000;

/** stdout lines of a `run`. */
const lines = (text: string) => text.split('\n').filter((line) => line !== '');
/** Wait until a running `run` printed a line containing `text`. */
const printed = (run: Proc, text: string) => eventually(async () => run.stdout().includes(text), BUDGET_MS);

/** A fresh folder for an embedded `run` (its own state, no coordinator found on the local port), with agents. */
async function embeddedFolder(kit: RunnerKit, agents: Record<string, object> = {}) {
  const cwd = kit.tempDir();
  mkdirSync(join(cwd, 'agents'));
  for (const [name, doc] of Object.entries(agents)) writeFileSync(join(cwd, 'agents', `${name}.json`), JSON.stringify({ name, system_prompt: 'x', ...doc }));
  return { cwd, env: { AGENT_RUNNER_LOCAL_PORT: String(await freePort()) } };
}

describe('`run` says at once what will not happen (issue 12: placement)', () => {
  const kit = useRunnerKit();

  it('separate coordinator, a runner online serving other executors: says so at once, keeps waiting, runs when one comes', async () => {
    const { url } = await kit().coordinator();
    await kit().daemon(['-c', url, '-x', 'sh-echo']);
    const run = kit().spawnCli(['run', '-c', url, '-x', 'test-executor', 'hello']);
    await printed(run, 'waiting');
    const waiting = lines(run.stdout()).find((line) => line.includes('waiting'))!;
    expect(waiting).toMatch(/^ {2}waiting +no online runner serves executor "test-executor" \(online: rnr_\w+ serves executors \[sh-echo\], tags \[none\]\); it fails at \S+ unless one comes \(placement timeout 10m\)$/);
    // It keeps waiting: a runner that serves it comes, and takes it.
    await kit().daemon(['-c', url, '-x', 'test-executor']);
    const { code } = await run.exited;
    expect(code, run.stderr()).toBe(0);
    expect(lines(run.stdout()).at(-1)).toMatch(/^✔ succeeded in \d/);
  }, BUDGET_MS * 2);

  it('separate coordinator, no runner at all, --tags: says none is online, then runs on the tagged runner that comes', async () => {
    const { url, api } = await kit().coordinator();
    const run = kit().spawnCli(['run', '-c', url, '-x', 'sh-echo', '--tags', 'gpu, big', '--json', 'hello']);
    await printed(run, '"type":"waiting"');
    const notice = JSON.parse(lines(run.stdout()).find((line) => line.includes('"type":"waiting"'))!);
    expect(notice.waiting).toMatchObject({ reason: 'no_runner_online', executor: 'sh-echo', tags: ['gpu', 'big'], runners: [], runners_online: 0 });
    expect(notice.waiting.message).toMatch(/^no runner is online to serve executor "sh-echo" with tags \[gpu, big\]; it fails at /);
    // The API says the same while it waits.
    expect((await api('GET', `/v1/sessions/${notice.session_id}`)).body.waiting).toMatchObject({ reason: 'no_runner_online', message: notice.waiting.message });
    await kit().daemon(['-c', url, '-x', 'sh-echo', '--tags', 'gpu']); // lacks "big": still waiting
    await kit().daemon(['-c', url, '-x', 'sh-echo', '--tags', 'big,gpu']);
    const { code } = await run.exited;
    expect(code, run.stderr()).toBe(0);
    const outcome = JSON.parse(lines(run.stdout()).at(-1)!);
    expect(outcome).toMatchObject({ type: 'outcome', status: 'succeeded', error: null });
    expect(outcome.duration_ms).toBeGreaterThanOrEqual(0);
  }, BUDGET_MS * 2);

  it('embedded: an agent with tags its own runner lacks fails at once, saying why once, with a hint; AGENT_RUNNER_TAGS serves it', async () => {
    const { cwd, env } = await embeddedFolder(kit(), { gpu: { executor: 'sh-echo', tags: ['gpu'] } });
    const failed = await kit().cli(['run', '--agent', 'gpu', 'hello'], { cwd, env });
    expect(failed.code, failed.stderr).toBe(1);
    const out = lines(failed.stdout);
    expect(out.at(-1)).toMatch(/^✘ failed in \S+: no runner can serve this run: no online runner serves executor "sh-echo" with tags \[gpu\] \(online: rnr_\w+ serves executors \[[^\]]*sh-echo[^\]]*\], tags \[none\]\)$/);
    // Said once: the `failed` status line does not repeat it.
    expect(out.filter((line) => line.includes('no runner can serve'))).toHaveLength(1);
    expect(out).toContain('  run         failed');
    expect(failed.stderr).toContain('hint: without --coordinator-url this command\'s own runner is the only one');
    const tagged = await kit().cli(['run', '--agent', 'gpu', 'hello'], { cwd, env: { ...env, AGENT_RUNNER_TAGS: 'gpu' } });
    expect(tagged.code, tagged.stderr).toBe(0);
    expect(tagged.stdout).toContain('Echo (sh): hello');
  }, BUDGET_MS * 2);

  it('embedded: an agent whose executor its runner does not have fails at once naming it', async () => {
    const { cwd, env } = await embeddedFolder(kit(), { far: { executor: 'not-here' } });
    const failed = await kit().cli(['run', '--agent', 'far', 'hello'], { cwd, env });
    expect(failed.code, failed.stderr).toBe(1);
    expect(lines(failed.stdout).at(-1)).toMatch(/^✘ failed in \S+: no runner can serve this run: no online runner serves executor "not-here" \(online: /);
  });

  it('the executor is decided when the session is created: agent without executor + --default-executor', async () => {
    const agents = join(kit().dir, 'agents');
    mkdirSync(agents, { recursive: true });
    writeFileSync(join(agents, 'plain.json'), JSON.stringify({ name: 'plain', system_prompt: 'no executor named' }));
    const { url, api } = await kit().coordinator({ args: ['--default-executor', 'test-executor'] });
    const detached = await kit().cli(['run', '-c', url, '--agent', 'plain', '--detach', '--json', 'hello']);
    expect(detached.code, detached.stderr).toBe(0);
    const { session_id, run_id } = JSON.parse(detached.stdout);
    expect((await api('GET', `/v1/sessions/${session_id}`)).body).toMatchObject({ agent: 'plain', executor: 'test-executor' });
    expect((await api('GET', `/v1/runs/${run_id}`)).body).toMatchObject({ executor: 'test-executor' });
    // A runner without that executor does not take it; one with it does.
    await kit().daemon(['-c', url, '-x', 'sh-echo']);
    const run = kit().spawnCli(['run', '-c', url, '--agent', 'plain', 'again']);
    await printed(run, 'waiting');
    expect(run.stdout()).toContain('no online runner serves executor "test-executor"');
    await kit().daemon(['-c', url, '-x', 'test-executor']);
    expect((await run.exited).code, run.stderr()).toBe(0);
  }, BUDGET_MS * 2);

  it('embedded: AGENT_COORDINATOR_DEFAULT_EXECUTOR decides the executor of a run that names none; a bad one is refused', async () => {
    const { cwd, env } = await embeddedFolder(kit());
    const ran = await kit().cli(['run', 'hello'], { cwd, env: { ...env, AGENT_COORDINATOR_DEFAULT_EXECUTOR: 'sh-echo' } });
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('Echo (sh): hello');
    const bad = await kit().cli(['run', 'hello'], { cwd, env: { ...env, AGENT_COORDINATOR_DEFAULT_EXECUTOR: '../sh-echo' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('AGENT_COORDINATOR_DEFAULT_EXECUTOR: "../sh-echo" is not an executor name');
  });
});

describe('`run` makes no retry that cannot help (issue 12)', () => {
  const kit = useRunnerKit();

  it('an executor exiting 75 on a one-runner fleet: one attempt, the reason once in the final line', async () => {
    const { url, api } = await kit().coordinator({ args: ['--backoff-base', '20ms'] });
    const runner = await kit().daemon(['-c', url, '-x', 'gate-exit'], { EXIT_CODE: '75' });
    const run = await kit().cli(['run', '-c', url, '-x', 'gate-exit', 'hello']);
    expect(run.code, run.stderr).toBe(75);
    const out = lines(run.stdout);
    const runnerId = /rnr_\w+/.exec(out.find((line) => line.includes('claimed by'))!)![0];
    expect(out.at(-1)).toBe(
      `✘ failed in ${/in (\S+):/.exec(out.at(-1)!)![1]}: infrastructure failure (exit 75): no credentials on this host; ` +
        `not retried: no other online runner serves executor "gate-exit" (its executor exited 75 on ${runnerId})`,
    );
    expect(out.filter((line) => line.includes('not retried'))).toHaveLength(1);
    expect(out.filter((line) => line.includes('(attempt 2)'))).toEqual([]);
    const sessionId = /ses_\w+/.exec(out[0]!)![0];
    const runs = (await api('GET', `/v1/sessions/${sessionId}/runs`)).body.runs;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'failed', attempt: 1, excluded_runners: [runnerId] });
    expect(runner.child.exitCode).toBeNull(); // the runner is fine; only this run could not be served
  });

  it('embedded: an executor exiting 75 is tried once (its own runner is the only one)', async () => {
    const { cwd, env } = await embeddedFolder(kit());
    const run = await kit().cli(['run', '-x', 'gate-exit', 'hello'], { cwd, env: { ...env, EXIT_CODE: '75' } });
    expect(run.code, run.stderr).toBe(75);
    expect(lines(run.stdout).at(-1)).toMatch(/^✘ failed in \S+: infrastructure failure \(exit 75\): no credentials on this host; not retried: no other online runner serves executor "gate-exit"/);
    expect(run.stdout).not.toContain('attempt 2');
  });

  it('a second runner that can serve it gets the retry', async () => {
    const { url, api } = await kit().coordinator({ args: ['--backoff-base', '20ms'] });
    const gate = join(kit().dir, 'go');
    await kit().daemon(['-c', url, '-x', 'gate-exit'], { EXIT_CODE: '75', GATE_FILE: gate, SERVED_BY: 'first' });
    const run = kit().spawnCli(['run', '-c', url, '-x', 'gate-exit', 'hello']);
    await printed(run, 'running on');
    const first = /running on (rnr_\w+)/.exec(run.stdout())![1];
    // The second runner is online before the first one's executor gives up.
    await kit().daemon(['-c', url, '-x', 'gate-exit'], { EXIT_CODE: '0', SERVED_BY: 'second' });
    writeFileSync(gate, '');
    const { code } = await run.exited;
    expect(code, run.stderr()).toBe(0);
    const out = lines(run.stdout());
    expect(out).toContain('  result      served by second');
    expect(out.at(-1)).toMatch(/^✔ succeeded in \S+$/);
    // The retry's reason is said once, on its re-queue; its claim and start do not repeat it.
    expect(out.filter((line) => line.includes('no credentials on this host'))).toEqual([
      '  stderr      no credentials on this host',
      '  run         queued (attempt 2): infrastructure failure (exit 75): no credentials on this host',
    ]);
    const sessionId = /ses_\w+/.exec(out[0]!)![0];
    const [only] = (await api('GET', `/v1/sessions/${sessionId}/runs`)).body.runs;
    expect(only).toMatchObject({ status: 'succeeded', attempt: 2, excluded_runners: [first] });
    expect(only.runner_id).not.toBe(first);
    const claims = (await allEvents(api, sessionId)).filter((e) => e.event.status === 'claimed').map((e) => e.event.runner_id);
    expect(claims).toEqual([first, only.runner_id]);
  }, BUDGET_MS * 2);
});
