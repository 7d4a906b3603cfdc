import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../coordinator/api-error.js';
import { toApiError } from '../../coordinator/http/error-status.js';
import { IllegalTransitionError } from '../../coordinator/rules/run-transitions.js';
import { ConflictError, NotHolderError } from '../../coordinator/store/store-errors.js';
import type { Store } from '../../coordinator/store/store.js';
import { openFreshStore, STORE_KINDS } from './helpers.js';

// The jitter fixed at the top of its range: retries wait exactly base × 2^(attempt-1).
const backoff = { baseMs: 100, maxMs: 1_000, random: () => 1, leaseMs: 30_000 };
const base = { agent: null, executor: 'test', tags: [], project_dir: null, parent_session_id: null, priority: 0, timeout_s: null, prompt: 'hi', max_attempts: 2 };
const runner = (id: string, executors = ['test'], tags: string[] = []) => ({ id, executors, tags });
/** A store call whose refusal is mapped as the HTTP layer maps it (status, code, details). */
const asHttp = <T>(call: Promise<T>): Promise<T> => call.catch((error: unknown) => Promise.reject(toApiError(error) ?? error));

describe.each(STORE_KINDS)('Store contract (%s)', (kind) => {
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

  const register = (id: string, executors = ['test'], tags: string[] = []) =>
    store.registerRunner({ id, name: id, hostname: null, executors, tags, capacity: 1, metadata: null }, 'hash', now);

  it('creates a session with a queued start run, and lists sessions newest first with paging', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await store.createSession({ ...base, prompt: `p${i}` }, now++)).session.id);
    const { session, run } = await store.createSession(base, now);
    expect(session.status).toBe('queued');
    expect(run).toMatchObject({ mode: 'start', status: 'queued', attempt: 1, session_id: session.id });
    const first = await store.listSessions({}, { limit: 4, before: null });
    expect(first.sessions.map((s) => s.id)).toEqual([session.id, ...ids.slice(2).reverse()]);
    const second = await store.listSessions({}, { limit: 4, before: first.next });
    expect(second.sessions.map((s) => s.id)).toEqual(ids.slice(0, 2).reverse());
    expect(second.next).toBeNull();
    expect((await store.listSessions({ status: 'idle' }, { limit: 10, before: null })).sessions).toEqual([]);
  });

  it('claims by priority, then FIFO, only runs the runner can serve, and never twice', async () => {
    await register('r1', ['test'], ['gpu']);
    const low = await store.createSession({ ...base, priority: 0 }, now++);
    const high1 = await store.createSession({ ...base, priority: 5 }, now++);
    const high2 = await store.createSession({ ...base, priority: 5 }, now++);
    const gpu = await store.createSession({ ...base, priority: 9, tags: ['gpu'] }, now++);
    const other = await store.createSession({ ...base, priority: 10, executor: 'other' }, now++);
    const plain = runner('r1');
    expect((await store.claimNextRun(plain, now))?.id).toBe(high1.run.id);
    expect((await store.claimNextRun(plain, now))?.id).toBe(high2.run.id);
    expect((await store.claimNextRun(plain, now))?.id).toBe(low.run.id);
    expect(await store.claimNextRun(plain, now)).toBeNull();
    expect((await store.claimNextRun(runner('r1', ['test'], ['gpu']), now))?.id).toBe(gpu.run.id);
    expect((await store.claimNextRun(runner('r1', ['other']), now))?.id).toBe(other.run.id);
    // A claim leaves the session as it was (queued, no runner): the runner is named once it starts the run.
    expect(await store.getSession(gpu.session.id)).toMatchObject({ status: 'queued', runner_id: null });
    const gpuRun = (await store.getRun(gpu.run.id))!;
    expect(gpuRun).toMatchObject({ status: 'claimed', runner_id: 'r1' });
    await store.startRun(gpu.run.id, 'r1', now);
    expect(await store.getSession(gpu.session.id)).toMatchObject({ status: 'running', runner_id: 'r1' });
  });

  it('claims several runs at once in the order it would claim them one by one', async () => {
    await register('r1', ['test'], ['gpu']);
    const low = await store.createSession({ ...base, priority: 0 }, now++);
    const high = await store.createSession({ ...base, priority: 5 }, now++);
    const gpu = await store.createSession({ ...base, priority: 9, tags: ['gpu'] }, now++);
    const later = await store.createSession({ ...base, priority: 0 }, now++);
    const plain = runner('r1');
    expect((await store.claimRuns(plain, now, 2)).map((r) => r.id)).toEqual([high.run.id, low.run.id]);
    expect((await store.claimRuns(plain, now, 5)).map((r) => r.id)).toEqual([later.run.id]);
    expect(await store.claimRuns(plain, now, 5)).toEqual([]);
    const claimed = await store.claimRuns(runner('r1', ['test'], ['gpu']), now, 3);
    expect(claimed.map((r) => [r.id, r.status, r.runner_id])).toEqual([[gpu.run.id, 'claimed', 'r1']]);
  });

  it('guards transitions: an illegal one is a 409 naming both states', async () => {
    await register('r1');
    const { run } = await store.createSession(base, now);
    await store.claimNextRun(runner('r1'), now);
    await store.startRun(run.id, 'r1', now);
    await store.finishRun(run.id, 'r1', { kind: 'succeeded', message: 'ok' }, now, backoff);
    // The store refuses in the domain's words; the HTTP layer's one mapping gives the status.
    const refusal = await store.startRun(run.id, 'r1', now).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(IllegalTransitionError);
    const error = toApiError(refusal);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'illegal_transition', details: { from: 'succeeded', to: 'running' } });
    const notHeld = await store.startRun(run.id, 'r2', now).catch((e: unknown) => e);
    expect(notHeld).toBeInstanceOf(NotHolderError);
    const forbidden = toApiError(notHeld);
    expect(forbidden).toMatchObject({ status: 403 });
  });

  it('appends events idempotently with per-session sequence numbers and copies bind/usage/result to the session', async () => {
    await register('r1');
    const { session, run } = await store.createSession(base, now);
    await store.claimNextRun(runner('r1'), now);
    const batch = [
      { seq: 1, event: { type: 'bind', executor_session_id: 'exec-1' } },
      { seq: 2, event: { type: 'usage', input_tokens: 3 } },
      { seq: 3, event: { type: 'result', result_text: 'done' } },
    ];
    // Session seq 1 and 2 are the run's own status events (queued, claimed), with run_seq -1 and -2.
    expect(await store.appendEvents(run.id, 'r1', batch, now)).toMatchObject({ accepted: 3, duplicates: 0, last_seq: 3, session_seq: 5 });
    expect(await store.appendEvents(run.id, 'r1', [...batch, { seq: 4, event: { type: 'log', message: 'x' } }], now)).toMatchObject({
      accepted: 1, duplicates: 3, last_seq: 4, session_seq: 6,
    });
    const events = await store.listEvents(session.id, 0, 100);
    expect(events.map((e) => [e.seq, e.run_seq, e.type])).toEqual([
      [1, -1, 'run_status'], [2, -2, 'run_status'], [3, 1, 'bind'], [4, 2, 'usage'], [5, 3, 'result'], [6, 4, 'log'],
    ]);
    expect(events.slice(0, 2).map((e) => e.data)).toEqual([
      { type: 'run_status', run_id: run.id, status: 'queued', attempt: 1, runner_id: null },
      { type: 'run_status', run_id: run.id, status: 'claimed', attempt: 1, runner_id: 'r1' },
    ]);
    expect((await store.listEvents(session.id, 2, 1)).map((e) => e.seq)).toEqual([3]);
    // A batch that overtook an earlier one: the late batch is still stored, duplicates still skipped.
    expect(await store.appendEvents(run.id, 'r1', [{ seq: 7, event: { type: 'log', message: '7' } }], now)).toMatchObject({ accepted: 1, last_seq: 7 });
    expect(await store.appendEvents(run.id, 'r1', [5, 6, 7].map((seq) => ({ seq, event: { type: 'log', message: `${seq}` } })), now)).toMatchObject({
      accepted: 2, duplicates: 1, last_seq: 7, session_seq: 9,
    });
    const s = await store.getSession(session.id);
    expect(s).toMatchObject({ executor_session_id: 'exec-1', usage: { input_tokens: 3 }, result: { result_text: 'done' }, event_seq: 9 });
    await expect(store.appendEvents(run.id, 'r2', batch, now)).rejects.toBeInstanceOf(NotHolderError);
    await expect(asHttp(store.appendEvents(run.id, 'r2', batch, now))).rejects.toMatchObject({ status: 403 });
  });

  it('resumes an idle session with the bound executor_session_id and refuses while active', async () => {
    await register('r1');
    const { session, run } = await store.createSession(base, now);
    await expect(store.resumeSession(session.id, { prompt: 'again', max_attempts: 1 }, now)).rejects.toBeInstanceOf(ConflictError);
    await expect(asHttp(store.resumeSession(session.id, { prompt: 'again', max_attempts: 1 }, now))).rejects.toMatchObject({ status: 409 });
    await expect(asHttp(store.deleteSession(session.id))).rejects.toMatchObject({ status: 409 });
    await store.claimNextRun(runner('r1'), now);
    await store.appendEvents(run.id, 'r1', [{ seq: 1, event: { type: 'bind', executor_session_id: 'exec-9' } }], now);
    await store.finishRun(run.id, 'r1', { kind: 'succeeded', message: 'ok' }, now, backoff);
    expect((await store.getSession(session.id))?.status).toBe('idle');
    const resumed = await store.resumeSession(session.id, { prompt: 'again', max_attempts: 1 }, now);
    expect(resumed.run).toMatchObject({ mode: 'resume', executor_session_id: 'exec-9', status: 'queued' });
    expect(resumed.session).toMatchObject({ status: 'queued', last_run_id: resumed.run.id });
    expect((await store.listRuns(session.id)).map((r) => r.mode)).toEqual(['start', 'resume']);
  });

  it('stops: a queued run is cancelled at once, a claimed one is flagged for its runner', async () => {
    await register('r1');
    const queued = await store.createSession(base, now);
    expect((await store.stopSession(queued.session.id, now)).run.status).toBe('cancelled');
    expect((await store.getSession(queued.session.id))?.status).toBe('cancelled');
    const held = await store.createSession(base, now);
    await store.claimNextRun(runner('r1'), now);
    expect(await store.stopSession(held.session.id, now)).toMatchObject({ notifyRunner: 'r1' });
    expect(await store.runsToStop('r1')).toEqual([held.run.id]);
    await store.finishRun(held.run.id, 'r1', { kind: 'cancelled', message: 'cancelled' }, now, backoff);
    expect(await store.runsToStop('r1')).toEqual([]);
    await store.deleteSession(held.session.id);
    expect(await store.getSession(held.session.id)).toBeNull();
  });

  it('re-queues a lost run with backoff while attempts remain, then fails it', async () => {
    await register('r1');
    const { run } = await store.createSession(base, now);
    await store.claimNextRun(runner('r1'), now);
    now += 5_000;
    const [requeued] = await store.expireLeases(now, 1_000, backoff);
    expect(requeued).toMatchObject({ id: run.id, status: 'queued', attempt: 2, runner_id: null, available_at: now + 100 });
    expect(await store.claimNextRun(runner('r1'), now)).toBeNull(); // still backing off
    await store.touchRunner('r1', now + 100);
    expect((await store.claimNextRun(runner('r1'), now + 100))?.attempt).toBe(2);
    now += 5_000;
    const [failed] = await store.expireLeases(now, 1_000, backoff);
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed!.error).toMatch(/stopped heartbeating.*no attempts left/);
  });

  it('retries infra_failed (exit 75) but never rejected (exit 2)', async () => {
    await register('r1');
    const a = await store.createSession(base, now);
    await store.claimNextRun(runner('r1'), now);
    expect(await store.finishRun(a.run.id, 'r1', { kind: 'infra_failed', message: 'exit 75' }, now, backoff)).toMatchObject({ status: 'queued', attempt: 2 });
    const b = await store.createSession(base, now);
    await store.claimNextRun(runner('r1'), now + 10_000); // claims a (priority equal, older) after backoff
    await store.claimNextRun(runner('r1'), now + 10_000);
    expect(await store.finishRun(b.run.id, 'r1', { kind: 'rejected', message: 'exit 2' }, now, backoff)).toMatchObject({ status: 'failed', attempt: 1 });
  });

  it('fails runs no online runner can serve after the placement timeout, naming what they asked for', async () => {
    const online = [await register('r1', ['test'], [])];
    const servable = await store.createSession(base, now);
    const unservable = await store.createSession({ ...base, executor: 'gpu-exec', tags: ['gpu'] }, now);
    const failed = await store.failUnplaceable(now + 2_000, 1_000, online);
    expect(failed.map((r) => r.id)).toEqual([unservable.run.id]);
    expect(failed[0]!.error).toContain('executor "gpu-exec" with tags [gpu]');
    expect((await store.getRun(servable.run.id))?.status).toBe('queued');
  });

  it('stores agents and counts runs by state', async () => {
    expect(await store.putAgent({ name: 'a', system_prompt: 'x', extra: { kept: true } }, now)).toEqual({ created: true });
    expect(await store.putAgent({ name: 'a', system_prompt: 'y' }, now)).toEqual({ created: false });
    expect(await store.getAgent('a')).toEqual({ name: 'a', system_prompt: 'y' });
    expect((await store.listAgents()).length).toBe(1);
    expect(await store.deleteAgent('a')).toBe(true);
    expect(await store.deleteAgent('a')).toBe(false);
    await store.createSession(base, now);
    expect(await store.countRunsByStatus()).toEqual({ queued: 1 });
  });
});
