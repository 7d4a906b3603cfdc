import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshDatabase, registerRunner, pollRun, startTestCoordinator, STORE_KINDS, type StoreKind } from '../coordinator/helpers.js';
import { allEvents, createSession, useRunnerKit, waitForEvent, waitForSession } from './runner-kit.js';

// A lost runner is noticed within a few seconds (time enough to ask for the stop before its lease lapses,
// even on a busy machine), and a re-queued run could be claimed again at once.
const FAST_LEASE = ['--lease', '3s', '--heartbeat-interval', '300ms', '--sweep-interval', '100ms', '--backoff-base', '50ms', '--backoff-max', '100ms'];

describe.each(STORE_KINDS)('a stop is durable (%s)', (kind: StoreKind) => {
  const kit = useRunnerKit();

  it('a session stopped while its runner is dead (SIGKILL) ends cancelled when the lease lapses; no runner starts it again', { timeout: 60_000 }, async () => {
    const db = await freshDatabase(kind);
    kit().afterCleanup(db.drop);
    const schema = db.databaseSchema === undefined ? [] : ['--database-schema', db.databaseSchema];
    const { api, url } = await kit().coordinator({ database: db.databaseUrl, args: [...FAST_LEASE, ...schema] });
    const first = await kit().daemon(['-c', url, '-x', 'ticker'], { GO_FILE: join(kit().dir, 'never') });
    const { session_id, run_id } = await createSession(api, { executor: 'ticker', prompt: 'x' });
    await waitForEvent(api, session_id, (e) => e.type === 'progress');

    first.child.kill('SIGKILL');
    await first.exited;
    expect((await api('POST', `/v1/sessions/${session_id}/stop`)).status).toBe(202);
    // A runner that would take the run at once if it were queued again (its executor ends at once).
    await kit().daemon(['-c', url, '-x', 'ticker']);

    expect(await waitForSession(api, session_id, ['cancelled', 'idle', 'failed'])).toMatchObject({ status: 'cancelled' });
    const run = (await api('GET', `/v1/runs/${run_id}`)).body;
    expect(run).toMatchObject({ status: 'cancelled', attempt: 1 });
    expect(run.error).toMatch(/stopped heartbeating.*asked to stop/);
    const statuses = (await allEvents(api, session_id)).filter((e) => e.type === 'run_status').map((e) => e.event.status);
    expect(statuses).toEqual(['queued', 'claimed', 'running', 'lost', 'cancelled']);
  });

  it('an infrastructure failure of a stopped run ends it cancelled instead of retrying it', async () => {
    const t = await startTestCoordinator(kind);
    kit().afterCleanup(t.stop);
    const runner = await registerRunner(t.api, ['infra']);
    const { session_id } = (await t.api('POST', '/v1/sessions', { executor: 'infra', prompt: 'x' })).body;
    const { run } = await pollRun(t.api, runner);
    await t.api('POST', `/v1/runs/${run.run_id}/started`, {}, runner.token);
    expect((await t.api('POST', `/v1/sessions/${session_id}/stop`)).status).toBe(202);
    const finished = await t.api('POST', `/v1/runs/${run.run_id}/finished`, { kind: 'infra_failed', message: 'exit 75', exit_code: 75 }, runner.token);
    expect(finished.body).toMatchObject({ status: 'cancelled', attempt: 1 });
    expect((await t.api('GET', `/v1/sessions/${session_id}`)).body.status).toBe('cancelled');
  });
});
