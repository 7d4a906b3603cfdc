// `agent-runner sessions retry ID`: the CLI's side of POST /v1/sessions/:id/retry, against a real coordinator.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestCoordinator } from '../coordinator/helpers.js';

const BIN = fileURLToPath(new URL('../../bin/agent-runner', import.meta.url));

/** Run the CLI to its end: exit code and output. */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('agent-runner sessions retry', () => {
  it('prints the new session (or JSON), and refuses a session in flight or unknown with exit 1 and the reason', { timeout: 60_000 }, async () => {
    const t = await startTestCoordinator('sqlite');
    cleanups.push(t.stop);
    const created = (await t.api('POST', '/v1/sessions', { prompt: 'again', executor: 'nobody', tags: ['x'] })).body as { session_id: string };

    const busy = await cli(['sessions', 'retry', created.session_id, '-c', t.url]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`session ${created.session_id} is queued`);

    await t.api('POST', `/v1/sessions/${created.session_id}/stop`);
    const retried = await cli(['sessions', 'retry', created.session_id, '-c', t.url]);
    expect(retried.code, retried.stderr).toBe(0);
    const id = retried.stdout.trim();
    expect(id).toMatch(/^ses_\w+$/);
    expect(retried.stderr).toContain(`retry of ${created.session_id}`);
    expect((await t.api('GET', `/v1/sessions/${id}`)).body).toMatchObject({ prompt: 'again', executor: 'nobody', tags: ['x'], status: 'queued' });

    await t.api('POST', `/v1/sessions/${id}/stop`);
    const json = await cli(['sessions', 'retry', id, '--json', '-c', t.url]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ retry_of: id, status: 'queued' });

    const unknown = await cli(['sessions', 'retry', 'ses_nothere', '-c', t.url]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('ses_nothere');
  });
});
