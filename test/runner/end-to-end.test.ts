import { describe, expect, it } from 'vitest';
import { freePort, useRunnerKit } from './runner-kit.js';

// Start and resume through the CLI, with real runner and coordinator processes.
// Each test runs a chain of five or so real processes one after another: seconds on a quiet machine, near a
// minute on a busy one. Every wait is on a process or a state, so the budget costs nothing.
describe('agent-runner run / sessions resume, end to end', { timeout: 180_000 }, () => {
  const kit = useRunnerKit();

  it('runs and resumes with the sh example on a daemon with an embedded coordinator', async () => {
    const port = String(await freePort());
    const daemon = await kit().daemon(['-x', 'sh-echo'], { AGENT_RUNNER_LOCAL_PORT: port });
    const listening = await daemon.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('no --coordinator-url: started a coordinator in-process'), 'the embedded coordinator');
    // The first line names the console too.
    expect(listening.console).toBe(`http://127.0.0.1:${port}/`);
    const env = { AGENT_RUNNER_LOCAL_PORT: port };
    const cwd = kit().tempDir();

    const run = await kit().cli(['run', '-x', 'sh-echo', 'hello there'], { cwd, env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Echo (sh): hello there');
    expect(run.stdout).toContain('✔ succeeded');
    const sessionId = /session (ses_\w+)/.exec(run.stdout)![1]!;

    const resumed = await kit().cli(['sessions', 'resume', sessionId, 'again'], { cwd, env });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`Resumed executor session sh-${sessionId}. Echo (sh): again`);
    // The resume prints only the new run's events, not the first run's again.
    expect(resumed.stdout).not.toContain('hello there');

    const show = await kit().cli(['sessions', 'show', sessionId, '--json'], { cwd, env });
    expect(JSON.parse(show.stdout)).toMatchObject({ status: 'idle', executor: 'sh-echo', executor_session_id: `sh-${sessionId}`, result: { result_text: 'Echo (sh): again' } });
  });

  it('runs and resumes with test-executor on a daemon joined to a coordinator process (--json)', async () => {
    const { url } = await kit().coordinator();
    await kit().daemon(['-c', url, '-x', 'test-executor']);

    const run = await kit().cli(['run', '-c', url, '-x', 'test-executor', '--json', 'hello']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const outcome = lines.at(-1);
    expect(outcome).toMatchObject({ type: 'outcome', status: 'succeeded', result: { result_text: 'Echo: hello' } });
    const statuses = lines.filter((l) => l.type === 'run_status').map((l) => l.event.status);
    expect(statuses).toEqual(['queued', 'claimed', 'running', 'succeeded']);

    const resumed = await kit().cli(['sessions', 'resume', '-c', url, '--json', outcome.session_id, 'more']);
    expect(resumed.code).toBe(0);
    const last = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ status: 'succeeded', outcome: { executor_session_id: `test-${outcome.session_id}` } });
    expect(JSON.stringify(last.result)).toContain('more');

    const events = await kit().cli(['sessions', 'events', '-c', url, '--json', outcome.session_id]);
    const seqs = events.stdout.trim().split('\n').map((l) => JSON.parse(l).seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('runs test-executor on a fresh folder with nothing running (in-process coordinator and runner), then resumes there', async () => {
    const cwd = kit().tempDir();
    const env = { AGENT_RUNNER_LOCAL_PORT: String(await freePort()) };
    const run = await kit().cli(['run', '--executor', 'test-executor', 'hello'], { cwd, env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Echo: hello');
    const sessionId = /session (ses_\w+)/.exec(run.stdout)![1]!;

    // The session lives in this folder's state folder (lib/state): a later command in the same folder finds it.
    const resumed = await kit().cli(['sessions', 'resume', sessionId, 'later'], { cwd, env });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('later');
    expect(resumed.stdout).toContain('✔ succeeded');
  });

  it('exits non-zero with the failure when the executor fails', async () => {
    const { url } = await kit().coordinator();
    await kit().daemon(['-c', url, '-x', 'exit-with'], { EXIT_CODE: '3' });
    const run = await kit().cli(['run', '-c', url, '-x', 'exit-with', 'x']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✘ failed');
  });
});
