import type { Dialect } from '../sql-client.js';

/** Tables for agents, sessions, runs, runners and events. `SERIAL` is the dialect's auto-increment key. */
export function initialSchema(dialect: Dialect): string {
  const SERIAL = dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY';
  return `
CREATE TABLE agents (
  name TEXT PRIMARY KEY,
  doc TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE sessions (
  seq ${SERIAL},
  id TEXT NOT NULL UNIQUE,
  agent TEXT,
  executor TEXT,
  tags TEXT NOT NULL,
  project_dir TEXT,
  parent_session_id TEXT,
  priority INTEGER NOT NULL,
  timeout_s INTEGER,
  prompt TEXT NOT NULL,
  status TEXT NOT NULL,
  result TEXT,
  usage TEXT,
  executor_session_id TEXT,
  runner_id TEXT,
  last_run_id TEXT NOT NULL,
  event_seq BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  ended_at BIGINT
);
CREATE INDEX sessions_status ON sessions (status, seq);
CREATE INDEX sessions_parent ON sessions (parent_session_id, seq);
CREATE INDEX sessions_agent ON sessions (agent, seq);
CREATE TABLE runs (
  seq ${SERIAL},
  id TEXT NOT NULL UNIQUE,
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  mode TEXT NOT NULL,
  prompt TEXT NOT NULL,
  status TEXT NOT NULL,
  priority INTEGER NOT NULL,
  executor TEXT,
  tags TEXT NOT NULL,
  timeout_s INTEGER,
  attempt INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  runner_id TEXT,
  executor_session_id TEXT,
  stop_requested INTEGER NOT NULL DEFAULT 0,
  event_seq BIGINT NOT NULL DEFAULT 0,
  outcome TEXT,
  error TEXT,
  available_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  queued_at BIGINT NOT NULL,
  claimed_at BIGINT,
  started_at BIGINT,
  finished_at BIGINT
);
CREATE INDEX runs_queue ON runs (status, priority DESC, seq);
CREATE INDEX runs_session ON runs (session_id, seq);
CREATE INDEX runs_runner ON runs (runner_id, status);
CREATE TABLE runners (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  hostname TEXT,
  executors TEXT NOT NULL,
  tags TEXT NOT NULL,
  capacity INTEGER NOT NULL,
  metadata TEXT,
  token_hash TEXT NOT NULL,
  registered_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  deregistered_at BIGINT
);
CREATE TABLE events (
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  run_id TEXT NOT NULL,
  run_seq BIGINT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (session_id, seq)
);
CREATE UNIQUE INDEX events_run ON events (run_id, run_seq);
`;
}
