import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRunning, waitUntil } from '../helpers/fixtures.js';
import { createSession, freePort, useRunnerKit, waitForEvent, waitForSession } from '../runner/runner-kit.js';

describe('the shell executor under a real runner', () => {
  const kit = useRunnerKit();

  it('run -x shell: a failing command fails the run, its exit code and output kept in the result', async () => {
    const cwd = kit().tempDir();
    const run = await kit().cli(['run', '-x', 'shell', '--json', 'pwd; echo boom >&2; exit 3'], { cwd, env: { AGENT_RUNNER_LOCAL_PORT: String(await freePort()) } });
    expect(run.code, run.stderr).toBe(1);
    const outcome = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { status: string; result: { result_data: Record<string, unknown> } };
    expect(outcome.status).toBe('failed');
    expect(outcome.result.result_data).toEqual({ exit_code: 3, signal: null, stdout: expect.stringMatching(/\/runner-it-/) as string, stderr: 'boom' });
  });

  it('a stopped session ends the command and everything it started', async () => {
    const { api, url } = await kit().coordinator();
    await kit().daemon(['-c', url, '-x', 'shell']);
    const pidFile = join(kit().dir, 'sleep.pid');
    const { session_id } = await createSession(api, { executor: 'shell', prompt: `sleep 1000 & echo $! > ${pidFile}; echo started; wait` });
    await waitForEvent(api, session_id, (e) => e.type === 'message' && e.event.text === 'started');
    await waitUntil(() => existsSync(pidFile), 'the sleep wrote its pid');
    const sleep = Number(readFileSync(pidFile, 'utf8'));
    expect(isRunning(sleep)).toBe(true);
    expect((await api('POST', `/v1/sessions/${session_id}/stop`, {})).status).toBeLessThan(300);
    const session = await waitForSession(api, session_id, ['cancelled', 'failed', 'idle']);
    expect(session.status).toBe('cancelled');
    await waitUntil(() => !isRunning(sleep), 'the sleep is gone');
  });
});
