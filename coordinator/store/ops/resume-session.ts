import { newId } from '../../ids.js';
import { isSessionActive } from '../../rules/session-status.js';
import type { RunRecord, SessionRecord } from '../../types.js';
import { SESSION_COLUMNS, SESSION_RETURNING, toSession } from '../rows.js';
import type { SqlClient } from '../sql-client.js';
import { BudgetExceededError, ConflictError, NotFoundError } from '../store-errors.js';
import { type BudgetStop, describeStopReason } from '../../budget/budget-rules.js';
import { insertRun } from './create-session.js';
import { isWorkflowRoot } from '../../rules/workflow-rules.js';

export interface ResumeInput {
  prompt: string;
  priority?: number | undefined;
  timeout_s?: number | undefined;
  max_attempts: number;
  /** Resume this session with the outcome when the new run ends (callback mode). */
  callback_session_id?: string | undefined;
}

/**
 * Queue a `resume` run on a session that has none in flight (ConflictError otherwise). The run carries the
 * executor_session_id the session's executor bound earlier, so the runner can hand it on.
 */
export async function resumeSession(
  sql: SqlClient,
  id: string,
  input: ResumeInput,
  now: number,
): Promise<{ session: SessionRecord; run: RunRecord }> {
  return sql.transaction(async (tx) => {
    const [row] = await tx.query(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?${tx.forUpdate({ of: 'sessions' })}`, [id]);
    if (row === undefined) throw new NotFoundError('session', id);
    const session = toSession(row);
    if (isSessionActive(session.status)) {
      throw new ConflictError(`session ${id} is ${session.status}; wait for its run to end or stop it before resuming`, {
        session: id,
        status: session.status,
      });
    }
    if (isWorkflowRoot(session)) {
      throw new ConflictError(`session ${id} is the root of workflow run ${session.workflow_run_id}; use \`agent-runner workflow resume ${session.workflow_run_id}\``, {
        session: id,
        workflow_run_id: session.workflow_run_id,
      });
    }
    const stopped = session.stop_reason as BudgetStop | null;
    if (stopped !== null) {
      throw new BudgetExceededError(`session ${id}: its tree was stopped, ${describeStopReason(stopped)}; it cannot be resumed`, {
        limit: stopped.limit, limit_value: stopped.limit_value, used: stopped.used, budget_session_id: stopped.session_id,
      });
    }
    const run = await insertRun(tx, {
      id: newId('run'), session_id: id, mode: 'resume', prompt: input.prompt,
      priority: input.priority ?? session.priority, executor: session.executor, tags: JSON.stringify(session.tags),
      timeout_s: input.timeout_s ?? session.timeout_s, max_attempts: input.max_attempts,
      executor_session_id: session.executor_session_id, callback_session_id: input.callback_session_id ?? null,
      workflow_run_id: session.workflow_run_id,
    }, now);
    const [updated] = await tx.query(
      `UPDATE sessions SET status = 'queued', last_run_id = ?, runner_id = NULL, updated_at = ?, ended_at = NULL WHERE id = ? RETURNING ${SESSION_RETURNING}`,
      [run.id, now, id],
    );
    return { session: toSession(updated!), run };
  });
}
