import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toApiError } from '../../coordinator/http/error-status.js';
import type { NewSession, Store } from '../../coordinator/store/store.js';
import { ENDED_SESSION_STATUSES } from '../../protocol/statuses.js';
import { openFreshStore, STORE_KINDS } from './helpers.js';

const backoff = { baseMs: 100, maxMs: 1_000, random: () => 1, leaseMs: 30_000 };
const base: NewSession = { agent: null, executor: 'test', tags: [], project_dir: null, parent_session_id: null, priority: 0, timeout_s: null, prompt: 'hi', max_attempts: 1, callback_session_id: null };
const HOUR = 3_600_000;
/** A store refusal as the HTTP layer answers it. */
const asHttp = <T>(call: Promise<T>): Promise<T> => call.catch((error: unknown) => Promise.reject(toApiError(error) ?? error));

// Deleting and pruning sessions, and the counts behind GET /v1/status and the runners' slots, on both stores.
describe.each(STORE_KINDS)('delete, prune and status counts (%s)', (kind) => {
  let store: Store;
  let close: (() => Promise<void>) | undefined;
  const now = 100 * HOUR;

  beforeEach(async () => {
    ({ store, close } = await openFreshStore(kind));
    await store.registerRunner({ id: 'r1', name: 'r1', hostname: null, executors: ['test'], tags: [], capacity: 4, metadata: null }, 'hash', 0);
  });
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  /** A session whose run ended `kind` at `at` (r1 claims it, reports an event, finishes it). */
  const ended = async (endKind: 'succeeded' | 'failed' | 'cancelled', at: number, input: Partial<NewSession> = {}) => {
    const { session, run } = await store.createSession({ ...base, ...input }, at);
    expect((await store.claimNextRun({ id: 'r1', executors: ['test'], tags: [] }, at))?.id).toBe(run.id);
    await store.appendEvents(run.id, 'r1', [{ seq: 1, event: { type: 'message', role: 'assistant', text: 'hi' } }], at);
    await store.finishRun(run.id, 'r1', { kind: endKind, message: endKind }, at, backoff);
    return session.id;
  };
  /** A session whose run stays queued: no runner serves its executor. */
  const live = async (input: Partial<NewSession> = {}) => (await store.createSession({ ...base, executor: 'parked', ...input }, now)).session.id;
  const exists = async (id: string) => (await store.getSession(id)) !== null;
  const prune = (endedBefore: number, statuses: readonly ('idle' | 'failed' | 'cancelled')[] = ENDED_SESSION_STATUSES, max = 100) =>
    store.pruneSessions({ endedBefore, statuses }, max);

  it('deletes a session with its whole subtree, their runs, events and callback outcomes', async () => {
    const root = await ended('succeeded', now - 3 * HOUR);
    const child = await ended('failed', now - 2 * HOUR, { parent_session_id: root });
    const grandchild = await ended('cancelled', now - HOUR, { parent_session_id: child });
    const other = await ended('succeeded', now - HOUR);
    // A callback-mode child of another tree ended with an outcome waiting for `child` (failed: not delivered).
    await ended('succeeded', now - HOUR, { callback_session_id: child });
    expect(await store.listCallbacks(child)).toHaveLength(1);
    const runs = [...(await store.listRuns(root)), ...(await store.listRuns(grandchild))];
    const otherEvents = await store.listEvents(other, 0, 10);
    expect(otherEvents.length).toBeGreaterThan(0);

    expect(await store.deleteSession(root)).toEqual({ deleted: 3 });
    for (const id of [root, child, grandchild]) {
      expect(await exists(id)).toBe(false);
      expect(await store.listEvents(id, 0, 10)).toEqual([]);
      expect(await store.listCallbacks(id)).toEqual([]);
    }
    for (const run of runs) expect(await store.getRun(run.id)).toBeNull();
    expect(await exists(other)).toBe(true);
    expect(await store.listEvents(other, 0, 10)).toEqual(otherEvents);
    await expect(asHttp(store.deleteSession(root))).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('refuses to delete a session in flight, one with a descendant in flight, or one a live run will call back', async () => {
    const running = await live();
    await expect(asHttp(store.deleteSession(running))).rejects.toMatchObject({
      status: 409,
      code: 'conflict',
      message: `session ${running} is queued; stop it before deleting it`,
      details: { session: running, status: 'queued' },
    });

    const parent = await ended('succeeded', now);
    const child = await ended('succeeded', now, { parent_session_id: parent });
    const busy = await live({ parent_session_id: child });
    await expect(asHttp(store.deleteSession(parent))).rejects.toMatchObject({
      status: 409,
      message: expect.stringContaining(`(${busy} is queued)`),
      details: { session: parent, descendant: busy, status: 'queued' },
    });
    expect([await exists(parent), await exists(child), await exists(busy)]).toEqual([true, true, true]);

    // Failed: the outcome waits for a resume instead of resuming it at once.
    const target = await ended('failed', now);
    const caller = await live({ callback_session_id: target });
    await expect(asHttp(store.deleteSession(target))).rejects.toMatchObject({ status: 409, details: { session: target, waiting: target } });
    expect((await store.stopSession(caller, now)).run.status).toBe('cancelled');
    expect(await store.listCallbacks(target)).toHaveLength(1);
    expect(await store.deleteSession(target)).toEqual({ deleted: 1 });
    expect(await store.listCallbacks(target)).toEqual([]);
  });

  it('prunes the sessions that ended before the time, in the states asked, and never one in flight', async () => {
    const oldIdle = await ended('succeeded', now - 10 * HOUR);
    const oldFailed = await ended('failed', now - 10 * HOUR);
    const oldCancelled = await ended('cancelled', now - 10 * HOUR);
    const young = await ended('succeeded', now - HOUR);
    const inFlight = await live();

    expect(await prune(now - 5 * HOUR, ['failed'])).toEqual({ deleted: 1, more: false });
    expect(await exists(oldFailed)).toBe(false);
    expect(await prune(now - 5 * HOUR)).toEqual({ deleted: 2, more: false });
    expect([await exists(oldIdle), await exists(oldCancelled), await exists(young), await exists(inFlight)]).toEqual([false, false, true, true]);
    expect(await prune(now - 5 * HOUR)).toEqual({ deleted: 0, more: false });
    expect(await prune(now + HOUR)).toEqual({ deleted: 1, more: false }); // every ended one: the young too, never the live one
    expect(await exists(inFlight)).toBe(true);
    expect(await prune(now + HOUR, [])).toEqual({ deleted: 0, more: false });
  });

  it('keeps a session while one of its descendants does not match, or a live run will call it (or a descendant) back', async () => {
    const cut = now - 5 * HOUR;
    // parent → child (old) → grandchild (young): the grandchild keeps both.
    const p1 = await ended('succeeded', now - 10 * HOUR);
    const c1 = await ended('succeeded', now - 9 * HOUR, { parent_session_id: p1 });
    const g1 = await ended('succeeded', now - HOUR, { parent_session_id: c1 });
    // parent → child in flight.
    const p2 = await ended('succeeded', now - 10 * HOUR);
    const c2 = await live({ parent_session_id: p2 });
    // parent (idle) → child (failed), pruning only idle ones: the child keeps the parent.
    const p3 = await ended('succeeded', now - 10 * HOUR);
    const c3 = await ended('failed', now - 10 * HOUR, { parent_session_id: p3 });
    // parent → child, a live run will call the child back.
    const p4 = await ended('succeeded', now - 10 * HOUR);
    const c4 = await ended('succeeded', now - 10 * HOUR, { parent_session_id: p4 });
    const caller = await live({ callback_session_id: c4 });
    // parent → two old children: all three go.
    const p5 = await ended('succeeded', now - 10 * HOUR);
    const c5a = await ended('succeeded', now - 9 * HOUR, { parent_session_id: p5 });
    const c5b = await ended('succeeded', now - 9 * HOUR, { parent_session_id: p5 });

    expect(await prune(cut, ['idle'])).toEqual({ deleted: 3, more: false });
    const kept = [p1, c1, g1, p2, c2, p3, c3, p4, c4, caller];
    for (const id of kept) expect({ id, exists: await exists(id) }).toEqual({ id, exists: true });
    for (const id of [p5, c5a, c5b]) expect({ id, exists: await exists(id) }).toEqual({ id, exists: false });
    // Pruning the failed ones too takes p3's tree.
    expect(await prune(cut)).toEqual({ deleted: 2, more: false });
    expect([await exists(p3), await exists(c3)]).toEqual([false, false]);
  });

  it('prunes in batches, newest first, so a parent goes only with its descendants and none is left without one', async () => {
    const ids: string[] = [];
    let parent: string | null = null;
    for (let depth = 0; depth < 4; depth++) {
      parent = await ended('succeeded', now - 10 * HOUR, { parent_session_id: parent });
      ids.push(parent);
      ids.push(await ended('failed', now - 10 * HOUR, { parent_session_id: parent }));
    }
    let batches = 0;
    for (let more = true; more; batches++) {
      const batch = await prune(now, ENDED_SESSION_STATUSES, 3);
      more = batch.more;
      expect(batch.deleted).toBeLessThanOrEqual(3);
      // After every batch, each session left still has its parent.
      for (const id of ids) {
        const s = await store.getSession(id);
        if (s?.parent_session_id != null) expect({ id, parent: await exists(s.parent_session_id) }).toEqual({ id, parent: true });
      }
    }
    expect(batches).toBe(3);
    for (const id of ids) expect(await exists(id)).toBe(false);
  });

  it('counts runs and sessions in flight, the oldest queued run, runs ended in the window, and each runner\'s held runs', async () => {
    await store.registerRunner({ id: 'r2', name: 'r2', hostname: null, executors: ['other'], tags: [], capacity: 2, metadata: null }, 'hash', 0);
    await ended('succeeded', now - 10 * 60_000);
    await ended('cancelled', now - 60_000);
    await ended('failed', now - 2 * HOUR); // before the window
    const { run: claimed } = await store.createSession(base, now - 3_000);
    expect((await store.claimNextRun({ id: 'r1', executors: ['test'], tags: [] }, now))?.id).toBe(claimed.id);
    const { run: running } = await store.createSession(base, now - 2_000);
    expect((await store.claimNextRun({ id: 'r1', executors: ['test'], tags: [] }, now))?.id).toBe(running.id);
    await store.startRun(running.id, 'r1', now);
    const { run: otherRun } = await store.createSession({ ...base, executor: 'other' }, now);
    expect((await store.claimNextRun({ id: 'r2', executors: ['other'], tags: [] }, now))?.id).toBe(otherRun.id);
    await store.createSession({ ...base, executor: 'parked' }, now - 7_000);
    await store.createSession({ ...base, executor: 'parked' }, now - 1_000);

    expect(await store.countSystemStatus(now - HOUR)).toEqual({
      runsInFlight: { queued: 2, claimed: 2, running: 1 },
      oldestQueuedAt: now - 7_000,
      endedSince: { succeeded: 1, cancelled: 1 },
      sessionsInFlight: { queued: 4, running: 1 },
    });
    expect(Object.fromEntries(await store.countHeldRuns())).toEqual({ r1: 2, r2: 1 });
    await store.finishRun(running.id, 'r1', { kind: 'succeeded', message: 'ok' }, now, backoff);
    expect(Object.fromEntries(await store.countHeldRuns())).toEqual({ r1: 1, r2: 1 });
    expect((await store.countSystemStatus(now - HOUR)).endedSince).toEqual({ succeeded: 2, cancelled: 1 });
  });
});
