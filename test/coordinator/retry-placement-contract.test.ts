import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../coordinator/store/store.js';
import { openFreshStore, STORE_KINDS } from './helpers.js';

// Retries wait exactly base × 2^(attempt-1) (jitter fixed at its top); a runner is online for a lease after it was heard.
const LEASE_MS = 30_000;
const policy = { baseMs: 100, maxMs: 1_000, random: () => 1, leaseMs: LEASE_MS };
const base = { agent: null, executor: 'test', tags: [], project_dir: null, parent_session_id: null, priority: 0, timeout_s: null, prompt: 'hi', max_attempts: 3 };
const claimer = (id: string, executors = ['test'], tags: string[] = []) => ({ id, executors, tags });
/** The executor itself exited 75 (the runner reports its exit code). */
const exit75 = { kind: 'infra_failed' as const, message: 'infrastructure failure (exit 75): no credentials', exit_code: 75 };

describe.each(STORE_KINDS)('retries go where they can help, and run_status reasons are said once (%s)', (kind) => {
  let store: Store;
  let close: (() => Promise<void>) | undefined;
  let now = 1_000_000;

  beforeEach(async () => {
    ({ store, close } = await openFreshStore(kind));
    now = 1_000_000;
  });
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  const register = (id: string, executors = ['test'], tags: string[] = [], at = now) =>
    store.registerRunner({ id, name: id, hostname: null, executors, tags, capacity: 1, metadata: null }, 'hash', at);
  const statusEvents = async (sessionId: string) =>
    (await store.listEvents(sessionId, 0, 100)).filter((e) => e.type === 'run_status').map((e) => [`${e.data.status}#${e.data.attempt}`, e.data.message]);

  it('the executor\'s own exit 75 excludes its runner: the retry goes to another runner that serves the run', async () => {
    await register('r1');
    await register('r2');
    const { session, run } = await store.createSession(base, now);
    expect((await store.claimNextRun(claimer('r1'), now))?.id).toBe(run.id);
    const requeued = await store.finishRun(run.id, 'r1', exit75, now, policy);
    expect(requeued).toMatchObject({ status: 'queued', attempt: 2, excluded_runners: ['r1'], available_at: now + 100, error: exit75.message });
    // After the backoff, r1 is not given it (claimRuns and claimNextRun alike); r2 is.
    expect(await store.claimNextRun(claimer('r1'), now + 1_000)).toBeNull();
    expect(await store.claimRuns(claimer('r1'), now + 1_000, 5)).toEqual([]);
    const retry = await store.claimNextRun(claimer('r2'), now + 1_000);
    expect(retry).toMatchObject({ id: run.id, attempt: 2, runner_id: 'r2', excluded_runners: ['r1'] });
    // A failure of r2's own (no executor exit code: e.g. a blueprint it could not fetch) does not exclude r2.
    const again = await store.finishRun(run.id, 'r2', { kind: 'infra_failed', message: 'runner error: blueprint unavailable' }, now + 1_000, policy);
    expect(again).toMatchObject({ status: 'queued', attempt: 3, excluded_runners: ['r1'] });
    expect((await store.claimNextRun(claimer('r2'), now + 10_000))?.id).toBe(run.id);
    expect((await store.getRun(run.id))?.excluded_runners).toEqual(['r1']);
    // The reason is on the change that set it (the re-queue), not repeated by the next claims.
    expect(await statusEvents(session.id)).toEqual([
      ['queued#1', undefined], ['claimed#1', undefined],
      ['queued#2', exit75.message], ['claimed#2', undefined],
      ['queued#3', 'runner error: blueprint unavailable'], ['claimed#3', undefined],
    ]);
  });

  it('when no other online runner serves it, the run fails at once with the reason instead of being re-queued', async () => {
    await register('r1');
    await register('gone', ['test'], [], now - 2 * LEASE_MS); // its lease lapsed: not online
    await register('other', ['else']);
    const { session, run } = await store.createSession(base, now);
    await store.claimNextRun(claimer('r1'), now);
    await store.startRun(run.id, 'r1', now);
    const failed = await store.finishRun(run.id, 'r1', exit75, now, policy);
    expect(failed).toMatchObject({ status: 'failed', attempt: 1, finished_at: now, excluded_runners: ['r1'] });
    expect(failed.error).toBe(`${exit75.message}; not retried: no other online runner serves executor "test" (its executor exited 75 on r1)`);
    expect((await store.getSession(session.id))?.status).toBe('failed');
    expect(await statusEvents(session.id)).toEqual([
      ['queued#1', undefined], ['claimed#1', undefined], ['running#1', undefined], ['failed#1', failed.error],
    ]);
  });

  it('a lost run (the runner\'s loss, not its executor\'s) is retried on any runner, its own included', async () => {
    await register('r1');
    const { run } = await store.createSession(base, now);
    await store.claimNextRun(claimer('r1'), now);
    now += 5_000;
    const [requeued] = await store.expireLeases(now, 1_000, policy);
    expect(requeued).toMatchObject({ status: 'queued', attempt: 2, excluded_runners: [] });
    await store.touchRunner('r1', now + 100);
    expect((await store.claimNextRun(claimer('r1'), now + 100))?.id).toBe(run.id);
  });

  it('a placement timeout of 0 fails an unservable run at once, only the runs named, saying what the online runners serve', async () => {
    const online = [await register('r1', ['test'], ['linux'])];
    const gpu = await store.createSession({ ...base, executor: 'test', tags: ['gpu'] }, now);
    const other = await store.createSession({ ...base, executor: 'gpu-exec' }, now);
    const fine = await store.createSession(base, now);
    const failed = await store.failUnplaceable(now, 0, online, [gpu.run.id, fine.run.id]);
    expect(failed.map((r) => r.id)).toEqual([gpu.run.id]);
    expect(failed[0]!.error).toBe('no runner can serve this run: no online runner serves executor "test" with tags [gpu] (online: r1 serves executors [test], tags [linux])');
    expect((await store.getRun(other.run.id))?.status).toBe('queued');
    expect((await store.getRun(fine.run.id))?.status).toBe('queued');
    // The sweep (no run named) after a placement timeout names the timeout.
    const [swept] = await store.failUnplaceable(now + 2_000, 1_000, online);
    expect(swept).toMatchObject({ id: other.run.id, status: 'failed' });
    expect(swept!.error).toMatch(/^no runner can serve this run within the placement timeout \(1\.0s\): no online runner serves executor "gpu-exec"/);
  });

  it('a runner excluded from a run does not count as able to serve it at the placement timeout', async () => {
    const r1 = await register('r1');
    const r2 = await register('r2');
    const { run } = await store.createSession(base, now);
    await store.claimNextRun(claimer('r1'), now);
    await store.finishRun(run.id, 'r1', exit75, now, policy);
    expect(await store.failUnplaceable(now + 2_000, 1_000, [r1, r2])).toEqual([]);
    const [failed] = await store.failUnplaceable(now + 2_000, 1_000, [r1]);
    expect(failed!.error).toMatch(/no other online runner serves executor "test" \(its executor exited 75 on r1\)$/);
  });
});
