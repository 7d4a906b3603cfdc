// How often a run writes its session row, and how session event seqs are numbered without a counter on
// that row (coordinator/store/ops/event-seqs.ts, session-update.ts). Writes are counted by a trigger on
// the real database; PostgreSQL's concurrency is exercised with real concurrent transactions.
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../coordinator/store/migrations.js';
import { allocateEventSeqs } from '../../coordinator/store/ops/event-seqs.js';
import { getRunForUpdateWithSession } from '../../coordinator/store/ops/get-records.js';
import { SessionUpdate } from '../../coordinator/store/ops/session-update.js';
import { openPostgresClient } from '../../coordinator/store/postgres-client.js';
import { openSqliteClient } from '../../coordinator/store/sqlite-client.js';
import type { SqlClient } from '../../coordinator/store/sql-client.js';
import { createStore, type Store } from '../../coordinator/store/store.js';
import { freshDatabase, PG_URL, STORE_KINDS, type StoreKind } from './helpers.js';

const policy = { baseMs: 100, maxMs: 1_000, random: () => 1, leaseMs: 30_000 };
const base = { agent: null, executor: 'test', tags: [], project_dir: null, parent_session_id: null, priority: 0, timeout_s: null, prompt: 'hi', max_attempts: 2 };
const runner = { id: 'r1', executors: ['test'], tags: [] };
/** Runner r1's registration. */
const R1 = { id: 'r1', name: 'r1', hostname: null, executors: ['test'], tags: [], capacity: 4, metadata: null };

/** Runner r1 registered, and a session whose run it claimed (event seqs 1 and 2: queued, claimed). */
async function claimedRun(store: Store, now: number) {
  await store.registerRunner(R1, 'hash', now);
  const created = await store.createSession(base, now);
  const claimed = await store.claimNextRun(runner, now);
  expect(claimed?.id).toBe(created.run.id);
  return created;
}

/** A store on a fresh database, its SQL client, and counts of the writes (inserts and updates) of `sessions` and `runs` rows. */
async function openCountingStore(kind: StoreKind) {
  const db = await freshDatabase(kind);
  const sql: SqlClient =
    kind === 'postgres' ? await openPostgresClient({ url: db.databaseUrl, schema: db.databaseSchema }) : openSqliteClient(db.databaseUrl);
  await migrate(sql);
  let sessionWrites: () => Promise<number>;
  let runWrites: () => Promise<number>;
  let closeCounter: () => Promise<void>;
  if (kind === 'sqlite') {
    const raw = new Database(db.databaseUrl);
    raw.exec(`CREATE TABLE session_writes (id TEXT);
      CREATE TRIGGER count_session_updates AFTER UPDATE ON sessions BEGIN INSERT INTO session_writes VALUES (NEW.id); END;
      CREATE TRIGGER count_session_inserts AFTER INSERT ON sessions BEGIN INSERT INTO session_writes VALUES (NEW.id); END;
      CREATE TRIGGER count_run_updates AFTER UPDATE ON runs BEGIN INSERT INTO session_writes VALUES (NEW.id); END;
      CREATE TRIGGER count_run_inserts AFTER INSERT ON runs BEGIN INSERT INTO session_writes VALUES (NEW.id); END;`);
    sessionWrites = async () => Number((raw.prepare("SELECT COUNT(*) AS n FROM session_writes WHERE id LIKE 'ses%'").get() as { n: number }).n);
    runWrites = async () => Number((raw.prepare("SELECT COUNT(*) AS n FROM session_writes WHERE id LIKE 'run%'").get() as { n: number }).n);
    closeCounter = async () => void raw.close();
  } else {
    const raw = new pg.Client({ connectionString: db.databaseUrl });
    await raw.connect();
    await raw.query(`SET search_path TO "${db.databaseSchema}"`);
    await raw.query('CREATE TABLE session_writes (id TEXT)');
    await raw.query(`CREATE FUNCTION count_session_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO session_writes VALUES (NEW.id); RETURN NEW; END $$`);
    await raw.query('CREATE TRIGGER count_session_writes AFTER INSERT OR UPDATE ON sessions FOR EACH ROW EXECUTE FUNCTION count_session_write()');
    await raw.query('CREATE TRIGGER count_run_writes AFTER INSERT OR UPDATE ON runs FOR EACH ROW EXECUTE FUNCTION count_session_write()');
    sessionWrites = async () => Number((await raw.query("SELECT COUNT(*) AS n FROM session_writes WHERE id LIKE 'ses%'")).rows[0].n);
    runWrites = async () => Number((await raw.query("SELECT COUNT(*) AS n FROM session_writes WHERE id LIKE 'run%'")).rows[0].n);
    closeCounter = () => raw.end();
  }
  const store = createStore(sql);
  return {
    store,
    sql,
    sessionWrites,
    runWrites,
    close: async () => {
      await closeCounter();
      await store.close();
      await db.drop();
    },
  };
}

