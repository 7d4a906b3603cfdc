import { newId } from '../../ids.js';
import type { RunRecord, SessionRecord } from '../../types.js';
import { appendRunStatusEvent } from './append-run-status-event.js';
import { noEventsYet } from './event-seqs.js';
import { toRun, toSession } from '../rows.js';
import type { SqlClient } from '../sql-client.js';

/** A session to create, already resolved against its agent (executor, tags and timeout filled in). */
export interface NewSession
  extends Pick<SessionRecord, 'agent' | 'executor' | 'tags' | 'project_dir' | 'parent_session_id' | 'priority' | 'timeout_s' | 'prompt'> {
  max_attempts: number;
  /** Resume this session with the outcome when the session's run ends (callback mode). */
  callback_session_id?: string | null | undefined;
}

/** Create a session and its queued `start` run, in one transaction. */
export async function createSession(
  sql: SqlClient,
  input: NewSession,
  now: number,
): Promise<{ session: SessionRecord; run: RunRecord }> {
  const sessionId = newId('ses');
  const runId = newId('run');
  const tags = JSON.stringify(input.tags);
  return sql.transaction(async (tx) => {
    const [sessionRow] = await tx.query(
      `INSERT INTO sessions (id, agent, executor, tags, project_dir, parent_session_id, priority, timeout_s, prompt,
         status, last_run_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?) RETURNING *`,
      [sessionId, input.agent, input.executor, tags, input.project_dir, input.parent_session_id, input.priority,
        input.timeout_s, input.prompt, runId, now, now],
    );
    noEventsYet(tx, sessionId);
    const run = await insertRun(tx, {
      id: runId, session_id: sessionId, mode: 'start', prompt: input.prompt, priority: input.priority,
      executor: input.executor, tags, timeout_s: input.timeout_s, max_attempts: input.max_attempts,
      executor_session_id: null, callback_session_id: input.callback_session_id ?? null,
    }, now);
    // Seen before its first event (the run's `queued`), so a follower from this view misses none.
    return { session: toSession({ ...sessionRow!, event_seq: 0 }), run };
  });
}

/** Insert a queued run (its status counter at 1: its `queued` event). */
export async function insertRun(
  tx: SqlClient,
  run: Pick<RunRecord, 'id' | 'session_id' | 'mode' | 'prompt' | 'priority' | 'executor' | 'timeout_s' | 'max_attempts' | 'executor_session_id'> & {
    tags: string;
    callback_session_id?: string | null;
  },
  now: number,
): Promise<RunRecord> {
  const [row] = await tx.query(
    `INSERT INTO runs (id, session_id, mode, prompt, status, priority, executor, tags, timeout_s, attempt, max_attempts,
       executor_session_id, available_at, created_at, queued_at, callback_session_id, status_seq)
     VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, 1) RETURNING *`,
    [run.id, run.session_id, run.mode, run.prompt, run.priority, run.executor, run.tags, run.timeout_s,
      run.max_attempts, run.executor_session_id, now, now, now, run.callback_session_id ?? null],
  );
  const inserted = toRun(row!);
  await appendRunStatusEvent(tx, inserted, 1, now);
  return inserted;
}
