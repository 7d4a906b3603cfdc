import { MAX_STOP_DESCENDANTS } from '../../../protocol/limits.js';
import type { BudgetStop } from '../../budget/budget-rules.js';
import { placeholders, type SqlClient } from '../sql-client.js';
import { notifyBudgetExceeded } from './notify-budget-exceeded.js';
import { type StoppedRun, stopSessionTree } from './stop-session-tree.js';

/** Rounds of MAX_STOP_DESCENDANTS stops one call makes at most (a bigger tree's rest is stopped by the next call). */
const MAX_STOP_ROUNDS = 50;

/** A tree stopped for its budget: every run asked to stop or cancelled, and whether some are left for a next call. */
export interface BudgetStopped {
  stopped: StoppedRun[];
  more: boolean;
}

/**
 * Stop the subtree under the session whose budget was passed, once: its `stop_reason` is written (only if it
 * has none: a tree stopped once is not stopped again, by this replica or another) on it and every session
 * below it, then each run in flight there is stopped as `POST /v1/sessions/:id/stop` stops it (a queued run is
 * cancelled with the reason as its error; a running one is asked to stop through its runner).
 * @returns null when the tree was stopped before.
 */
export async function stopTreeForBudget(sql: SqlClient, stop: BudgetStop, now: number): Promise<BudgetStopped | null> {
  return sql.transaction(async (tx) => {
    const [budgeted] = await tx.query<{ stop_reason: string | null }>('SELECT stop_reason FROM sessions WHERE id = ?', [stop.session_id]);
    if (budgeted === undefined || budgeted.stop_reason !== null) return null;
    const stopReason = { ...stop, at: new Date(now).toISOString() };
    const reason = JSON.stringify(stopReason);
    // Rows are locked deepest first, then the budget's session: upwards, the order every writer of a session
    // and its ancestors follows (a child's creation locks its parent, then the budgets above it).
    const below = await tx.query<{ id: string }>(
      `WITH RECURSIVE tree (id) AS (
         SELECT id FROM sessions WHERE parent_session_id = ?
         UNION ALL
         SELECT s.id FROM sessions s JOIN tree ON s.parent_session_id = tree.id
       )
       SELECT sessions.id FROM sessions WHERE id IN (SELECT id FROM tree) AND stop_reason IS NULL ORDER BY depth DESC, seq${tx.forUpdate()}`,
      [stop.session_id],
    );
    for (let i = 0; i < below.length; i += 500) {
      const chunk = below.slice(i, i + 500).map((row) => row.id);
      await tx.query(`UPDATE sessions SET stop_reason = ? WHERE id IN (${placeholders(chunk.length)}) AND stop_reason IS NULL`, [reason, ...chunk]);
    }
    // Written only if it has none (another replica may have stopped this tree meanwhile: then this one does nothing more).
    const first = await tx.query('UPDATE sessions SET stop_reason = ?, updated_at = ? WHERE id = ? AND stop_reason IS NULL RETURNING id', [reason, now, stop.session_id]);
    if (first.length === 0) return null;
    // Told with the stop, in its transaction (no statement unless a notification target wants it).
    await notifyBudgetExceeded(tx, stop.session_id, stopReason, now);
    const stopped: StoppedRun[] = [];
    let more = true;
    for (let round = 0; round < MAX_STOP_ROUNDS && more; round++) {
      const tree = await stopSessionTree(tx, stop.session_id, now, true, MAX_STOP_DESCENDANTS);
      if (round === 0) stopped.push({ run: tree.run, notifyRunner: tree.notifyRunner });
      stopped.push(...tree.descendants);
      more = tree.moreDescendants;
    }
    // A child committed after the tree was read above (its creation saw no stop yet) was stopped all the same: mark it too.
    const marked = new Set([stop.session_id, ...below.map((row) => row.id)]);
    const late = stopped.map((s) => s.run.session_id).filter((id) => !marked.has(id));
    if (late.length > 0) await tx.query(`UPDATE sessions SET stop_reason = ? WHERE id IN (${placeholders(late.length)}) AND stop_reason IS NULL`, [reason, ...late]);
    return { stopped, more };
  });
}
