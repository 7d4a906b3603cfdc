import { callbackMessage } from '../../rules/callback-message.js';
import { isWorkflowRoot } from '../../rules/workflow-rules.js';
import { answersMessage } from '../../rules/answer-message.js';
import { newId } from '../../ids.js';
import type { QuestionRecord, RunRecord } from '../../types.js';
import { SESSION_COLUMNS, toCallback, toQuestion, toSession } from '../rows.js';
import type { SqlClient } from '../sql-client.js';
import { insertRun } from './create-session.js';
import { holdsSessionLock } from './event-seqs.js';

/** Tries a callback resume gets when its run record carries none (the session's last run is gone). */
const DEFAULT_MAX_ATTEMPTS = 3;

/** Where outcomesWaitingRead leaves its answer for deliverCallbacks, in the transaction's memo. */
const outcomesWaitingKey = (sessionId: string) => `outcomes_waiting:${sessionId}`;

/**
 * Resume `sessionId` with every outcome waiting for it (callback-mode children's, and answers to its
 * questions delivered by resume: coordinator/rules/answer-message.ts), in one run, if it is idle (its last
 * run succeeded), or failed with an answer waiting. While it is queued or running the outcomes keep waiting, and arrive together when its
 * run ends; a failed or cancelled session gets them after it is resumed and ends idle. Call inside a
 * transaction.
 * @returns the resume run, or null when nothing was delivered.
 */
export async function deliverCallbacks(tx: SqlClient, sessionId: string, now: number): Promise<RunRecord | null> {
  // Most sessions have no callbacks nor answers waiting: one lookup, no lock. Any that waits was recorded by a
  // committed transaction before this one read (or is this one's own), and is read again below under the lock.
  // The run's status change may have answered already (outcomesWaitingRead): then no lookup of its own.
  const known = tx.memo?.get(outcomesWaitingKey(sessionId));
  tx.memo?.delete(outcomesWaitingKey(sessionId));
  if (known === 0) return null;
  if (known === undefined) {
    const waiting = await tx.query(
      `SELECT 1 AS one FROM callbacks WHERE session_id = ? AND delivered_run_id IS NULL
       UNION ALL SELECT 1 AS one FROM questions WHERE session_id = ? AND resume = 1 AND resume_run_id IS NULL AND status IN ('answered', 'timed_out')
       LIMIT 1`,
      [sessionId, sessionId],
    );
    if (waiting.length === 0) return null;
  }
  const [row] = await tx.query(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?${tx.forUpdate({ of: 'sessions' })}`, [sessionId]);
  if (row === undefined) return null;
  const session = toSession(row);
  // A tree stopped for its budget is not resumed: the outcomes stay recorded, undelivered. A person's answer
  // also resumes a session whose run failed meanwhile (its asking run was lost): the answer is not dropped.
  if (session.stop_reason !== null || (session.status !== 'idle' && session.status !== 'failed') || isWorkflowRoot(session)) return null;
  const answers = await pendingAnswers(tx, sessionId);
  if (session.status === 'failed' && answers.length === 0) return null;
  const pending = (await tx.query('SELECT * FROM callbacks WHERE session_id = ? AND delivered_run_id IS NULL ORDER BY seq', [sessionId])).map(toCallback);
  if (pending.length === 0 && answers.length === 0) return null;
  const prompt = [answers.length === 0 ? null : answersMessage(answers), pending.length === 0 ? null : callbackMessage(pending)].filter((p) => p !== null).join('\n\n');
  const [last] = await tx.query<{ max_attempts: unknown }>('SELECT max_attempts FROM runs WHERE id = ?', [session.last_run_id]);
  const run = await insertRun(tx, {
    id: newId('run'), session_id: sessionId, mode: 'resume', prompt, priority: session.priority,
    executor: session.executor, tags: JSON.stringify(session.tags), timeout_s: session.timeout_s,
    max_attempts: last === undefined ? DEFAULT_MAX_ATTEMPTS : Number(last.max_attempts), executor_session_id: session.executor_session_id,
    workflow_run_id: session.workflow_run_id,
  }, now);
  await tx.query("UPDATE sessions SET status = 'queued', last_run_id = ?, runner_id = NULL, updated_at = ?, ended_at = NULL WHERE id = ?", [run.id, now, sessionId]);
  if (pending.length > 0) {
    await tx.query('UPDATE callbacks SET delivered_run_id = ?, delivered_at = ? WHERE session_id = ? AND delivered_run_id IS NULL AND seq <= ?', [
      run.id, now, sessionId, pending[pending.length - 1]!.seq,
    ]);
  }
  for (const answer of answers) await tx.query('UPDATE questions SET resume_run_id = ? WHERE id = ?', [run.id, answer.id]);
  return run;
}

/** Answered questions of a session waiting to be delivered by a resume, oldest answer first. */
async function pendingAnswers(tx: SqlClient, sessionId: string): Promise<QuestionRecord[]> {
  const rows = await tx.query(
    "SELECT * FROM questions WHERE session_id = ? AND resume = 1 AND resume_run_id IS NULL AND status IN ('answered', 'timed_out') ORDER BY answered_at, id",
    [sessionId],
  );
  return rows.map(toQuestion);
}

/** The callbacks of a session (to see what waits and what was delivered in which run). */
export async function listCallbacks(sql: SqlClient, sessionId: string) {
  return (await sql.query('SELECT * FROM callbacks WHERE session_id = ? ORDER BY seq', [sessionId])).map(toCallback);
}

/**
 * Whether outcomes wait for the session of a run (callbacks of children, answers that resume it), as an
 * expression a statement changing the run (table `runs`) can return: the run's end and deliverCallbacks'
 * first lookup in one round trip (transitionRun).
 */
export const SESSION_OUTCOMES_WAITING = `(EXISTS (SELECT 1 FROM callbacks WHERE callbacks.session_id = runs.session_id AND callbacks.delivered_run_id IS NULL)
  OR EXISTS (SELECT 1 FROM questions WHERE questions.session_id = runs.session_id AND questions.resume = 1 AND questions.resume_run_id IS NULL
    AND questions.status IN ('answered', 'timed_out')))`;

/**
 * Whether a statement ending one of the session's runs may answer deliverCallbacks' lookup: on PostgreSQL
 * once this transaction holds the session's row lock from an earlier statement (sessionLocked). A
 * transaction that records an outcome for the session then delivers it under the session's lock (this
 * function's FOR UPDATE above), so it either committed before that lock was ours, and this later
 * statement's snapshot sees its row, or it waits for this transaction and delivers the outcome itself.
 */
export function outcomesWaitingWanted(tx: SqlClient, sessionId: string): boolean {
  return tx.dialect === 'postgres' && holdsSessionLock(tx, sessionId);
}

/** What the statement read (outcomesWaitingWanted said yes): deliverCallbacks, next in this transaction, uses it instead of its lookup. */
export function outcomesWaitingRead(tx: SqlClient, sessionId: string, waiting: boolean): void {
  tx.memo?.set(outcomesWaitingKey(sessionId), waiting ? 1 : 0);
}
