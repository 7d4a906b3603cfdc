// One measured batch of a system: its CPU over the batch (every process of it, the database or redis
// included), this process's CPU as its client, and from each run's submit and done instants the batch's
// wall time (first submit → last done) and the runs' submit→done latencies.
import { percentile } from '../lib/stats.js';
import { type CpuTimes, CpuMeter } from './cpu-meter.js';
import type { PeerSystem } from './peer-system.js';

export interface BatchFigures {
  /** Wall time of the batch / runs, ms. */
  timePerRunMs: number;
  /** CPU per run of each part of the system, ms. */
  cpuPerRun: Map<string, CpuTimes>;
  /** This process's CPU per run (submitting and waiting), ms: the client's cost, not counted in the system's. */
  clientCpuPerRunMs: number;
  p50Ms: number;
  p99Ms: number;
}

/** Total CPU of all parts, own and executors' (children). */
export function totalCpu(parts: Map<string, CpuTimes>): CpuTimes {
  let ownMs = 0;
  let childrenMs = 0;
  for (const part of parts.values()) (ownMs += part.ownMs), (childrenMs += part.childrenMs);
  return { ownMs, childrenMs };
}

export async function measureBatch(system: PeerSystem, n: number): Promise<BatchFigures> {
  await system.settle();
  const meter = new CpuMeter(() => system.processes());
  await meter.start();
  const client0 = process.cpuUsage();
  const { times } = await system.batch(n);
  const client = process.cpuUsage(client0);
  const cpu = await meter.stop();
  const runs = await times();
  if (runs.length !== n) throw new Error(`${system.name}: ${runs.length} run times for ${n} runs`);
  const start = Math.min(...runs.map((r) => r.submittedAt));
  const end = Math.max(...runs.map((r) => r.doneAt));
  const latencies = runs.map((r) => r.doneAt - r.submittedAt);
  const perRun = new Map([...cpu].map(([part, t]) => [part, { ownMs: t.ownMs / n, childrenMs: t.childrenMs / n }]));
  return {
    timePerRunMs: (end - start) / n,
    cpuPerRun: perRun,
    clientCpuPerRunMs: (client.user + client.system) / 1000 / n,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
