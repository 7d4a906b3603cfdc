// What the coordinator asks of its database (issue 13), on a PostgreSQL database of the bench's own (so
// pg_stat_database counts only it), and the wake-ups of parked long-polls on both stores.
//
// - work per run: a coordinator process, one runner process (16 slots, the trivial sh executor), and
//   16 clients each doing what a client waiting for a run does: create a session, follow its events
//   until the run ends (SSE), read the session. Transactions (xact_commit + xact_rollback), row writes of `sessions` and
//   `runs` (inserts + updates) and the CPU of the PostgreSQL backends serving the coordinator, per run.
//   Targets: ≤ 8 transactions and ≤ 3 session-row writes per run.
// - wake-ups: create latency and transactions per create with 0, 1 and 50 parked runner long-polls
//   (each create is claimed by one of them, which polls again). Target: 50 parked ≤ 1.5× of 1 parked.
//   Each count of parked polls on a database of its own, with a lease longer than the bench (WAKEUP_ARGS).
// - idle: the coordinator's CPU per second with 50 idle runners (a parked long-poll and heartbeats each)
//   and nothing to do (target ≤ 10 ms/s).
//
// PostgreSQL reports a backend's counters lazily (up to seconds late), and at once when it exits: each
// measured phase is a coordinator process of its own, and its counters are read after it stopped. A phase
// with no work (start, register, stop) is measured the same way and taken off.
// Knobs: DBWORK_RUNS (default 1000), DBWORK_CREATES (default 300), DBWORK_IDLE_S (default 60), DBWORK_PART=runs|wakeups|idle.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { UserApi } from '../lib/client/user-api.js';
import { followRun } from '../lib/client/follow-session.js';
import { spawnCoordinator, type SpawnedCoordinator } from '../test/coordinator/spawn-coordinator.js';
import { heartbeatNeeded, idlePollTimeoutMs } from '../lib/runner/idle-poll.js';
import { apiClient, freshDatabase, registerRunner } from '../test/coordinator/helpers.js';
import { STARTUP_NOTIFY_MS } from '../coordinator/store/replica-presence.js';
import { fmt, percentile } from './coordinator-kit.js';
import { report } from './lib/stats.js';
import { cpuMs, startBenchRunner, stopChild } from './lib/runner-process.js';

const RUNS = Number(process.env.DBWORK_RUNS ?? 1000);
const CREATES = Number(process.env.DBWORK_CREATES ?? 300);
const PART = process.env.DBWORK_PART;
const IDLE_S = Number(process.env.DBWORK_IDLE_S ?? 60);
const SLOTS = 16;
const ADMIN_URL = process.env.AGENT_COORDINATOR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const work = mkdtempSync(join(tmpdir(), 'dbwork-bench-'));
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});
// Interrupted: end as a normal exit does, so no coordinator or runner outlives the bench.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Counters {
  xacts: number;
  sessionWrites: number;
  runWrites: number;
  eventInserts: number;
  backendCpuMs: number;
}

