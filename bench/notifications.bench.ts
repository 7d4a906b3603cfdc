// Notifications (issue 15):
// - delivery rate: 2,000 notifications already in the outbox, delivered by a coordinator process to a
//   loopback webhook receiver in this process (target ≥ 500/s), on SQLite and (when it answers) PostgreSQL;
// - the runner throughput benchmark (trivial-sh, concurrency 16, created → succeeded) with a blackholed
//   webhook target configured (a port that accepts and never answers; every event subscribed, so each run
//   end enqueues session.ended and tree.ended) against no --notify, in alternating rounds (target: unchanged,
//   within the noise between rounds of the same kind).
// BENCH_NOTIFY_N (default 2000) and BENCH_RUNS (default 600 runs a round) change the sizes.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinatorHttp } from '../lib/client/http-client.js';
import { SessionStartedSchema } from '../protocol/sessions.js';
import { parseNotifyConfig } from '../coordinator/notify/notify-config.js';
import { outboxPlanOf } from '../coordinator/notify/outbox-routes.js';
import { openStore } from '../coordinator/store/open-store.js';
import { enqueueNotification } from '../coordinator/store/ops/enqueue-notifications.js';
import { freshDatabase, type StoreKind } from '../test/coordinator/helpers.js';
import { spawnCoordinator } from '../test/coordinator/spawn-coordinator.js';
import { BIN, ROOT } from '../test/helpers/fixtures.js';
import { apiClient, fmt, postgresAvailable } from './coordinator-kit.js';
import { percentile, report } from './lib/stats.js';

const N = Number(process.env.BENCH_NOTIFY_N ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 600);
const WARMUP = 100;
const CONCURRENCY = 16;
const ROUNDS = 3;

const work = mkdtempSync(join(tmpdir(), 'notify-bench-'));
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** A loopback receiver answering 200 at once; `until(n)` resolves on the n-th request. */
async function receiver() {
  let count = 0;
  const waiters: Array<{ n: number; resolve: (t: number) => void }> = [];
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      count += 1;
      for (const w of waiters.filter((w) => count >= w.n)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(performance.now()));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    until: (n: number) => new Promise<number>((resolve) => (count >= n ? resolve(performance.now()) : waiters.push({ n, resolve }))),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** A port that accepts connections and never answers (nor closes them). */
async function blackhole() {
  const sockets = new Set<Socket>();
  const server = createTcpServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
}

async function deliveryRate(kind: StoreKind): Promise<void> {
  const sink = await receiver();
  const db = await freshDatabase(kind);
  const file = join(work, `notify-${kind}.json`);
  const targets = [{ name: 'sink', type: 'webhook', url: sink.url, secret: { env: 'BENCH_HOOK_SECRET' }, concurrency: 16 }];
  writeFileSync(file, JSON.stringify({ targets }));
  const env = { BENCH_HOOK_SECRET: 'bench-secret' };
  // Fill the outbox first, so the figure is delivery alone.
  const store = await openStore({ databaseUrl: db.databaseUrl, schema: db.databaseSchema });
  store.setOutboxPlan(outboxPlanOf(parseNotifyConfig(JSON.stringify({ targets }), file, env)));
  await store.sql.transaction(async (tx) => {
    for (let i = 0; i < N; i++) {
      await enqueueNotification(tx, { event: 'session.ended', dedupeKey: `bench:${i}`, occurredAt: Date.now(), data: { session_id: `ses_bench${i}`, status: 'succeeded' } }, Date.now());
    }
  });
  await store.close();
  const args = ['--database-url', db.databaseUrl, '--notify', file, ...(db.databaseSchema === undefined ? [] : ['--database-schema', db.databaseSchema])];
  const t0 = performance.now();
  const c = await spawnCoordinator(args, env);
  children.push(c.child);
  try {
    const first = await sink.until(1);
    const cpu0 = cpuMs(c.child.pid!);
    const last = await sink.until(N);
    const cpu = (cpuMs(c.child.pid!) - cpu0) / (N - 1);
    const rate = N / ((last - first) / 1000);
    report(`delivery rate, webhook, ${kind}`, `${fmt(rate, 0)}/s (${N} notifications, first after ${fmt(first - t0, 0)} ms from start)`, { ok: rate >= 500, text: '≥ 500/s' });
    // The rate on a shared machine is the share of a core the coordinator got; its CPU per delivery is steadier.
    report(`  coordinator CPU per delivery, ${kind}`, `${fmt(cpu, 3)} ms (${fmt(1000 / cpu, 0)}/s on one free core)`);
  } finally {
    await c.stop();
    await sink.close();
    await db.drop();
  }
}

/** Start `agent-runner -c url -x trivial-sh -n 16` and resolve once it registered. */
async function startRunner(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, '-c', url, '-x', 'trivial-sh', '-n', String(CONCURRENCY)], {
    cwd: work,
    env: { ...process.env, AGENT_RUNNER_EXECUTORS_PATH: join(ROOT, 'bench', 'executors'), AGENT_RUNNER_LOCAL_PORT: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      log = (log + chunk).slice(-20_000);
      if (log.includes('"msg":"registered with the coordinator"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`agent-runner exited with ${code}: ${log}`)));
  });
  return child;
}

async function succeeded(api: ReturnType<typeof apiClient>): Promise<number> {
  const metrics = (await api('GET', '/metrics')).body as string;
  return Number(/agent_coordinator_runs\{state="succeeded"\} (\d+)/.exec(metrics)?.[1] ?? 0);
}

/** Runs per second, created → succeeded, from CONCURRENCY clients. */
async function round(url: string, api: ReturnType<typeof apiClient>, n: number, offset: number): Promise<number> {
  const http = new CoordinatorHttp(url);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        next += 1;
        const res = await http.json({ method: 'POST', path: '/v1/sessions', body: { executor: 'trivial-sh', prompt: 'hello' } }, SessionStartedSchema);
        if (res.status !== 201) throw new Error(`create: ${res.status}`);
      }
    }),
  );
  while ((await succeeded(api)) < offset + n) await new Promise((r) => setTimeout(r, 50));
  http.close();
  return n / ((performance.now() - t0) / 1000);
}

