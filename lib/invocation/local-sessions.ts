import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * `agent-runner invoke` has no coordinator, so it remembers the executor session each session bound in a
 * small JSON file, to hand it back on `--mode resume --session-id ID`.
 */
export const LOCAL_SESSIONS_FILE = join('.agent-runner', 'invoke-sessions.json');

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

export function findLocalSession(baseDir: string, sessionId: string): LocalSession | undefined {
  return read(join(baseDir, LOCAL_SESSIONS_FILE))[sessionId];
}

export function recordLocalSession(baseDir: string, sessionId: string, session: LocalSession): void {
  const file = join(baseDir, LOCAL_SESSIONS_FILE);
  const all = read(file);
  all[sessionId] = session;
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(all, null, 2)}\n`);
  renameSync(temp, file);
}
