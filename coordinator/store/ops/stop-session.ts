import { type BudgetStop, describeStopReason } from '../../budget/budget-rules.js';
import type { RunRecord } from '../../types.js';
import type { SqlClient } from '../sql-client.js';
import { NotFoundError } from '../store-errors.js';
import { getRunForUpdate, getSession } from './get-records.js';
import { transitionRun } from './transition-run.js';

/**
 * Stop a session's run in flight: a queued run is cancelled at once; a claimed or running one is marked
 * `stop_requested` for its runner (told through heartbeat and long-poll). Stopping an ended session is a no-op.
 * @returns the run and, when a runner must act, its id.
 */
export async function stopSession(
  sql: SqlClient,
  id: string,
  now: number,
): Promise<{ run: RunRecord; notifyRunner: string | null }> {
  return sql.transaction(async (tx) => {
    const session = await getSession(tx, id);
    if (session === null) throw new NotFoundError('session', id);
    const run = await getRunForUpdate(tx, session.last_run_id);
    if (run === null) throw new NotFoundError('run', session.last_run_id);
    if (run.mode === 'workflow') return stopWorkflowRoot(tx, session.workflow_run_id, session.stop_reason !== null, run, now);
    if (run.status === 'queued' || run.status === 'lost') {
      const target = run.status === 'lost' ? 'failed' : 'cancelled';
      const why = session.stop_reason === null ? 'stopped' : `stopped for its tree's budget (${describeStopReason(session.stop_reason as unknown as BudgetStop)})`;
      const stopped = await transitionRun(tx, run, target, { finished_at: now, error: `${why} before a runner started it` }, now);
      return { run: stopped, notifyRunner: null };
    }
    if (run.status === 'claimed' || run.status === 'running') {
      await tx.query('UPDATE runs SET stop_requested = 1 WHERE id = ?', [run.id]);
      if (run.runner_id !== null) tx.announce({ kind: 'runner', runner_id: run.runner_id });
      return { run: { ...run, stop_requested: true }, notifyRunner: run.runner_id };
    }
    return { run, notifyRunner: null };
  });
}

/**
 * Stopping a workflow's root session stops its workflow run (as a timeout or a passed budget would): its
 * jobs in flight are cancelled, and the root's run ends once they have. The cascade then stops the rest of
 * the tree, so `always()` jobs do not start: `workflow cancel` is the stop that lets them.
 */
async function stopWorkflowRoot(tx: SqlClient, workflowRunId: string | null, forBudget: boolean, run: RunRecord, now: number): Promise<{ run: RunRecord; notifyRunner: string | null }> {
  if (workflowRunId !== null && (run.status === 'running' || run.status === 'claimed')) {
    await tx.hooks.engine?.requestWorkflowStop(tx, workflowRunId, forBudget ? 'budget' : 'cancel', now);
  }
  return { run: (await getRunForUpdate(tx, run.id)) ?? run, notifyRunner: null };
}
