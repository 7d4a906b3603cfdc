export type RunnerHealth = 'online' | 'stale' | 'offline';

/**
 * `online` while its lease holds; `stale` once it lapsed (its runs were taken back); `offline` when it
 * deregistered or has been silent for `offlineAfterLeases` leases. Pure.
 */
export function runnerHealth(
  runner: { last_seen_at: number; deregistered_at: number | null },
  now: number,
  leaseMs: number,
  offlineAfterLeases: number,
): RunnerHealth {
  if (runner.deregistered_at !== null) return 'offline';
  const silent = now - runner.last_seen_at;
  if (silent <= leaseMs) return 'online';
  return silent <= leaseMs * offlineAfterLeases ? 'stale' : 'offline';
}
