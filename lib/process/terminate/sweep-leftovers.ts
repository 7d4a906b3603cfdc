import type { ProcessGroup } from '../process-group.js';
import type { GracefulKill } from './graceful-kill.js';

/**
 * After an executor exited on its own, whatever it left running in its group is an orphan: ask it to go,
 * and force it after the grace. @returns whether anything was left running.
 */
export function sweepLeftovers(group: ProcessGroup, kill: GracefulKill): boolean {
  if (!group.hasRunningProcess()) return false;
  kill.start();
  return true;
}
