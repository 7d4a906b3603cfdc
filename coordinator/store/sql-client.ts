/**
 * The small SQL surface every store operation is written against, so each operation is one file that
 * runs on both SQLite and PostgreSQL. Statements use `?` placeholders; the PostgreSQL client rewrites
 * them to `$1, $2, …`. Row locks come from `forUpdate`; where the dialects differ otherwise, an operation
 * reads `dialect`.
 */
import type { OutboxPlan } from './outbox-plan.js';
import type { QuestionRecord, RunRecord } from '../types.js';
import type { NewWorkflowRun, WorkflowRunRecord, WorkflowRunStarted, WorkflowSettings, WorkflowStopCause } from './workflow-rows.js';
import type { ChangeListener, StoreChange } from './store-changes.js';
import type { PendingEvents } from './pending-events.js';

export type Dialect = 'sqlite' | 'postgres';

/** How a `SELECT … FOR UPDATE` locks: only the rows of one table of a join, and skipping rows others hold. */
export interface RowLock {
  /** Lock only this table's rows (`FOR UPDATE OF runs`). */
  of?: string;
  /** Pass over rows another transaction holds instead of waiting for them (`SKIP LOCKED`). */
  skipLocked?: boolean;
}

export interface SqlClient {
  readonly dialect: Dialect;
  /**
   * The suffix that locks a SELECT's rows until the transaction ends: ` FOR UPDATE …` on PostgreSQL,
   * empty on SQLite, whose write transaction already holds the whole database.
   */
  forUpdate(lock?: RowLock): string;
  /** Run one statement and return its rows (empty for statements without RETURNING). */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Run `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /**
   * Note a change the current transaction made (store-changes.ts): the change listener hears it once
   * the transaction is committed, and on PostgreSQL a NOTIFY inside the transaction tells the other
   * replicas. Outside a transaction: heard at once (and NOTIFYed in a transaction of its own).
   */
  announce(change: StoreChange): void;
  /** Tell this process's change listener only (a statement that sent its NOTIFY itself; see notifyTarget). */
  announceLocally(changes: readonly StoreChange[]): void;
  /**
   * Hear committed changes: this process's own, with their events, and on PostgreSQL the other
   * replicas' (LISTEN), without. One listener per client.
   */
  subscribeChanges(listener: ChangeListener): Promise<void>;
  /**
   * PostgreSQL: the NOTIFY channel and this process's sender id, for a statement that notifies itself;
   * null on SQLite, and when no other replica listens (see replica-presence.ts).
   */
  readonly notifyTarget: { channel: string; sender: string } | null;
  /**
   * What this transaction learned that holds until it ends, because it holds the locks that keep it true
   * (a session's last event seq, see event-seqs.ts): a map per PostgreSQL transaction; null outside one,
   * and on SQLite, where a lookup is an in-process index probe and not worth remembering.
   */
  readonly memo: Map<string, number> | null;
  /**
   * A PostgreSQL transaction's event rows waiting to be written in one INSERT (pending-events.ts; add them
   * with ops/insert-events.ts); null outside one, and on SQLite, where a statement costs no round trip.
   */
  readonly pendingEvents: PendingEvents | null;
  /** What the coordinator plugged in (the notification outbox plan), one object shared with every transaction. */
  readonly hooks: StoreHooks;
  /** How many other coordinator replicas were heard from lately (PostgreSQL; 0 on SQLite). */
  replicaPeers(): number;
  close(): Promise<void>;
}

/**
 * The workflow engine's entry points that store operations below it call (a run's end, a question's close,
 * a root's stop, a nested run's start and end): reached through the client's hooks, so the operations they
 * sit in need not import the engine that imports them (store/ops/workflow-events.ts fills it in).
 */
export interface WorkflowEngine {
  /** A run of a workflow task's session ended (in the transaction that ended it). */
  taskRunEnded(tx: SqlClient, run: RunRecord, now: number): Promise<void>;
  /** A question was closed (a workflow gate's, or not). */
  gateClosed(tx: SqlClient, question: QuestionRecord, now: number): Promise<void>;
  /** A nested workflow run ended. */
  childWorkflowEnded(tx: SqlClient, child: WorkflowRunRecord, now: number): Promise<void>;
  /** Stop a workflow run; false when it had ended or was being stopped. */
  requestWorkflowStop(tx: SqlClient, id: string, cause: WorkflowStopCause, now: number): Promise<boolean>;
  /** Start a workflow run inside the caller's transaction. */
  startWorkflowRunIn(tx: SqlClient, input: NewWorkflowRun, now: number): Promise<WorkflowRunStarted>;
}

/** What a store's SQL client carries for the operations besides SQL: shared by the client and its transactions. */
export interface StoreHooks {
  /** Which notifications this coordinator enqueues (its --notify config). */
  outbox: OutboxPlan | null;
  /** What the workflow engine needs of the coordinator's settings to create its jobs' sessions. */
  workflows: WorkflowSettings;
  /** The workflow engine (set by createStore). */
  engine: WorkflowEngine | null;
}

/** Rewrite `?` placeholders to `$1…$n` (our statements never put `?` inside string literals). Pure. */
export function toNumberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** `?, ?, ?` for an IN list or VALUES row of `count` items. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/** PostgreSQL's row-lock clause, with a leading space. Pure. */
export function forUpdateClause(lock: RowLock = {}): string {
  return ` FOR UPDATE${lock.of === undefined ? '' : ` OF ${lock.of}`}${lock.skipLocked === true ? ' SKIP LOCKED' : ''}`;
}
