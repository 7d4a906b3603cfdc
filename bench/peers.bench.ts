// agent-runner against its peers (issue 13): the same work — PEERS_RUNS runs (default 1000), SLOTS (16) at
// once, each one spawn of bench/executors/trivial-sh with a Schema 2.0 invocation on stdin, its stdout
// read to the end — through
//   1. bare spawn: this process keeps 16 executors in flight, started as agent-runner's runner starts them
//      (posix_spawn on Linux, lib/process/native-spawn.ts): the floor; and the same with node:child_process
//      (what the peers' workers use), printed for reference;
//   2. agent-runner on SQLite and 3. on PostgreSQL: agent-coordinator and one agent-runner, sessions created over HTTP
//      with one bulk create (POST /v1/sessions/batch), as the peers add theirs with addJobs and addBulk;
//   4. graphile-worker on the same PostgreSQL (a schema of its own), a worker process of concurrency 16;
//   5. BullMQ on a redis-server this bench starts (no persistence), a worker process of concurrency 16
//      (skipped, saying so, when redis-server or bullmq is not installed).
// Each system submits all runs as fast as its own client allows and says when they are done in its own
// way (see each bench/peers/*-system.ts). Figures per system: time per run (first submit → last done, / N),
// CPU per run (user + system of every process of the system, the PostgreSQL backends serving it or
// redis-server included, and of the executors they spawned), submit→done p50/p99; the systems run
// interleaved (PEERS_REPS reps, default 5, each in another order), after one warm-up batch each.
// Targets: time per run of agent-runner on PostgreSQL ≤ 1.0× graphile-worker, on SQLite ≤ 1.0× BullMQ,
// both ≤ 1.3× bare spawn.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresAvailable } from './coordinator-kit.js';
import { startAgentRunner } from './peers/agent-runner-system.js';
import { BARE_SPAWN, bareSpawn } from './peers/bare-spawn.js';
import { measureBatch } from './peers/measure-batch.js';
import type { PeerSystem } from './peers/peer-system.js';
import { PostgresObserver } from './peers/postgres.js';
import { printRep, printSummary, type Results } from './peers/print-figures.js';
import { redisServerInstalled } from './peers/redis-server.js';
import { SLOTS } from './peers/trivial-executor.js';
import { executorLauncher } from '../lib/process/native-spawn.js';
import { machineLine } from './lib/stats.js';

/** A positive whole number from the environment variable `name`, else `fallback`. */
function countFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number, not "${process.env[name]}"`);
  return value;
}

const RUNS = countFromEnv('PEERS_RUNS', 1000);
const REPS = countFromEnv('PEERS_REPS', 5);
/** Runs of each system's warm-up batch (JIT, connection pools, page cache), not measured. */
const WARMUP_RUNS = Math.min(100, RUNS);

const workDir = mkdtempSync(join(tmpdir(), 'peers-bench-'));
// Registered after children.ts's handler (imported above), so the children are killed before their folders go.
process.on('exit', () => rmSync(workDir, { recursive: true, force: true }));

const systems: PeerSystem[] = [];
let observer: PostgresObserver | undefined;
let cleaning: Promise<void> | undefined;
/** Stop every system (its processes; its PostgreSQL schema dropped), once, whatever failed. */
const cleanup = () =>
  (cleaning ??= (async () => {
    for (const system of systems.reverse()) await system.stop().catch((error: unknown) => console.error(`stopping ${system.name}: ${String(error)}`));
    await observer?.close().catch(() => {});
  })());
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup().finally(() => process.exit(130)));

/** Import a system whose package is a dev dependency; undefined (with a message) when it is not installed. */
async function optional<T>(name: string, load: () => Promise<T>): Promise<T | undefined> {
  try {
    return await load();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    console.log(`${name} skipped: the package is not installed (${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

try {
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(machineLine());
  console.log(`${RUNS} runs × ${REPS} reps per system, ${SLOTS} at once, trivial-sh; load average before: ${load}`);
  console.log(`agent-runner and the floor start executors with ${executorLauncher()}; the peers' workers with node:child_process`);
  systems.push(bareSpawn(workDir, 'runner'));
  systems.push(bareSpawn(workDir, 'node'));
  systems.push(await startAgentRunner({ kind: 'sqlite' }, workDir));
  if (await postgresAvailable()) {
    observer = await new PostgresObserver().connect();
    systems.push(await startAgentRunner({ kind: 'postgres', observer }, workDir));
    const gw = await optional('graphile-worker', () => import('./peers/graphile-worker-system.js'));
    if (gw !== undefined) systems.push(await gw.startGraphileWorker(observer, workDir));
  } else {
    console.log('agent-runner (PostgreSQL) and graphile-worker skipped: no PostgreSQL answers at the test URL');
  }
  if (!redisServerInstalled()) console.log('BullMQ skipped: redis-server is not installed (Debian: apt-get install redis-server)');
  else {
    const bullmq = await optional('BullMQ', () => import('./peers/bullmq-system.js'));
    if (bullmq !== undefined) systems.push(await bullmq.startBullmq(workDir));
  }

  for (const system of systems) await measureBatch(system, WARMUP_RUNS);
  const results: Results = new Map(systems.map((s) => [s.name, []]));
  for (let rep = 0; rep < REPS; rep++) {
    // Each rep starts with another system, so none always runs first (or right after the same neighbour).
    const order = systems.map((_, i) => systems[(i + rep) % systems.length]!);
    for (const system of order) {
      const figures = await measureBatch(system, RUNS);
      results.get(system.name)!.push(figures);
      printRep(rep + 1, system.name, figures);
    }
  }
  printSummary(results, BARE_SPAWN, [
    { system: 'agent-runner (PostgreSQL)', peer: 'graphile-worker', targetVsPeer: 1.0, targetVsBare: 1.3 },
    { system: 'agent-runner (SQLite)', peer: 'BullMQ', targetVsPeer: 1.0, targetVsBare: 1.3 },
  ]);
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  await cleanup();
}