describe.each(STORE_KINDS)('session row writes (%s)', (kind) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  /** Create a session and claim its run as r1. */
  const events = [
    { seq: 1, event: { type: 'bind', executor_session_id: 'exec-1' } },
    { seq: 2, event: { type: 'log', message: 'working' } },
    { seq: 3, event: { type: 'usage', input_tokens: 3, output_tokens: 4 } },
    { seq: 4, event: { type: 'result', result_text: 'done' } },
  ];

  it('a run reported in three parts (started; events; events and its end) writes its session row three times, insert included', async () => {
    const counting = await openCountingStore(kind);
    close = counting.close;
    const { store } = counting;
    const { session, run } = await claimedRun(store, 1_000);
    expect(await counting.sessionWrites()).toBe(1); // the insert; the claim wrote nothing
    await store.applyRunReport('r1', { run_id: run.id, attempt: 1, started: {} }, 1_001, policy);
    expect(await store.getSession(session.id)).toMatchObject({ status: 'running', runner_id: 'r1' });
    await store.applyRunReport('r1', { run_id: run.id, attempt: 1, events: events.slice(0, 2) }, 1_002, policy);
    await store.applyRunReport('r1', { run_id: run.id, attempt: 1, events: events.slice(2), finished: { kind: 'succeeded', message: 'ok', exit_code: 0 } }, 1_003, policy);
    // insert, start, and one write for the bind (a fact of the session whichever run reports it) ...
    expect(await counting.sessionWrites()).toBe(4);
    // ... so the runner's usual report (started alone, then the events with the end) makes it three.
    expect(await store.getSession(session.id)).toMatchObject({
      status: 'idle', runner_id: 'r1', ended_at: 1_003, updated_at: 1_003, executor_session_id: 'exec-1',
      usage: { input_tokens: 3, output_tokens: 4 }, result: { result_text: 'done' },
      // queued, claimed, running (3 status events), 4 events, succeeded
      event_seq: 8,
    });
    expect((await store.listEvents(session.id, 0, 100)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a run whose events all come with its end writes its session row three times (insert, start, end)', async () => {
    const counting = await openCountingStore(kind);
    close = counting.close;
    const { store } = counting;
    const { session, run } = await claimedRun(store, 1_000);
    await store.applyRunReport('r1', { run_id: run.id, attempt: 1, started: {} }, 1_001, policy);
    await store.applyRunReport('r1', { run_id: run.id, attempt: 1, events, finished: { kind: 'succeeded', message: 'ok', exit_code: 0 } }, 1_002, policy);
    expect(await counting.sessionWrites()).toBe(3);
    // The run row too: inserted, claimed, started, and ended with its event counter in the same update.
    expect(await counting.runWrites()).toBe(4);
    expect(await store.getRun(run.id)).toMatchObject({ status: 'succeeded', event_seq: 4 });
    expect(await store.getSession(session.id)).toMatchObject({ status: 'idle', executor_session_id: 'exec-1', result: { result_text: 'done' }, event_seq: 8 });
  });

  it('a report that starts, streams and ends a run at once writes its session row once', async () => {
    const counting = await openCountingStore(kind);
    close = counting.close;
    const { store } = counting;
    const { session, run } = await claimedRun(store, 1_000);
    await store.applyRunReport('r1', { run_id: run.id, attempt: 1, started: {}, events, finished: { kind: 'failed', message: 'exit 1', exit_code: 1 } }, 1_001, policy);
    expect(await counting.sessionWrites()).toBe(2);
    expect(await store.getSession(session.id)).toMatchObject({
      status: 'failed', runner_id: 'r1', ended_at: 1_001, executor_session_id: 'exec-1', usage: { input_tokens: 3, output_tokens: 4 }, event_seq: 8,
    });
    // A resend of the same report changes nothing and writes nothing.
    await store.applyRunReport('r1', { run_id: run.id, attempt: 1, started: {}, events, finished: { kind: 'failed', message: 'exit 1', exit_code: 1 } }, 1_002, policy);
    expect(await counting.sessionWrites()).toBe(2);
  });

  it("an older run's late events leave the session's latest facts alone but still bind its executor session", async () => {
    const counting = await openCountingStore(kind);
    close = counting.close;
    const { store } = counting;
    const { session, run } = await claimedRun(store, 1_000);
    await store.applyRunReport('r1', { run_id: run.id, attempt: 1, started: {}, events: events.slice(3), finished: { kind: 'succeeded', message: 'ok' } }, 1_001, policy);
    const resumed = await store.resumeSession(session.id, { prompt: 'again', max_attempts: 1 }, 1_002);
    expect(resumed.session).toMatchObject({ status: 'queued', last_run_id: resumed.run.id, event_seq: 6 });
    // The first run's outcome, resent with a bind: the result stays the latest run's (none yet), the bind lands.
    await counting.sql.transaction(async (tx) => {
      await new SessionUpdate(session.id, run.id).fact('result', { result_text: 'stale' }).bind('exec-9').write(tx, 1_003);
      await new SessionUpdate(session.id, run.id).fact('usage', { input_tokens: 99 }).write(tx, 1_003);
    });
    expect(await store.getSession(session.id)).toMatchObject({ status: 'queued', executor_session_id: 'exec-9', result: { result_text: 'done' }, usage: null });
  });
});

describe('session event seqs on PostgreSQL under concurrent writers', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('concurrent transactions storing events of one session get distinct, gapless seqs (a report locking run and session at once among them)', async () => {
    const counting = await openCountingStore('postgres');
    close = counting.close;
    const { store, sql } = counting;
    const { session, run } = await store.createSession(base, 1_000); // seq 1: queued
    const writers = Array.from({ length: 12 }, (_, i) =>
      sql.transaction(async (tx) => {
        // Half lock the run and its session in one statement (a runner's report), half lock the session alone.
        if (i % 2 === 0) expect((await getRunForUpdateWithSession(tx, run.id))?.id).toBe(run.id);
        const first = await allocateEventSeqs(tx, session.id, 3);
        // A second allocation in the same transaction continues from the first without asking again.
        const next = await allocateEventSeqs(tx, session.id, 1);
        expect(next).toBe(first + 3);
        for (let k = 0; k < 4; k++) {
          await tx.query("INSERT INTO events (session_id, seq, run_id, run_seq, type, data, created_at) VALUES (?, ?, ?, ?, 'log', '{}', 1)", [
            session.id, first + k, run.id, 1_000 + i * 10 + k,
          ]);
        }
      }),
    );
    await Promise.all(writers);
    const seqs = (await sql.query<{ seq: string }>('SELECT seq FROM events WHERE session_id = ? ORDER BY seq', [session.id])).map((r) => Number(r.seq));
    expect(seqs).toEqual(Array.from({ length: 49 }, (_, i) => i + 1));
  });

  /**
   * Run `contender` while another transaction holds the session's lock with `count` log events of `runId`
   * stored and not committed: that writer commits once PostgreSQL shows a query like `waitingQuery` waiting
   * for a lock. @returns what `contender` returned, after the writer committed.
   */
  async function behindSessionWriter<T>(
    sql: SqlClient,
    sessionId: string,
    runId: string,
    count: number,
    waitingQuery: string,
    contender: () => Promise<T>,
    alsoWrite?: (tx: SqlClient) => Promise<unknown>,
  ): Promise<T> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const writer = sql.transaction(async (tx) => {
      const seq = await allocateEventSeqs(tx, sessionId, count);
      for (let k = 0; k < count; k++) {
        await tx.query("INSERT INTO events (session_id, seq, run_id, run_seq, type, data, created_at) VALUES (?, ?, ?, ?, 'log', '{}', 1)", [sessionId, seq + k, runId, 500 + k]);
      }
      await alsoWrite?.(tx);
      locked();
      await held;
    });
    await lockTaken;
    const contending = contender();
    const probe = new pg.Client({ connectionString: PG_URL });
    await probe.connect();
    try {
      for (;;) {
        const waiting = await probe.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1", [`%${waitingQuery}%`]);
        if (waiting.rowCount! > 0) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      await probe.end();
      release();
      await writer;
    }
    return contending;
  }

  it("a claim that waits for another writer of its session's events still stores its event (retrying a taken seq)", async () => {
    const counting = await openCountingStore('postgres');
    close = counting.close;
    const { store, sql } = counting;
    await store.registerRunner(R1, 'hash', 1_000);
    const { session, run } = await store.createSession(base, 1_000); // seq 1
    // The writer's event takes seq 2; the claim, blocked on the session's lock meanwhile, gets 3.
    const claimed = await behindSessionWriter(sql, session.id, run.id, 1, 'WITH picked AS', () => store.claimNextRun(runner, 1_001));
    expect(claimed?.id).toBe(run.id);
    const stored = await store.listEvents(session.id, 0, 10);
    expect(stored.map((e) => [e.seq, e.type])).toEqual([[1, 'run_status'], [2, 'log'], [3, 'run_status']]);
    expect(stored[2]!.data).toMatchObject({ status: 'claimed', runner_id: 'r1' });
  });

  it("a start report that waits for another writer of its session's events numbers its run_status after theirs (the seq comes back with the run's change)", async () => {
    const counting = await openCountingStore('postgres');
    close = counting.close;
    const { store, sql } = counting;
    const { session, run } = await claimedRun(store, 1_000); // seqs 1 and 2: queued, claimed
    // The writer's two events take seqs 3 and 4 while the report waits on the session's lock.
    const report = await behindSessionWriter(sql, session.id, run.id, 2, 'FOR NO KEY UPDATE OF sessions', () =>
      store.applyRunReport('r1', { run_id: run.id, attempt: 1, started: {} }, 1_002, policy),
    );
    expect(report.started).toBe(true);
    const stored = await store.listEvents(session.id, 0, 10);
    expect(stored.map((e) => [e.seq, e.type])).toEqual([[1, 'run_status'], [2, 'run_status'], [3, 'log'], [4, 'log'], [5, 'run_status']]);
    expect(stored[4]!.data).toMatchObject({ status: 'running', runner_id: 'r1' });
  });

  it("a run's end that waits for another writer of its session delivers the callback that writer recorded (whether outcomes wait comes back with the run's change)", async () => {
    const counting = await openCountingStore('postgres');
    close = counting.close;
    const { store, sql } = counting;
    const { session, run } = await claimedRun(store, 1_000); // seqs 1 and 2: queued, claimed
    await store.applyRunReport('r1', { run_id: run.id, attempt: 1, started: {} }, 1_002, policy);
    // The writer records a child's outcome for the session, as a child's end does, while the end waits on the session's lock.
    const recordCallback = (tx: SqlClient) =>
      tx.query("INSERT INTO callbacks (session_id, child_session_id, child_run_id, status, result, error, created_at) VALUES (?, 'ses_child', 'run_child', 'succeeded', NULL, NULL, 1)", [session.id]);
    const ended = await behindSessionWriter(
      sql, session.id, run.id, 1, 'FOR NO KEY UPDATE OF sessions',
      () => store.applyRunReport('r1', { run_id: run.id, attempt: 1, finished: { kind: 'succeeded', message: 'ok', exit_code: 0 } }, 1_003, policy),
      recordCallback,
    );
    expect(ended.finished).toBe(true);
    // The session was resumed with it at once, in the end's transaction.
    const after = await store.getSession(session.id);
    expect(after).toMatchObject({ status: 'queued' });
    expect(after!.last_run_id).not.toBe(run.id);
    const resume = await store.getRun(after!.last_run_id!);
    expect(resume).toMatchObject({ mode: 'resume', status: 'queued' });
    expect(resume!.prompt).toContain('ses_child');
  });
});

