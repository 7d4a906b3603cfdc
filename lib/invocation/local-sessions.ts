import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from '../state/state-dir.js';

/**
 * `agent-runner invoke` has no coordinator, so it remembers the executor session each session bound in a
 * small JSON file of the project's state folder (lib/state), to hand it back on `--mode resume --session-id ID`.
 */
export const LOCAL_SESSIONS_FILE = 'invoke-sessions.json';

export interface LocalSession {
  executor: string;
  executor_session_id: string;
  updated_at: string;
}

function read(file: string): Record<string, LocalSession> {
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, LocalSession>) : {};
  } catch {
    return {};
  }
}

export function findLocalSession(stateDir: string, sessionId: string): LocalSession | undefined {
  return read(join(stateDir, LOCAL_SESSIONS_FILE))[sessionId];
}

/** Remember what a session bound; `stateDir` exists (openProjectState). */
export function recordLocalSession(stateDir: string, sessionId: string, session: LocalSession): void {
  const file = join(stateDir, LOCAL_SESSIONS_FILE);
  const all = read(file);
  all[sessionId] = session;
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(all, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
  renameSync(temp, file);
}
