/** Shared pieces of the coordinator benchmarks: a coordinator child process per store, percentiles, RSS. */
import { readFileSync } from 'node:fs';
import { type Api, apiClient, freshDatabase, pollRun, type StoreKind } from '../test/coordinator/helpers.js';
import { spawnCoordinator } from '../test/coordinator/spawn-coordinator.js';

export { apiClient, pollRun, registerRunner } from '../test/coordinator/helpers.js';

/** Start `bin/agent-coordinator` on a fresh database of `kind`; `stop` ends it and drops the data. */
export async function benchCoordinator(kind: StoreKind, extra: string[] = []) {
  const db = await freshDatabase(kind);
  const args = ['--database-url', db.databaseUrl, '--log-level', 'info', ...extra];
  if (db.databaseSchema !== undefined) args.push('--database-schema', db.databaseSchema);
  let child = await spawnCoordinator(args);
  return {
    get url() {
      return child.url;
    },
    get pid() {
      return child.child.pid!;
    },
    /** The process, to watch for its exit. */
    get child() {
      return child.child;
    },
    /** The end of what it wrote to stderr (its log). */
    stderrTail: (chars = 4_000) => child.stderr().slice(-chars),
    api: () => apiClient(child.url),
    /** Stop and start again on the same data. */
    async restart() {
      await child.stop();
      child = await spawnCoordinator(args);
    },
    async stop() {
      await child.stop();
      await db.drop();
    },
  };
}

/** The p-th percentile (0–100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** Resident set size of a process, in MB (Linux). */
export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Whether PostgreSQL answers on the test URL (benchmarks skip it otherwise). */
export async function postgresAvailable(): Promise<boolean> {
  try {
    const db = await freshDatabase('postgres');
    await db.drop();
    return true;
  } catch {
    return false;
  }
}

export const fmt = (n: number, digits = 2): string => n.toFixed(digits);

/**
 * Claim latencies: for each of `warmup + samples` runs, park a long-poll of `runner` (waiting until
 * /metrics shows it parked), then time `POST /v1/sessions` of `body` → the poll's answer. `check` sees each
 * answer. @returns the latencies after the warm-up, in ms.
 */
export async function claimLatencies(
  api: Api,
  runner: { runner_id: string; token: string },
  body: Record<string, unknown>,
  samples: number,
  warmup: number,
  check: (got: Awaited<ReturnType<typeof pollRun>>) => void = () => {},
): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < warmup + samples; i++) {
    const poll = pollRun(api, runner, 10_000);
    // Let the poll park (its first claim attempt finds nothing) before creating the run.
    for (;;) {
      const metrics = (await api('GET', '/metrics')).body as string;
      if (metrics.includes('agent_coordinator_polls_waiting 1')) break;
    }
    const t0 = performance.now();
    const created = api('POST', '/v1/sessions', body);
    const got = await poll;
    const t1 = performance.now();
    await created;
    if (got.run === null) throw new Error('poll returned no run');
    check(got);
    if (i >= warmup) latencies.push(t1 - t0);
  }
  return latencies;
}
