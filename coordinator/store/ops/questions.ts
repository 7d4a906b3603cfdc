import { newId } from '../../ids.js';
import type { EventRecord, QuestionRecord } from '../../types.js';
import type { QuestionAnswer, QuestionStatus } from '../../../protocol/questions.js';
import { SESSION_COLUMNS, toQuestion, toSession } from '../rows.js';
import type { SqlClient } from '../sql-client.js';
import { ConflictError, NotFoundError } from '../store-errors.js';
import { allocateEventSeqs } from './event-seqs.js';
import { deliverCallbacks } from './deliver-callbacks.js';
import { insertEvents } from './insert-events.js';
import { onQuestionAsked } from './on-question-asked.js';

/** A question as a session asks it (validated by the HTTP layer; approval defaults already applied). */
export type NewQuestion = Pick<QuestionRecord, 'kind' | 'question' | 'options' | 'details' | 'urgency' | 'subject' | 'wait' | 'timeout_s' | 'on_timeout'>;

export interface QuestionAsked {
  /** null: an approval of a tool the session allowed "for this session" (nothing was asked). */
  question: QuestionRecord | null;
  /** The seq of the `question` event (the session's last event seq when nothing was asked). */
  event_seq: number;
}

export interface QuestionFilter {
  /** null: any; 'closed': answered, timed out or cancelled. */
  status: QuestionStatus | 'closed' | null;
  session_id?: string | undefined;
  root_session_id?: string | undefined;
  /** 'asked' (default): oldest asked first; 'recent': latest closed (or asked, when open) first. */
  order?: 'asked' | 'recent' | undefined;
}

/** The data of the `question` event. */
function questionEvent(q: QuestionRecord): Record<string, unknown> {
  return {
    type: 'question', question_id: q.id, kind: q.kind, question: q.question, options: q.options, details: q.details, urgency: q.urgency,
    subject: q.subject, wait: q.wait, timeout_at: q.timeout_at === null ? null : new Date(q.timeout_at).toISOString(),
  };
}

/** The data of the `answer` event. */
function answerEvent(q: QuestionRecord): Record<string, unknown> {
  return {
    type: 'answer', question_id: q.id, status: q.status, answer: q.answer, answered_by: q.answered_by,
    answered_at: q.answered_at === null ? null : new Date(q.answered_at).toISOString(),
  };
}

/**
 * Store a coordinator event of a session under run `runId`: its run_seq is the next negative number of the
 * run's status counter (as `run_status` events take), so it never meets the runner's own numbering. Call
 * inside a transaction; locks the run row, then (allocateEventSeqs) the session row, the order run
 * transitions take.
 * @returns the event's seq.
 */
async function appendCoordinatorEvent(tx: SqlClient, sessionId: string, runId: string, data: Record<string, unknown>, now: number): Promise<number> {
  const [bumped] = await tx.query<{ status_seq: unknown }>('UPDATE runs SET status_seq = status_seq + 1 WHERE id = ? RETURNING status_seq', [runId]);
  const runSeq = -Number(bumped?.status_seq ?? 0);
  const seq = await allocateEventSeqs(tx, sessionId, 1);
  const type = String(data.type);
  await insertEvents(tx, [[sessionId, seq, runId, runSeq, type, JSON.stringify(data), now]]);
  const record: EventRecord = { session_id: sessionId, seq, run_id: runId, run_seq: runSeq, type, data, created_at: now };
  tx.announce({ kind: 'events', session_id: sessionId, events: [record] });
  if (typeof data.question_id === 'string') tx.announce({ kind: 'question', question_id: data.question_id, session_id: sessionId });
  return seq;
}

/**
 * Session `sessionId` asks a question (under its latest run, the one asking). An approval of a tool the
 * session already allowed "for this session" asks nothing (`question: null`).
 */
