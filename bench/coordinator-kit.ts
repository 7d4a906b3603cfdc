/** Shared pieces of the coordinator benchmarks: a coordinator child process per store, percentiles, RSS. */
import { readFileSync } from 'node:fs';
import { apiClient, freshDatabase, type StoreKind } from '../test/coordinator/helpers.js';
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