/** CPU time (user + system) a process used so far, in ms (Linux clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * One coordinator (with or without the blackholed target) and one runner: warm-up, then one timed round:
 * runs/s, and the coordinator's CPU per run (what the notifications add to it, steadier than the rate on a
 * shared machine).
 */
async function throughput(notifyFile: string | null): Promise<{ rate: number; cpuPerRun: number; pending: number }> {
  const db = await freshDatabase('sqlite');
  const c = await spawnCoordinator(['--database-url', db.databaseUrl, ...(notifyFile === null ? [] : ['--notify', notifyFile])]);
  children.push(c.child);
  const runner = await startRunner(c.url);
  try {
    const api = apiClient(c.url);
    await round(c.url, api, WARMUP, 0);
    const cpu0 = cpuMs(c.child.pid!);
    const rate = await round(c.url, api, RUNS, WARMUP);
    const cpuPerRun = (cpuMs(c.child.pid!) - cpu0) / RUNS;
    const page = (await api('GET', '/v1/notifications?status=pending&limit=500')).body as { notifications: unknown[] };
    return { rate, cpuPerRun, pending: page.notifications.length };
  } finally {
    const exited = new Promise((resolve) => runner.once('exit', resolve));
    runner.kill('SIGTERM');
    await exited;
    await c.stop();
    await db.drop();
  }
}

await deliveryRate('sqlite');
if (await postgresAvailable()) await deliveryRate('postgres');
else console.log('delivery rate, postgres: skipped (no PostgreSQL at the test URL)');

const hole = await blackhole();
const notifyFile = join(work, 'blackhole.json');
writeFileSync(notifyFile, JSON.stringify({ targets: [{ name: 'blackhole', type: 'webhook', url: hole.url }] }));
const none: Array<{ rate: number; cpuPerRun: number }> = [];
const holed: Array<{ rate: number; cpuPerRun: number }> = [];
let pending = 0;
for (let i = 0; i < ROUNDS; i++) {
  none.push(await throughput(null));
  const r = await throughput(notifyFile);
  holed.push(r);
  pending = r.pending;
}
await hole.close();
const median = (xs: number[]) => percentile(xs, 50);
const spread = (xs: number[]) => `${fmt(Math.min(...xs), 0)}…${fmt(Math.max(...xs), 0)}`;
const [rateA, rateB] = [median(none.map((r) => r.rate)), median(holed.map((r) => r.rate))];
const [cpuA, cpuB] = [median(none.map((r) => r.cpuPerRun)), median(holed.map((r) => r.cpuPerRun))];
report('throughput, no --notify (median)', `${fmt(rateA, 0)} runs/s (rounds ${spread(none.map((r) => r.rate))}, ${RUNS} runs each); coordinator CPU ${fmt(cpuA)} ms/run`);
report('throughput, blackholed target (median)', `${fmt(rateB, 0)} runs/s (rounds ${spread(holed.map((r) => r.rate))}); coordinator CPU ${fmt(cpuB)} ms/run; ${pending}+ notifications pending after a round`);
const change = (rateB - rateA) / rateA;
report('blackholed target vs none, runs/s', `${change >= 0 ? '+' : ''}${fmt(change * 100, 1)}%`, { ok: change >= -0.1, text: 'unchanged (within 10%)' });
report('blackholed target vs none, coordinator CPU/run', `${cpuB >= cpuA ? '+' : ''}${fmt(cpuB - cpuA)} ms (${fmt(((cpuB - cpuA) / cpuA) * 100, 1)}%)`);
