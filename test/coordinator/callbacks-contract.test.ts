import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../coordinator/store/open-store.js';
import type { Store } from '../../coordinator/store/store.js';
import { freshDatabase, startTestCoordinator, STORE_KINDS } from './helpers.js';

// The re-queue policy: backoff, and the lease that says which runners are online for a retry.
const backoff = { baseMs: 100, maxMs: 1_000, leaseMs: 30_000 };
const base = { agent: null, executor: 'test', tags: [], project_dir: null, parent_session_id: null, priority: 0, timeout_s: null, prompt: 'hi', max_attempts: 2 };
const runner = { id: 'r1', executors: ['test'], tags: [] };

describe.each(STORE_KINDS)('Store contract: callback mode (%s)', (kind) => {
  let store: Store;
  let drop: () => Promise<void>;
  let databaseUrl: string;
  let schema: string | undefined;
  let now = 1_000_000;

  beforeEach(async () => {
    const db = await freshDatabase(kind);
    ({ drop, databaseUrl } = db);
    schema = db.databaseSchema;
    store = await openStore({ databaseUrl, schema });
    await store.registerRunner({ id: 'r1', name: 'r1', hostname: null, executors: ['test'], tags: [], capacity: 9, metadata: null }, 'hash', now);
  });
  afterEach(async () => {
    await store?.close();
    await drop?.();
  });

  /** Claim and start the next run; it must be `runId`. */
  const claimAndStart = async (runId: string) => {
    expect((await store.claimNextRun(runner, ++now))?.id).toBe(runId);
    await store.startRun(runId, 'r1', ++now);
  };
  const succeed = (runId: string, text: string, executorSessionId?: string) =>
    store.finishRun(runId, 'r1', { kind: 'succeeded', message: 'ok', result: { type: 'result', result_text: text }, executor_session_id: executorSessionId ?? null }, ++now, backoff);

  /** A running parent with three callback-mode children that ended while it ran. */
  const parentWithEndedChildren = async () => {
    const parent = await store.createSession(base, ++now);
    await claimAndStart(parent.run.id);
    const children = [];
    for (let i = 0; i < 3; i++) {
      children.push(await store.createSession({ ...base, prompt: `child ${i}`, parent_session_id: parent.session.id, callback_session_id: parent.session.id }, ++now));
    }
    await claimAndStart(children[0]!.run.id);
    await succeed(children[0]!.run.id, 'zero');
    await claimAndStart(children[1]!.run.id);
    await store.finishRun(children[1]!.run.id, 'r1', { kind: 'failed', message: 'exit 1' }, ++now, backoff);
    await store.stopSession(children[2]!.session.id, ++now);
    return { parent, children };
  };

  it('keeps outcomes of children that end while the parent runs, then resumes the parent once with all of them', async () => {
    const { parent, children } = await parentWithEndedChildren();
    const waiting = await store.listCallbacks(parent.session.id);
    expect(waiting.map((c) => [c.child_session_id, c.status, c.delivered_run_id])).toEqual([
      [children[0]!.session.id, 'succeeded', null],
      [children[1]!.session.id, 'failed', null],
      [children[2]!.session.id, 'cancelled', null],
    ]);
    expect((await store.getSession(parent.session.id))?.status).toBe('running');
    await succeed(parent.run.id, 'parent done', 'exec-parent');
    const session = await store.getSession(parent.session.id);
    expect(session?.status).toBe('queued');
    const runs = await store.listRuns(parent.session.id);
    expect(runs).toHaveLength(2);
    const resume = runs.find((r) => r.mode === 'resume')!;
    expect(resume).toMatchObject({ status: 'queued', executor_session_id: 'exec-parent', id: session?.last_run_id });
    expect(resume.prompt).toContain('<agent-callbacks count="3">');
    for (const c of children) expect(resume.prompt).toContain(c.session.id);
    expect(resume.prompt).toContain('zero');
    expect(resume.prompt).toContain('exit 1');
    expect((await store.listCallbacks(parent.session.id)).every((c) => c.delivered_run_id === resume.id)).toBe(true);
    // The parent's own result stayed its own.
    expect(session?.result).toEqual({ result_text: 'parent done' });
  });

  it('resumes an idle parent as soon as one child ends', async () => {
    const parent = await store.createSession(base, ++now);
    await claimAndStart(parent.run.id);
    await succeed(parent.run.id, 'p');
    const child = await store.createSession({ ...base, parent_session_id: parent.session.id, callback_session_id: parent.session.id }, ++now);
    await claimAndStart(child.run.id);
    await succeed(child.run.id, 'child result');
    const runs = await store.listRuns(parent.session.id);
    expect(runs.map((r) => r.mode)).toEqual(['start', 'resume']);
    expect(runs[1]!.prompt).toMatch(/^A child session you started in callback mode has ended/);
    expect((await store.getSession(parent.session.id))?.status).toBe('queued');
  });

  it('keeps waiting outcomes across a restart of the store, and delivers them when the parent ends', async () => {
    const { parent } = await parentWithEndedChildren();
    await store.close();
    store = await openStore({ databaseUrl, schema });
    expect((await store.listCallbacks(parent.session.id)).filter((c) => c.delivered_run_id === null)).toHaveLength(3);
    await succeed(parent.run.id, 'parent done');
    const runs = await store.listRuns(parent.session.id);
    expect(runs).toHaveLength(2);
    expect(runs.find((r) => r.mode === 'resume')!.prompt).toContain('count="3"');
  });

  it('does not resume a parent that failed; a run that calls back its own session is ignored', async () => {
    const { parent } = await parentWithEndedChildren();
    await store.finishRun(parent.run.id, 'r1', { kind: 'failed', message: 'boom' }, ++now, backoff);
    expect(await store.listRuns(parent.session.id)).toHaveLength(1);
    const self = await store.createSession(base, ++now);
    await claimAndStart(self.run.id);
    await succeed(self.run.id, 'x');
    const { run } = await store.resumeSession(self.session.id, { prompt: 'again', max_attempts: 1, callback_session_id: self.session.id }, ++now);
    await claimAndStart(run.id);
    await succeed(run.id, 'y');
    expect(await store.listRuns(self.session.id)).toHaveLength(2);
    expect(await store.listCallbacks(self.session.id)).toEqual([]);
  });
});