export async function askQuestion(sql: SqlClient, sessionId: string, input: NewQuestion, now: number): Promise<QuestionAsked> {
  return sql.transaction(async (tx) => {
    const [row] = await tx.query(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`, [sessionId]);
    if (row === undefined) throw new NotFoundError('session', sessionId);
    const session = toSession(row);
    if (input.kind === 'approval' && input.subject !== null) {
      const remembered = await tx.query('SELECT 1 AS one FROM questions WHERE session_id = ? AND remember_tool = ? LIMIT 1', [sessionId, input.subject.tool]);
      if (remembered.length > 0) return { question: null, event_seq: session.event_seq };
    }
    const q: QuestionRecord = {
      id: newId('q'), session_id: sessionId, run_id: session.last_run_id, root_session_id: session.root_session_id, ...input,
      timeout_at: input.timeout_s === null ? null : now + input.timeout_s * 1000,
      status: 'open', answer: null, answered_by: null, answered_at: null, resume: !input.wait, resume_run_id: null, created_at: now,
    };
    await tx.query(
      `INSERT INTO questions (id, session_id, run_id, root_session_id, kind, question, options, details, urgency, subject, wait, timeout_s,
         timeout_at, on_timeout, status, resume, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
      [
        q.id, q.session_id, q.run_id, q.root_session_id, q.kind, q.question, q.options === null ? null : JSON.stringify(q.options), q.details, q.urgency,
        q.subject === null ? null : JSON.stringify(q.subject), q.wait ? 1 : 0, q.timeout_s, q.timeout_at, q.on_timeout, q.resume ? 1 : 0, now,
      ],
    );
    const seq = await appendCoordinatorEvent(tx, sessionId, q.run_id, questionEvent(q), now);
    await tx.query('UPDATE sessions SET open_questions = open_questions + 1 WHERE id = ?', [sessionId]);
    await onQuestionAsked(tx, q, session, now);
    return { question: q, event_seq: seq };
  });
}

export async function getQuestion(sql: SqlClient, id: string): Promise<QuestionRecord | null> {
  const [row] = await sql.query('SELECT * FROM questions WHERE id = ?', [id]);
  return row === undefined ? null : toQuestion(row);
}

/** Questions matching the filter, oldest first (or latest closed first), with the asking session's agent. */
export async function listQuestions(sql: SqlClient, filter: QuestionFilter, limit: number): Promise<{ question: QuestionRecord; agent: string | null }[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.status === 'closed') {
    where.push("q.status <> 'open'");
  } else if (filter.status !== null) {
    where.push('q.status = ?');
    params.push(filter.status);
  }
  if (filter.session_id !== undefined) {
    where.push('q.session_id = ?');
    params.push(filter.session_id);
  }
  if (filter.root_session_id !== undefined) {
    where.push('q.root_session_id = ?');
    params.push(filter.root_session_id);
  }
  const rows = await sql.query(
    `SELECT q.*, s.agent AS asking_agent FROM questions q JOIN sessions s ON s.id = q.session_id
     ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
     ORDER BY ${filter.order === 'recent' ? 'COALESCE(q.answered_at, q.created_at) DESC, q.id DESC' : 'q.created_at, q.id'} LIMIT ?`,
    [...params, limit],
  );
  return rows.map((row) => ({ question: toQuestion(row), agent: row.asking_agent === null || row.asking_agent === undefined ? null : String(row.asking_agent) }));
}

/** How a question is closed: by a person's answer, by its timeout, or cancelled. */
export interface QuestionClose {
  status: Exclude<QuestionStatus, 'open'>;
  answer: QuestionAnswer | null;
  answered_by: string;
}

/**
 * Close an open question exactly once (`UPDATE … WHERE status = 'open'`): a second close is a ConflictError
 * saying who answered and when. The answer goes to the asking tool call (it follows the session's events
 * for the `answer` event) or, for a `wait: false` question and one whose asking run is no longer in flight,
 * resumes the session with it (now if it is idle, else when its run ends, as callbacks are delivered).
 */
export async function closeQuestion(sql: SqlClient, id: string, close: QuestionClose, now: number): Promise<QuestionRecord> {
  return sql.transaction((tx) => closeQuestionIn(tx, id, close, now));
}

/**
 * closeQuestion inside the caller's transaction (which may hold the asking run's row already). A workflow
 * gate's question ends its task, in the same transaction (gateClosed).
 */
