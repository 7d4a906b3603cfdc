/**
 * Rate limits park work (docs/coordinator.md, "Parking"): a run whose executor reported `rate_limited` and
 * ended with exit 75 goes back to `queued` without being charged an attempt nor excluding its runner; its
 * profile is parked until the limit resets; it restarts at once on another profile that is free, else at
 * the earliest reset.
 */
import type { RateLimitedEvent } from '../../../protocol/executor-event.js';
import { MAX_PARKS_PER_RUN, parkUntil, restartAt } from '../../rules/park-rules.js';
import type { ProfilePark } from '../../rules/profile-choice.js';
import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import { listOnlineRunners } from './list-online-runners.js';
import type { SessionUpdate } from './session-update.js';
import { transitionRun } from './transition-run.js';

/** The last `rate_limited` event of the run's current attempt (stored since it was claimed), or null. */
export async function lastRateLimit(tx: SqlClient, run: RunRecord): Promise<RateLimitedEvent | null> {
  const [row] = await tx.query<{ data: unknown }>(
    "SELECT data FROM events WHERE session_id = ? AND run_id = ? AND type = 'rate_limited' AND created_at >= ? ORDER BY seq DESC LIMIT 1",
    [run.session_id, run.id, run.claimed_at ?? run.queued_at],
  );
  return row === undefined ? null : (JSON.parse(String(row.data)) as RateLimitedEvent);
}

/** The parks holding a profile back now. */
export async function activeParks(sql: SqlClient, now: number): Promise<ProfilePark[]> {
  const rows = await sql.query<{ profile: string; model: string; until_at: unknown }>('SELECT profile, model, until_at FROM credential_parks WHERE until_at > ?', [now]);
  return rows.map((r) => ({ profile: String(r.profile), model: String(r.model), until: Number(r.until_at) }));
}

/** A park as `status` shows it: the profile, the model it holds back (null: every model), until when, why, and the runs waiting on it. */
export interface CredentialParkView {
  profile: string;
  model: string | null;
  until: number;
  message: string;
  runs_waiting: number;
}

/** The parks in force now, earliest end first, each with the queued runs parked on its profile. */
export async function listCredentialParks(sql: SqlClient, now: number): Promise<CredentialParkView[]> {
  const rows = await sql.query<Record<string, unknown>>(
    `SELECT p.profile, p.model, p.until_at, p.message,
       (SELECT COUNT(*) FROM runs WHERE runs.status = 'queued' AND runs.credential_profile = p.profile AND runs.parked_until > ?) AS runs_waiting
     FROM credential_parks p WHERE p.until_at > ? ORDER BY p.until_at, p.profile`,
    [now, now],
  );
  return rows.map((r) => ({ profile: String(r.profile), model: r.model === '' ? null : String(r.model), until: Number(r.until_at), message: String(r.message), runs_waiting: Number(r.runs_waiting) }));
}

/** The models some profile is parked for now (scope `model` parks), for model routing. */
export async function parkedModels(sql: SqlClient, now: number): Promise<Set<string>> {
  const rows = await sql.query<{ model: string }>("SELECT DISTINCT model FROM credential_parks WHERE until_at > ? AND model <> ''", [now]);
  return new Set(rows.map((r) => String(r.model)));
}

/** Whether a run that ended with the executor's own exit 75 after `limit` is parked (not charged) rather than retried. */
export const parkable = (run: RunRecord, limit: RateLimitedEvent | null): limit is RateLimitedEvent =>
  limit !== null && !run.stop_requested && run.parks < MAX_PARKS_PER_RUN;

/**
 * Park `run` for `limit` (inside finishHeldRun's transaction): record the profile's park (keyed by profile
 * and model; a later reset wins), re-queue the run with the same attempt, available now when another
 * profile can take it, else at the earliest reset, and wake idle polls then. The executor session it bound
 * is kept, so its restart continues it (resume).
 */
export async function parkRun(
  tx: SqlClient,
  run: RunRecord,
  limit: RateLimitedEvent,
  bound: string | null,
  now: number,
  leaseMs: number,
  session: SessionUpdate,
  also: Record<string, unknown>,
): Promise<RunRecord> {
  const until = parkUntil(limit.retry_at, now);
  const model = limit.scope === 'model' ? (limit.model ?? '') : '';
  if (run.credential_profile !== null) {
    await tx.query(
      `INSERT INTO credential_parks (profile, model, scope, until_at, message, run_id, parked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (profile, model) DO UPDATE SET scope = excluded.scope, until_at = CASE WHEN excluded.until_at > credential_parks.until_at OR credential_parks.until_at <= ? THEN excluded.until_at ELSE credential_parks.until_at END,
         message = excluded.message, run_id = excluded.run_id, parked_at = excluded.parked_at`,
      [run.credential_profile, model, limit.scope, until, limit.message, run.id, now, now],
    );
  }
  const online = await listOnlineRunners(tx, now, leaseMs);
  const parks = run.credential_profile === null ? [] : await activeParks(tx, now);
  const available = run.credential_profile === null ? until : restartAt(run, until, online, parks, now);
  const continues = bound !== null || run.continues_session;
  const updated = await transitionRun(tx, run, 'queued', {
    available_at: available, queued_at: now, runner_id: null, claimed_at: null, started_at: null, stop_requested: false,
    parked_until: available, park_reason: limit.message, parks: run.parks + 1, continues_session: continues,
    ...(bound === null ? {} : { executor_session_id: bound }),
    ...also,
  }, now, session);
  session.park({ until: available, profile: run.credential_profile, reason: limit.message });
  // Idle polls hear of it when it (or any run its profile held back) may be taken again.
  const requirement = { executor: run.executor, tags: run.tags, excluded_runners: run.excluded_runners };
  if (available > now) tx.announce({ kind: 'claimable', requirement, at: available });
  if (until > available) tx.announce({ kind: 'claimable', requirement: { ...requirement, tags: [] }, at: until });
  return updated;
}
