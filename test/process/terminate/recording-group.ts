import type { ProcessGroup } from '../../../lib/process/process-group.js';

/**
 * A process group that exists only on paper: it records the signals it is sent, and `running` / `alive`
 * say what kill(2) and /proc would answer. The real group is covered by test/process/spawn-executor.test.ts.
 */
export class RecordingGroup implements ProcessGroup {
  readonly signals: NodeJS.Signals[] = [];
  /** A process of the group still runs. */
  running = true;
  /** A process of the group still exists (running, or a zombie not yet reaped). */
  alive = true;
  /** Whether ProcessGroup.forget was called. */
  forgotten = false;
  /** Whether SIGTERM ends the group (an executor that ignores it does not). */
  endsOnSigterm = false;

  signal(signal: NodeJS.Signals): boolean {
    if (!this.alive) return false;
    this.signals.push(signal);
    if (signal === 'SIGKILL' || (signal === 'SIGTERM' && this.endsOnSigterm)) this.running = this.alive = false;
    return true;
  }

  isAlive(): boolean {
    return this.alive;
  }

  hasRunningProcess(): boolean {
    return this.running;
  }

  forget(): void {
    this.forgotten = true;
  }
}