describe('a runner\'s batch of reports on PostgreSQL', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  /** Three sessions whose runs r1 claimed; the transaction ids that last wrote their run rows. */
  async function threeClaimed(store: Store) {
    await store.registerRunner(R1, 'hash', 1_000);
    await store.registerRunner({ id: 'r2', name: 'r2', hostname: null, executors: ['test'], tags: [], capacity: 4, metadata: null }, 'hash', 1_000);
    const created = [];
    for (let i = 0; i < 3; i++) {
      created.push(await store.createSession(base, 1_000 + i));
      expect((await store.claimNextRun(runner, 1_010))?.id).toBe(created[i]!.run.id);
    }
    return created.map((c) => c.run.id);
  }
  const writers = async (sql: SqlClient, runIds: string[]) =>
    new Set((await sql.query<{ x: string }>(`SELECT xmin::text AS x FROM runs WHERE id IN (?, ?, ?)`, runIds)).map((r) => r.x));
  const whole = (runId: string) => ({ run_id: runId, attempt: 1, started: {}, events: [{ seq: 1, event: { type: 'result', result_text: '<ok>' } }], finished: { kind: 'succeeded' as const, message: 'ok', exit_code: 0 } });

  it('applies every report in one transaction when none is refused', async () => {
    const counting = await openCountingStore('postgres');
    close = counting.close;
    const { store, sql } = counting;
    const runIds = await threeClaimed(store);
    const outcomes = await store.applyRunReports('r1', runIds.map(whole), 1_100, policy);
    expect(outcomes.map((o) => [o.error, o.applied?.run.status, o.applied?.finished])).toEqual(runIds.map(() => [undefined, 'succeeded', true]));
    expect((await writers(sql, runIds)).size).toBe(1);
  });

  it('one refused report (a run of another runner, an unknown run) rolls back the shared try; the others apply each on its own', async () => {
    const counting = await openCountingStore('postgres');
    close = counting.close;
    const { store, sql } = counting;
    const runIds = await threeClaimed(store);
    const reports = [whole(runIds[0]!), { ...whole(runIds[1]!), run_id: 'run_nope' }, whole(runIds[2]!)];
    const outcomes = await store.applyRunReports('r1', reports, 1_100, policy);
    expect(outcomes.map((o) => o.applied?.run.status ?? (o.error as Error).name)).toEqual(['succeeded', 'NotFoundError', 'succeeded']);
    // Three transactions wrote the three rows: the two applied ones, and the claim that last wrote the one not reported.
    expect((await writers(sql, runIds)).size).toBe(3);
    expect((await store.getRun(runIds[1]!))?.status).toBe('claimed');

    const byOther = await store.applyRunReports('r2', [whole(runIds[1]!), { run_id: runIds[0]!, attempt: 1, events: [{ seq: 2, event: { type: 'log', message: 'late' } }] }], 1_200, policy);
    expect(byOther.map((o) => (o.error as Error | undefined)?.constructor.name)).toEqual(['NotHolderError', 'NotHolderError']);
    expect((await store.getRun(runIds[1]!))?.status).toBe('claimed');
  });
});
