import { hostname } from 'node:os';
import type { RunnerView } from '../../protocol/runners.js';
import type { SessionView } from '../../protocol/sessions.js';
import { isSessionEnded } from '../../protocol/statuses.js';

/** How `sessions list` shows a session an earlier command left in flight in the embedded database. */
export const INTERRUPTED = 'interrupted';

/**
 * The runners that still run. One of this machine (named `host:pid`, lib/runner/register-runner.ts) is
 * alive while its process is, whatever its lease says: a `run` killed with SIGKILL is gone at once.
 */
export function liveRunnerIds(runners: readonly RunnerView[], host: string = hostname()): Set<string> {
  const live = new Set<string>();
  for (const runner of runners) {
    if (runner.deregistered_at !== null) continue;
    const [name, pid] = runner.name.split(':');
    const here = runner.hostname === host && name === host && /^\d+$/.test(pid ?? '');
    if (here ? processExists(Number(pid)) : runner.status === 'online') live.add(runner.runner_id);
  }
  return live;
}

/**
 * Whether an in-flight session of the embedded database was left by a command that ended: no live
 * runner holds it, or (queued) none runs that could take it. Such work runs only when a user asks.
 */
export function isLeftBehind(session: SessionView, live: ReadonlySet<string>): boolean {
  if (isSessionEnded(session.status)) return false;
  if (session.status === 'running' && session.runner_id !== null) return !live.has(session.runner_id);
  return live.size === 0;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