/** A database of the bench's own on the local PostgreSQL, dropped at the end. */
async function benchDatabase() {
  const name = `ar_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  // Databases left by a bench that was killed (its process is gone) go first.
  for (const { datname } of (await admin.query("SELECT datname FROM pg_database WHERE datname ~ '^ar_bench_[0-9]+$'")).rows as Array<{ datname: string }>) {
    const pid = Number(datname.slice('ar_bench_'.length));
    if (pid === process.pid || !processAlive(pid)) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  }
  await admin.query(`CREATE DATABASE ${name}`);
  if (process.env.DBWORK_LOG) await admin.query(`ALTER DATABASE ${name} SET log_statement = 'all'`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  // The bench's own queries must not count: it reads the cluster-wide views over its connection to
  // another database, and the per-table ones over a short connection of the same few queries each time
  // (the base phase takes them off).
  const tableWrites = async () => {
    const stats = new pg.Client({ connectionString: url.href });
    await stats.connect();
    try {
      return (await stats.query("SELECT relname, n_tup_ins + n_tup_upd AS writes, n_tup_ins FROM pg_stat_user_tables WHERE relname IN ('sessions', 'runs', 'events')")).rows;
    } finally {
      await stats.end();
    }
  };
  return {
    url: url.href,
    /** The database's counters so far. */
    async counters(backendCpuMs: number): Promise<Counters> {
      await admin.query('SELECT pg_stat_clear_snapshot()');
      const [db] = (await admin.query('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1', [name])).rows;
      const tables = await tableWrites();
      const writes = (table: string) => Number(tables.find((t) => t.relname === table)?.writes ?? 0);
      return {
        xacts: Number(db.n),
        sessionWrites: writes('sessions'),
        runWrites: writes('runs'),
        eventInserts: Number(tables.find((t) => t.relname === 'events')?.n_tup_ins ?? 0),
        backendCpuMs,
      };
    },
    /** PIDs of the backends connected to the database. */
    async backends(): Promise<number[]> {
      const rows = (await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name])).rows;
      return rows.map((r) => Number(r.pid));
    },
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
type BenchDatabase = Awaited<ReturnType<typeof benchDatabase>>;

/** Start `agent-runner -c url …` (the trivial sh executor) and resolve once it registered. */
async function startRunner(url: string): Promise<ChildProcess> {
  const child = await startBenchRunner(url, ['-x', 'trivial-sh', '-n', String(SLOTS)], { cwd: work });
  children.add(child);
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  await stopChild(child);
  children.delete(child);
}

/**
 * One phase: a coordinator process on the database, `body` run against it; the database's counters
 * once the coordinator has exited (PostgreSQL flushes an exiting backend's counters), and the CPU its
 * backends used (read just before it stops).
 */
async function phase(db: BenchDatabase, body: (c: SpawnedCoordinator) => Promise<void>, args: string[] = []): Promise<Counters> {
  const before = await db.counters(0);
  const startedAt = Date.now();
  const c = await spawnCoordinator(['--database-url', db.url, ...args]);
  children.add(c.child);
  let cpu = 0;
  try {
    // A coordinator notifies everything for its first seconds, in case a peer is starting too
    // (replica-presence.ts): measure a lone coordinator as it runs after that.
    await new Promise((r) => setTimeout(r, Math.max(0, startedAt + STARTUP_NOTIFY_MS - Date.now())));
    await body(c);
    for (const pid of await db.backends()) cpu += cpuMs(pid);
  } finally {
    await c.stop();
    children.delete(c.child);
  }
  // Its backends exit right after the coordinator closes their connections.
  while ((await db.backends()).length > 0) await new Promise((r) => setImmediate(r));
  const after = await db.counters(cpu);
  return {
    xacts: after.xacts - before.xacts,
    sessionWrites: after.sessionWrites - before.sessionWrites,
    runWrites: after.runWrites - before.runWrites,
    eventInserts: after.eventInserts - before.eventInserts,
    backendCpuMs: cpu,
  };
}

const minus = (a: Counters, b: Counters): Counters => ({
  xacts: a.xacts - b.xacts,
  sessionWrites: a.sessionWrites - b.sessionWrites,
  runWrites: a.runWrites - b.runWrites,
  eventInserts: a.eventInserts - b.eventInserts,
  backendCpuMs: a.backendCpuMs - b.backendCpuMs,
});

/** `n` runs through one runner, 16 clients at once each doing what `run` does. */
async function runsThroughRunner(c: SpawnedCoordinator, n: number): Promise<void> {
  const runner = await startRunner(c.url);
  try {
    const api = new UserApi(c.url, undefined, SLOTS * 2);
    let next = 0;
    const client = async () => {
      while (next < n) {
        next++;
        // What `agent-runner run` does: create, follow the run's events until it ends, read the outcome.
        const created = await api.createSession({ executor: 'trivial-sh', prompt: 'x', project_dir: work });
        await followRun(api, created.session_id, created.run_id, 0, new AbortController().signal);
        const view = await api.getSession(created.session_id);
        if (view.status !== 'idle') throw new Error(`session ${created.session_id} ended ${view.status}`);
      }
    };
    await Promise.all(Array.from({ length: SLOTS }, client));
    await api.close();
  } finally {
    await stopProcess(runner);
  }
}

async function workPerRun(): Promise<void> {
  const db = await benchDatabase();
  try {
    await phase(db, async (c) => runsThroughRunner(c, 50)); // migrations, and everything's first time
    const base = await phase(db, async (c) => runsThroughRunner(c, 0));
    const loaded = await phase(db, async (c) => runsThroughRunner(c, RUNS));
    const per = minus(loaded, base);
    if (process.env.DBWORK_DEBUG) console.log({ base, loaded });
    const perRun = (x: number) => fmt(x / RUNS, 1);
    console.log(`PostgreSQL, ${RUNS} runs (create → claim → start → events → finish → seen by a client following it), one runner with ${SLOTS} slots`);
    report('transactions per run', perRun(per.xacts), { ok: per.xacts / RUNS <= 8, text: '≤ 8' });
    report('session row writes per run', perRun(per.sessionWrites), { ok: per.sessionWrites / RUNS <= 3, text: '≤ 3' });
    report('run row writes per run', perRun(per.runWrites));
    report('events stored per run', perRun(per.eventInserts));
    report('database backend CPU per run', `${fmt(per.backendCpuMs / RUNS, 2)} ms`);
  } finally {
    await db.drop();
  }
}

/** Creates with `parked` runner long-polls waiting; the latency of each create and how many polls it woke. */
async function createsWithParked(c: SpawnedCoordinator, parked: number, creates: number): Promise<number[]> {
  const api = apiClient(c.url);
  const runners = await Promise.all(Array.from({ length: parked }, () => registerRunner(api, ['bench'])));
  let claimed = 0;
  let parkedNow = 0;
  const stop = new AbortController();
  // Each parked runner polls for ever: a poll that got a run polls again at once.
  const loops = runners.map(async (runner) => {
    while (!stop.signal.aborted) {
      parkedNow++;
      const res = await fetch(`${c.url}/v1/runners/${runner.runner_id}/next-run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${runner.token}` },
        body: JSON.stringify({ timeout_ms: 60_000 }),
        signal: stop.signal,
      }).catch(() => null);
      parkedNow--;
      if (res === null) return;
      const body = (await res.json()) as { runs: unknown[] };
      claimed += body.runs.length;
    }
  });
  // Every runner's first poll (its token checked, its stop requests read, a claim that finds nothing)
  // belongs to the setup, not to the creates: wait until all are parked, in the phase without creates
  // too, so it is taken off. /metrics reads the database (a few statements a read, in both phases alike).
  while (parked > 0 && !((await api('GET', '/metrics')).body as string).includes(`agent_coordinator_polls_waiting ${parked}\n`)) {
    await new Promise((r) => setTimeout(r, 20));
  }
  // Sent, not necessarily parked yet: /metrics would say, but it reads the database, which is counted.
  // The 49 others stay parked; only the poll that claimed the last run may still be on its way.
  const allSent = async () => {
    while (parkedNow < parked) await new Promise((r) => setTimeout(r, 1));
  };
  const latencies: number[] = [];
  for (let i = 0; i < creates; i++) {
    await allSent();
    const t0 = performance.now();
    const res = await api('POST', '/v1/sessions', { executor: 'bench', prompt: 'x' });
    latencies.push(performance.now() - t0);
    if (res.status !== 201) throw new Error(`create failed: ${res.status}`);
    if (parked > 0) while (claimed < i + 1) await new Promise((r) => setTimeout(r, 1));
  }
  stop.abort();
  await Promise.all(loops);
  return latencies;
}

/**
 * The runs a wake-up phase's polls claim are never started: with the default lease (30 s) they would be
 * taken back during a later phase and claimed again there (each loss and re-claim counted as that
 * phase's work: 1058 claims and 640 lost runs for 300 creates with 50 parked, where the 1-parked phase
 * had 409 claims and none lost). So each count of parked polls has a database of its own (no run
 * queued or claimed by an earlier count), and a lease longer than the bench.
 */
const WAKEUP_ARGS = ['--lease', '1h'];

async function wakeups(): Promise<void> {
  for (const kind of ['sqlite', 'postgres'] as const) {
    const figures = new Map<number, { p50: number; p99: number; xacts: number; runWrites: number }>();
    for (const parked of [0, 1, 50]) {
      let latencies: number[] = [];
      const body = async (c: SpawnedCoordinator) => void (latencies = await createsWithParked(c, parked, CREATES));
      if (kind === 'postgres') {
        const db = await benchDatabase();
        try {
          await phase(db, async (c) => void (await createsWithParked(c, parked, 20)), WAKEUP_ARGS);
          const base = await phase(db, async (c) => void (await createsWithParked(c, parked, 0)), WAKEUP_ARGS);
          const loaded = await phase(db, body, WAKEUP_ARGS);
          if (process.env.DBWORK_DEBUG) console.log({ parked, base, loaded });
          figures.set(parked, {
            p50: percentile(latencies, 50),
            p99: percentile(latencies, 99),
            xacts: (loaded.xacts - base.xacts) / CREATES,
            runWrites: (loaded.runWrites - base.runWrites) / CREATES,
          });
        } finally {
          await db.drop();
        }
      } else {
        const sqlite = await freshDatabase('sqlite');
        const c = await spawnCoordinator(['--database-url', sqlite.databaseUrl, ...WAKEUP_ARGS]);
        children.add(c.child);
        try {
          await body(c);
        } finally {
          await c.stop();
          children.delete(c.child);
          await sqlite.drop();
        }
        figures.set(parked, { p50: percentile(latencies, 50), p99: percentile(latencies, 99), xacts: NaN, runWrites: NaN });
      }
    }
    for (const [parked, f] of figures) {
      const xacts = Number.isNaN(f.xacts) ? '' : `, ${fmt(f.xacts, 1)} transactions per create (the claim included)`;
      report(`create with ${parked} parked polls (${kind})`, `p50 ${fmt(f.p50)} ms, p99 ${fmt(f.p99)} ms${xacts}`);
      // The phase measured only its creates if each run was written twice (inserted, claimed) with
      // polls parked, once without: a run taken back and claimed again would write it more.
      const expected = parked === 0 ? 1 : 2;
      if (!Number.isNaN(f.runWrites)) report(`run row writes per create, ${parked} parked (${kind})`, fmt(f.runWrites, 2), { ok: f.runWrites === expected, text: `= ${expected} (insert${parked === 0 ? '' : ' + claim'}, nothing taken back)` });
    }
    const one = figures.get(1)!;
    const fifty = figures.get(50)!;
    report(`50 parked / 1 parked, create p50 (${kind})`, `${fmt(fifty.p50 / one.p50)}×`, { ok: fifty.p50 / one.p50 <= 1.5, text: '≤ 1.5×' });
    if (kind === 'postgres') report(`50 parked / 1 parked, transactions (${kind})`, `${fmt(fifty.xacts / one.xacts)}×`, { ok: fifty.xacts / one.xacts <= 1.5, text: '≤ 1.5×' });
  }
}

/**
 * The coordinator's own CPU with 50 idle runners (parked long-polls; heartbeats only if the coordinator
 * does not keep their lease) and nothing to do, over DBWORK_IDLE_S seconds (default 60: whole rounds of
 * polls and heartbeats, which the runners, started together, send in bursts; a shorter window may catch
 * no poll round at all).
 */
async function idle(): Promise<void> {
  for (const kind of ['sqlite', 'postgres'] as const) {
    const db = await freshDatabase(kind);
    const args = ['--database-url', db.databaseUrl];
    if (db.databaseSchema !== undefined) args.push('--database-schema', db.databaseSchema);
    const c = await spawnCoordinator(args);
    children.add(c.child);
    try {
      const stop = new AbortController();
      const api = apiClient(c.url);
      const runners = await Promise.all(Array.from({ length: 50 }, () => registerRunner(api, ['bench'])));
      // Each does what an idle runner (lib/runner/runner-daemon.ts) does: a long-poll at a time, and a
      // heartbeat at the interval asked unless the coordinator keeps its lease while its poll is parked.
      const call = (runner: { runner_id: string; token: string }, path: string, body: unknown) =>
        fetch(`${c.url}/v1/runners/${runner.runner_id}/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${runner.token}` },
          body: JSON.stringify(body),
          signal: stop.signal,
        }).then((res) => res.arrayBuffer()).catch(() => null);
      const pollSentAt = new Map<string, number>();
      const loops = runners.map(async (runner) => {
        const timeoutMs = idlePollTimeoutMs(runner);
        while (!stop.signal.aborted) {
          pollSentAt.set(runner.runner_id, Date.now());
          await call(runner, 'next-run', timeoutMs === undefined ? {} : { timeout_ms: timeoutMs });
          pollSentAt.delete(runner.runner_id);
        }
      });
      const heartbeats = runners.map((runner) =>
        setInterval(() => {
          if (heartbeatNeeded(runner, false, pollSentAt.get(runner.runner_id), Date.now())) void call(runner, 'heartbeat', { running: [] });
        }, runner.heartbeat_interval_ms),
      );
      for (;;) {
        const metrics = (await api('GET', '/metrics')).body as string;
        if (metrics.includes('agent_coordinator_polls_waiting 50')) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const pid = c.child.pid!;
      const cpu0 = cpuMs(pid);
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, IDLE_S * 1000));
      const perSecond = (cpuMs(pid) - cpu0) / ((performance.now() - t0) / 1000);
      for (const timer of heartbeats) clearInterval(timer);
      stop.abort();
      await Promise.all(loops);
      report(`idle coordinator, 50 idle runners (${kind})`, `${fmt(perSecond, 1)} ms CPU per second`, { ok: perSecond <= 10, text: '≤ 10 ms/s' });
    } finally {
      await c.stop();
      await db.drop();
    }
  }
}

if (PART === undefined || PART === 'runs') await workPerRun();
if (PART === undefined || PART === 'wakeups') await wakeups();
if (PART === undefined || PART === 'idle') await idle();