describe('HTTP API: callback_session_id', () => {
  it('is accepted on create and resume when the session exists, refused with 422 naming the field otherwise', async () => {
    const { api, stop } = await startTestCoordinator('sqlite');
    try {
      const parent = await api('POST', '/v1/sessions', { executor: 'test', prompt: 'p' });
      const child = await api('POST', '/v1/sessions', { executor: 'test', prompt: 'c', callback_session_id: parent.body.session_id });
      expect(child.status).toBe(201);
      expect((await api('GET', `/v1/runs/${child.body.run_id}`)).body.callback_session_id).toBe(parent.body.session_id);
      const bad = await api('POST', '/v1/sessions', { executor: 'test', prompt: 'c', callback_session_id: 'ses_nope' });
      expect(bad.status).toBe(422);
      expect(bad.body.error.message).toBe('callback_session_id: no session ses_nope');
      await api('POST', `/v1/sessions/${child.body.session_id}/stop`);
      const resume = await api('POST', `/v1/sessions/${child.body.session_id}/resume`, { prompt: 'again', callback_session_id: 'ses_nope' });
      expect(resume.status).toBe(422);
      expect((await api('GET', `/v1/sessions/${parent.body.session_id}/callbacks`)).body.callbacks).toEqual([
        expect.objectContaining({ child_session_id: child.body.session_id, status: 'cancelled', delivered_run_id: null }),
      ]);
    } finally {
      await stop();
    }
  });
});
