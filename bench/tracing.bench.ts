// Tracing (issue 14, "one trace across machines"), measured with a coordinator process and one runner process:
// - throughput of the runner benchmark's trivial executor at concurrency 16 with tracing off and on (both
//   exporting to an OTLP receiver on loopback); target: on ≤ 10% lower than off. Rounds alternate off/on so
//   a busy machine's drift falls on both; the median of each is reported.
// - what tracing off costs nothing of: the runner's and the coordinator's idle RSS and the coordinator's
//   start (process spawned → listening), off and on.
// - CPU per run of the coordinator and the runner together, off and on: what tracing costs, which a busy
//   machine's scattered wall-clock rates may hide.
// BENCH_RUNS=n changes the runs per round (default 400), BENCH_ROUNDS the rounds of each (default 3).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinatorHttp } from '../lib/client/http-client.js';
import { SessionStartedSchema } from '../protocol/sessions.js';
import { apiClient, freshDatabase } from '../test/coordinator/helpers.js';
import { spawnCoordinator } from '../test/coordinator/spawn-coordinator.js';
import { startOtlpReceiver } from '../test/helpers/otlp-receiver.js';
import { fmt, percentile, rssMb } from './coordinator-kit.js';
import { report } from './lib/stats.js';
import { cpuMs, startBenchRunner, stopChild } from './lib/runner-process.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 400);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = 50;
const CONCURRENCY = 16;
const EXECUTOR = 'trivial-sh';

const work = mkdtempSync(join(tmpdir(), 'tracing-bench-'));
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

async function startRunner(url: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = await startBenchRunner(url, ['-x', EXECUTOR, '-n', String(CONCURRENCY)], { cwd: work, env });
  children.push(child);
  return child;
}

const stop = stopChild;

async function succeeded(api: ReturnType<typeof apiClient>): Promise<number> {
  const metrics = (await api('GET', '/metrics')).body as string;
  return Number(/agent_coordinator_runs\{state="succeeded"\} (\d+)/.exec(metrics)?.[1] ?? 0);
}

/** A coordinator and a runner with `env`; the sessions of `rounds` rounds of `n` runs; runs/s of each round after a warm-up. */
async function stack(env: NodeJS.ProcessEnv) {
  const db = await freshDatabase('sqlite');
  const t0 = performance.now();
  const coordinator = await spawnCoordinator(['--database-url', db.databaseUrl, '--log-level', 'info'], env);
  const coordinatorStartMs = performance.now() - t0;
  children.push(coordinator.child);
  const runner = await startRunner(coordinator.url, env);
  const http = new CoordinatorHttp(coordinator.url);
  const api = apiClient(coordinator.url);
  let done = 0;
  /** CPU the coordinator and the runner used for the timed rounds (a busy machine slows the wall clock, not this). */
  const cpu = { coordinator: 0, runner: 0, runs: 0 };
  const round = async (n: number, timed = true): Promise<number> => {
    const cpu0 = { coordinator: cpuMs(coordinator.child.pid!), runner: cpuMs(runner.pid!) };
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < n) {
          next += 1;
          const res = await http.json({ method: 'POST', path: '/v1/sessions', body: { executor: EXECUTOR, prompt: 'hello' } }, SessionStartedSchema);
          if (res.status !== 201) throw new Error(`create: ${res.status}`);
        }
      }),
    );
    done += n;
    while ((await succeeded(api)) < done) await new Promise((r) => setTimeout(r, 20));
    const rate = n / ((performance.now() - started) / 1000);
    if (timed) {
      cpu.coordinator += cpuMs(coordinator.child.pid!) - cpu0.coordinator;
      cpu.runner += cpuMs(runner.pid!) - cpu0.runner;
      cpu.runs += n;
    }
    return rate;
  };
  return {
    coordinatorStartMs,
    idleRss: () => ({ runner: rssMb(runner.pid!), coordinator: rssMb(coordinator.child.pid!) }),
    round,
    /** CPU ms per timed run of the coordinator and of the runner. */
    cpuPerRun: () => ({ coordinator: cpu.coordinator / cpu.runs, runner: cpu.runner / cpu.runs }),
    async close() {
      http.close();
      await stop(runner);
      await coordinator.stop();
      await db.drop();
    },
  };
}

const receiver = await startOtlpReceiver();
const off = await stack({});
const on = await stack({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
try {
  const idle = { off: off.idleRss(), on: on.idleRss() };
  await off.round(WARMUP, false);
  await on.round(WARMUP, false);
  const rates = { off: [] as number[], on: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    rates.off.push(await off.round(RUNS));
    rates.on.push(await on.round(RUNS));
  }
  const spansExpected = 2 * (WARMUP + ROUNDS * RUNS);
  await receiver.until((spans) => spans.length >= spansExpected, `${spansExpected} spans`, 60_000);
  const offRate = percentile(rates.off, 50);
  const onRate = percentile(rates.on, 50);
  const drop = (1 - onRate / offRate) * 100;
  report(`throughput, ${EXECUTOR}, tracing off`, `${fmt(offRate, 0)} runs/s (median of ${ROUNDS} rounds of ${RUNS}: ${rates.off.map((r) => fmt(r, 0)).join(', ')})`);
  report(`throughput, ${EXECUTOR}, tracing on`, `${fmt(onRate, 0)} runs/s (${rates.on.map((r) => fmt(r, 0)).join(', ')}; ${receiver.spans.length} spans received)`);
  report('throughput lost to tracing (median rounds)', `${fmt(drop, 1)}%`, { ok: drop <= 10, text: '≤ 10%' });
  // On a loaded machine the rounds' wall-clock rates scatter; the CPU the two processes spend per run does not.
  const cpuOff = off.cpuPerRun();
  const cpuOn = on.cpuPerRun();
  const totalOff = cpuOff.coordinator + cpuOff.runner;
  const totalOn = cpuOn.coordinator + cpuOn.runner;
  report('CPU per run, coordinator: off / on', `${fmt(cpuOff.coordinator)} / ${fmt(cpuOn.coordinator)} ms`);
  report('CPU per run, runner: off / on', `${fmt(cpuOff.runner)} / ${fmt(cpuOn.runner)} ms`);
  report('CPU per run, both: off / on', `${fmt(totalOff)} / ${fmt(totalOn)} ms (+${fmt((totalOn / totalOff - 1) * 100, 1)}%)`, { ok: totalOn / totalOff <= 1.1, text: '≤ +10%' });
  report('idle RSS, runner: off / on', `${fmt(idle.off.runner, 1)} / ${fmt(idle.on.runner, 1)} MB`);
  report('idle RSS, coordinator: off / on', `${fmt(idle.off.coordinator, 1)} / ${fmt(idle.on.coordinator, 1)} MB`);
  report('coordinator start (spawn → listening): off / on', `${fmt(off.coordinatorStartMs, 0)} / ${fmt(on.coordinatorStartMs, 0)} ms (one start each)`);
} finally {
  await off.close();
  await on.close();
  await receiver.close();
}