export async function closeQuestionIn(tx: SqlClient, id: string, close: QuestionClose, now: number): Promise<QuestionRecord> {
  const remember = close.answer?.remember === true && close.answer.decision === 'allow';
  // The asking run's row first, then the question's: the order a run transition (which cancels a retried
  // run's questions) takes them, so the two never wait for each other.
  const [asked] = await tx.query<{ run_id: unknown }>('SELECT run_id FROM questions WHERE id = ?', [id]);
  if (asked === undefined) throw new NotFoundError('question', id);
  const [run] = await tx.query<{ status: unknown }>(`SELECT status FROM runs WHERE id = ?${tx.forUpdate()}`, [String(asked.run_id)]);
  const [row] = await tx.query(
    `UPDATE questions SET status = ?, answer = ?, answered_by = ?, answered_at = ?,
       remember_tool = CASE WHEN ? = 1 AND kind = 'approval' THEN ${tx.dialect === 'sqlite' ? "json_extract(subject, '$.tool')" : "(subject::json->>'tool')"} ELSE NULL END
     WHERE id = ? AND status = 'open' RETURNING *`,
    [close.status, close.answer === null ? null : JSON.stringify(close.answer), close.answered_by, now, remember ? 1 : 0, id],
  );
  if (row === undefined) {
    const existing = await getQuestion(tx, id);
    if (existing === null) throw new NotFoundError('question', id);
    const when = existing.answered_at === null ? 'earlier' : `at ${new Date(existing.answered_at).toISOString()}`;
    throw new ConflictError(`question ${id} is already ${existing.status.replace('_', ' ')}: by ${existing.answered_by ?? 'unknown'} ${when}`, {
      question: id,
      status: existing.status,
      answered_by: existing.answered_by,
      answered_at: existing.answered_at === null ? null : new Date(existing.answered_at).toISOString(),
    });
  }
  let q = toQuestion(row);
  const asking = run?.status === 'claimed' || run?.status === 'running';
  if (!q.resume && !asking && close.status !== 'cancelled') {
    await tx.query('UPDATE questions SET resume = 1 WHERE id = ?', [id]);
    q = { ...q, resume: true };
  }
  if (close.status === 'cancelled' && q.resume) await tx.query('UPDATE questions SET resume = 0 WHERE id = ?', [id]);
  await appendCoordinatorEvent(tx, q.session_id, q.run_id, answerEvent(q), now);
  await tx.query('UPDATE sessions SET open_questions = CASE WHEN open_questions > 0 THEN open_questions - 1 ELSE 0 END WHERE id = ?', [q.session_id]);
  if (q.resume && close.status !== 'cancelled') {
    const resumed = await deliverCallbacks(tx, q.session_id, now);
    if (resumed !== null) q = { ...q, resume_run_id: resumed.id };
  }
  await tx.hooks.engine?.gateClosed(tx, q, now);
  return q;
}

/**
 * A run queued again for another attempt starts its agent over, which asks again: its open `wait: true`
 * questions are cancelled (no tool call waits for them any more). Call inside the transaction that re-queued it.
 */
export async function cancelQuestionsOfRetriedRun(tx: SqlClient, runId: string, now: number): Promise<void> {
  const rows = await tx.query<{ id: string }>("SELECT id FROM questions WHERE run_id = ? AND status = 'open' AND wait = 1", [runId]);
  for (const row of rows) await closeQuestionIn(tx, String(row.id), { status: 'cancelled', answer: null, answered_by: 'retry' }, now);
}

/** Open questions past their timeout (at most `max`), oldest deadline first. */
export async function listTimedOutQuestions(sql: SqlClient, now: number, max: number): Promise<QuestionRecord[]> {
  const rows = await sql.query("SELECT * FROM questions WHERE status = 'open' AND timeout_at IS NOT NULL AND timeout_at <= ? ORDER BY timeout_at LIMIT ?", [now, max]);
  return rows.map(toQuestion);
}

/** Ids of the open questions of a session and, with `cascade`, of every session under it (at most `max`). */
export async function listOpenQuestionIds(sql: SqlClient, sessionId: string, cascade: boolean, max: number): Promise<string[]> {
  const pattern = `%"${sessionId.replace(/[\\%_]/g, (c) => `\\${c}`)}"%`;
  const rows = await sql.query<{ id: string }>(
    cascade
      ? `SELECT q.id FROM questions q JOIN sessions s ON s.id = q.session_id
         WHERE q.status = 'open' AND (q.session_id = ? OR s.ancestors LIKE ? ESCAPE '\\') ORDER BY q.created_at LIMIT ?`
      : "SELECT id FROM questions WHERE status = 'open' AND session_id = ? ORDER BY created_at LIMIT ?",
    cascade ? [sessionId, pattern, max] : [sessionId, max],
  );
  return rows.map((r) => String(r.id));
}
