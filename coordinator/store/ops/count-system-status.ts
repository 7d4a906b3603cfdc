import type { RunStatus, SessionStatus } from '../../../protocol/statuses.js';
import type { SqlClient } from '../sql-client.js';

/** The counts behind `GET /v1/status`, read in one statement. */
export interface SystemCounts {
  /** Runs in flight (queued, claimed, running, lost), by state. */
  runsInFlight: Partial<Record<RunStatus, number>>;
  /** When the longest-waiting queued run was queued (ms), or null when none is. */
  oldestQueuedAt: number | null;
  /** Runs that ended since the given time, by (terminal) state. */
  endedSince: Partial<Record<RunStatus, number>>;
  /** Sessions with a run in flight, by state (queued, running). */
  sessionsInFlight: Partial<Record<SessionStatus, number>>;
}

/**
 * Count runs in flight, runs ended since `since` (executor runs only: a workflow's root run is the engine's),
 * and sessions in flight, in one statement that reads only
 * index ranges (runs_queue, runs_finished, sessions_status): it does not grow with the history kept.
 */
export async function countSystemStatus(sql: SqlClient, since: number): Promise<SystemCounts> {
  const rows = await sql.query<{ part: string; status: string; n: unknown; oldest: unknown }>(
    `SELECT 'runs' AS part, status, COUNT(*) AS n, MIN(queued_at) AS oldest FROM runs
       WHERE status IN ('queued', 'claimed', 'running', 'lost') AND mode <> 'workflow' GROUP BY status
     UNION ALL
     SELECT 'ended' AS part, status, COUNT(*) AS n, NULL AS oldest FROM runs
       WHERE finished_at >= ? AND status IN ('succeeded', 'failed', 'cancelled', 'timed_out') AND mode <> 'workflow' GROUP BY status
     UNION ALL
     SELECT 'sessions' AS part, status, COUNT(*) AS n, NULL AS oldest FROM sessions
       WHERE status IN ('queued', 'running') GROUP BY status`,
    [since],
  );
  const counts: SystemCounts = { runsInFlight: {}, oldestQueuedAt: null, endedSince: {}, sessionsInFlight: {} };
  for (const row of rows) {
    const n = Number(row.n);
    if (row.part === 'runs') {
      counts.runsInFlight[row.status as RunStatus] = n;
      if (row.status === 'queued' && row.oldest !== null) counts.oldestQueuedAt = Number(row.oldest);
    } else if (row.part === 'ended') counts.endedSince[row.status as RunStatus] = n;
    else counts.sessionsInFlight[row.status as SessionStatus] = n;
  }
  return counts;
}
