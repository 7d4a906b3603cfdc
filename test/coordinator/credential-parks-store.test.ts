/**
 * Rate limits park work, in the store (both dialects): a run that reported rate_limited and ended with
 * exit 75 is re-queued without an attempt charged nor its runner excluded; its profile is parked; it may
 * be taken at once on a free profile, else at the reset; claims choose profiles by weight, skipping parked ones.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../coordinator/store/store.js';
import { MAX_PARKS_PER_RUN, MIN_PARK_MS, RATE_LIMIT_DEFAULT_WAIT_MS } from '../../coordinator/rules/park-rules.js';
import type { RunnerProfile } from '../../protocol/credential-profiles.js';
import { openFreshStore, STORE_KINDS } from './helpers.js';

const LEASE_MS = 30_000;
const policy = { baseMs: 100, maxMs: 1_000, random: () => 1, leaseMs: LEASE_MS };
const base = { agent: null, executor: 'claude-code', tags: [], project_dir: null, parent_session_id: null, priority: 0, timeout_s: null, prompt: 'hi', max_attempts: 3 };
const exit75 = { kind: 'infra_failed' as const, message: 'infrastructure failure (exit 75): rate limited', exit_code: 75, executor_session_id: 'claude-ses-1' };
const profile = (name: string, weight = 1, executors: string[] | null = null): RunnerProfile => ({ name, weight, models: null, executors });

describe.each(STORE_KINDS)('parking runs for rate limits (%s)', (kind) => {
  let store: Store;
  let close: (() => Promise<void>) | undefined;
  const now = 1_000_000;

  beforeEach(async () => {
    ({ store, close } = await openFreshStore(kind));
  });
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  // Runner ids are unique per test, as registrations make them (the round-robin state is kept per runner id).
  let prefix = '';
  let tests = 0;
  beforeEach(() => {
    prefix = `${kind}-${++tests}-`;
  });
  const register = (name: string, credential_profiles: RunnerProfile[] = [], at = now) =>
    store.registerRunner({ id: prefix + name, name, hostname: null, executors: ['claude-code', 'test'], tags: [], capacity: 4, metadata: null, credential_profiles, default_executor: 'claude-code' }, 'hash', at);
  const claimer = async (id: string) => {
    const { runner } = (await store.getRunnerWithToken(prefix + id))!;
    return { id: runner.id, executors: runner.executors, tags: runner.tags, credential_profiles: runner.credential_profiles, default_executor: runner.default_executor };
  };
  const claim = async (id: string, at: number) => (await store.claimAssignments(await claimer(id), at, 1))[0]?.run ?? null;
  /** Claim, start, report a rate limit (with retry_at when given) and end with exit 75. */
  const limitRun = async (name: string, runId: string, at: number, limit: Record<string, unknown>) => {
    const runnerId = prefix + name;
    await store.startRun(runId, runnerId, at);
    const seq = (await store.getRun(runId))!.event_seq;
    await store.appendEvents(runId, runnerId, [{ seq: seq + 1, event: { type: 'bind', executor_session_id: 'claude-ses-1' } }, { seq: seq + 2, event: { type: 'rate_limited', scope: 'credential', message: 'usage limit reached', ...limit } }], at);
    return store.finishRun(runId, runnerId, exit75, at, policy);
  };

  it('parks on profile A and restarts at once on B of the same runner: same attempt, runner not excluded, session bound, continues it', async () => {
    await register('r1', [profile('A'), profile('B')]);
    const { session, run } = await store.createSession(base, now);
    const first = await claim('r1', now);
    expect(first).toMatchObject({ id: run.id, credential_profile: 'A' });
    const reset = new Date(now + 3_600_000).toISOString();
    const parked = await limitRun('r1', run.id, now, { retry_at: reset });
    expect(parked).toMatchObject({ status: 'queued', attempt: 1, excluded_runners: [], parks: 1, available_at: now, parked_until: now, continues_session: true, executor_session_id: 'claude-ses-1' });
    expect(parked.error).toBe('parked for a rate limit: usage limit reached');
    // B is free: the restart goes there at once; A stays parked for other runs too.
    const again = await claim('r1', now + 1);
    expect(again).toMatchObject({ id: run.id, attempt: 1, credential_profile: 'B', parked_until: null, continues_session: true });
    const { run: other } = await store.createSession(base, now + 2);
    expect(await claim('r1', now + 2)).toMatchObject({ id: other.id, credential_profile: 'B' });
    expect((await store.getSession(session.id))?.executor_session_id).toBe('claude-ses-1');
  });

  it('with one profile the run waits for the reset: invisible to claims until then, the session says so, then it restarts', async () => {
    await register('r1', [profile('solo')]);
    const { session, run } = await store.createSession(base, now);
    await claim('r1', now);
    const reset = now + 5_000;
    const parked = await limitRun('r1', run.id, now, { retry_at: new Date(reset).toISOString() });
    expect(parked).toMatchObject({ status: 'queued', attempt: 1, available_at: reset, parked_until: reset, parks: 1 });
    const view = (await store.getSession(session.id))!;
    expect(view).toMatchObject({ status: 'queued', parked_until: reset, park_profile: 'solo', park_reason: 'usage limit reached' });
    // Nothing for the runner before the reset, not even another session's run (its only profile is parked).
    const { run: other } = await store.createSession(base, now + 10);
    expect(await claim('r1', reset - 1)).toBeNull();
    // A run of an executor the profile does not cover is not held back... (here: every executor is covered).
    const restarted = await claim('r1', reset);
    expect(restarted).toMatchObject({ id: run.id, attempt: 1, credential_profile: 'solo' });
    expect((await claim('r1', reset))?.id).toBe(other.id);
    await store.startRun(run.id, prefix + 'r1', reset + 1);
    expect(await store.getSession(session.id)).toMatchObject({ status: 'running', parked_until: null, park_profile: null });
  });

  it('a profile limited to one executor holds back only that executor\'s runs', async () => {
    await register('r1', [profile('cc', 1, ['claude-code'])]);
    const { run } = await store.createSession(base, now);
    await claim('r1', now);
    await limitRun('r1', run.id, now, { retry_at: new Date(now + 60_000).toISOString() });
    const { run: test } = await store.createSession({ ...base, executor: 'test' }, now + 1);
    expect(await claim('r1', now + 2)).toMatchObject({ id: test.id, credential_profile: null });
  });

  it('a runner without profiles parks the run itself until the reset; no retry_at waits the default; a past one the minimum', async () => {
    await register('plain');
    const { run } = await store.createSession(base, now);
    await claim('plain', now);
    expect(await limitRun('plain', run.id, now, {})).toMatchObject({ status: 'queued', attempt: 1, available_at: now + RATE_LIMIT_DEFAULT_WAIT_MS, credential_profile: null });
    await claim('plain', now + RATE_LIMIT_DEFAULT_WAIT_MS);
    const t = now + RATE_LIMIT_DEFAULT_WAIT_MS;
    expect(await limitRun('plain', run.id, t, { retry_at: new Date(t - 60_000).toISOString() })).toMatchObject({ available_at: t + MIN_PARK_MS, parks: 2, attempt: 1 });
  });

  it('a park is bounded: past MAX_PARKS_PER_RUN an exit 75 is an ordinary infrastructure failure again', async () => {
    await register('r1', [profile('A')]);
    const { run } = await store.createSession(base, now);
    let t = now;
    for (let i = 0; i < MAX_PARKS_PER_RUN; i++) {
      await claim('r1', t);
      const parked = await limitRun('r1', run.id, t, { retry_at: new Date(t + 1_000).toISOString() });
      expect(parked).toMatchObject({ status: 'queued', attempt: 1, parks: i + 1 });
      t = parked.available_at;
    }
    await claim('r1', t);
    const charged = await limitRun('r1', run.id, t, { retry_at: new Date(t + 1_000).toISOString() });
    // An ordinary exit 75 now: its runner is excluded, and as no other runner serves it, it fails with why.
    expect(charged).toMatchObject({ status: 'failed', attempt: 1, parks: MAX_PARKS_PER_RUN });
    expect(charged.error).toMatch(/; not retried: /);
  }, 60_000);

  it('an exit 75 without a rate_limited event of this attempt, or a malformed one stored as a log, is an ordinary retry', async () => {
    await register('r1', [profile('A')]);
    await register('r2', [profile('B')]);
    const { run } = await store.createSession(base, now);
    await claim('r1', now);
    await store.startRun(run.id, prefix + 'r1', now);
    await store.appendEvents(run.id, prefix + 'r1', [{ seq: 1, event: { type: 'log', message: '{"type":"rate_limited"}', reason: 'invalid rate_limited event: scope: …' } }], now);
    expect(await store.finishRun(run.id, prefix + 'r1', exit75, now, policy)).toMatchObject({ attempt: 2, parks: 0, excluded_runners: [prefix + 'r1'] });
  });

  it('model-scoped parks are kept per profile and model, and listed for routing', async () => {
    await register('r1', [profile('A'), profile('B')]);
    const { run } = await store.createSession(base, now);
    await claim('r1', now);
    await limitRun('r1', run.id, now, { scope: 'model', model: 'claude-opus-9', retry_at: new Date(now + 60_000).toISOString() });
    expect([...(await store.parkedModels(now + 1))]).toEqual(['claude-opus-9']);
    expect([...(await store.parkedModels(now + 60_000))]).toEqual([]);
    // A model park does not hold the profile back for runs that name no model.
    expect(await claim('r1', now + 1)).toMatchObject({ id: run.id, credential_profile: 'B' });
    const { run: next } = await store.createSession(base, now + 2);
    expect(await claim('r1', now + 2)).toMatchObject({ id: next.id, credential_profile: 'A' });
  });

  it('profiles are chosen by weight (smooth round robin), never a parked one', async () => {
    await register('r1', [profile('big', 3), profile('small', 1)]);
    const chosen: string[] = [];
    for (let i = 0; i < 8; i++) {
      await store.createSession(base, now + i);
      chosen.push((await claim('r1', now + 100))!.credential_profile!);
    }
    expect(chosen.filter((c) => c === 'big').length).toBe(6);
    expect(chosen.filter((c) => c === 'small').length).toBe(2);
    expect(chosen.slice(0, 4).sort()).toEqual(['big', 'big', 'big', 'small']);
  });
});
