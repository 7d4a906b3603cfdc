import type { Dialect } from '../sql-client.js';

/**
 * People in the loop: questions and approvals an agent asks (`ask_user`, `request_approval`).
 *
 * - `questions`: one row per question, answered exactly once (`UPDATE … WHERE status = 'open'`).
 *   `resume` says the answer is delivered by resuming the session (a `wait: false` question, or one whose
 *   asking run ended before the answer came); `resume_run_id` is the run that carried it.
 *   `remember_tool`: an approval answered "allow for this session" names its tool here.
 * - `sessions.open_questions`: the session's questions still open (it shows `waiting_for_input`), kept
 *   in the transactions that open and close them, so reading a session needs no join.
 */
export function questions(_dialect: Dialect): string {
  return `
CREATE TABLE questions (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  run_id TEXT NOT NULL,
  root_session_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  question TEXT NOT NULL,
  options TEXT,
  details TEXT,
  urgency TEXT NOT NULL,
  subject TEXT,
  wait INTEGER NOT NULL,
  timeout_s INTEGER,
  timeout_at BIGINT,
  on_timeout TEXT,
  status TEXT NOT NULL,
  answer TEXT,
  answered_by TEXT,
  answered_at BIGINT,
  resume INTEGER NOT NULL DEFAULT 0,
  resume_run_id TEXT,
  remember_tool TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX questions_open ON questions (status, created_at);
CREATE INDEX questions_session ON questions (session_id, status);
CREATE INDEX questions_root ON questions (root_session_id, status);
CREATE INDEX questions_timeout ON questions (status, timeout_at);
ALTER TABLE sessions ADD COLUMN open_questions INTEGER NOT NULL DEFAULT 0
`;
}
