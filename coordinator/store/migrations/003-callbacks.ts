import type { Dialect } from '../sql-client.js';

/**
 * Callback mode (the MCP `start_agent_session {mode: "callback"}`): a run may name a session to resume
 * with its outcome when it ends (`runs.callback_session_id`). Outcomes wait in `callbacks` until that
 * session is idle, then are delivered together in one resume run (`delivered_run_id`). Stored, not held
 * in memory, so a coordinator restart loses none.
 */
export function callbacks(dialect: Dialect): string {
  const SERIAL = dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY';
  return `
ALTER TABLE runs ADD COLUMN callback_session_id TEXT;
CREATE TABLE callbacks (
  seq ${SERIAL},
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  child_session_id TEXT NOT NULL,
  child_run_id TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,
  result TEXT,
  error TEXT,
  created_at BIGINT NOT NULL,
  delivered_run_id TEXT,
  delivered_at BIGINT
);
CREATE INDEX callbacks_pending ON callbacks (session_id, delivered_run_id, seq)
`;
}
