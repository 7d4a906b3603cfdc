import type { SessionStopped } from '../../protocol/sessions.js';
import { isSessionEnded, isTerminalRunStatus } from '../../protocol/statuses.js';
import { makeStyle } from './style.js';
import { readTimeout } from './sessions-wait-command.js';
import { EXIT_WAIT_INTERRUPTED, EXIT_WAIT_TIMEOUT, waitForSessions } from './wait-for-sessions.js';
import { type ClientOptions, withConnection } from './with-connection.js';

export interface StopOptions extends ClientOptions {
  cascade?: boolean;
  wait?: boolean;
  timeout?: string;
}

/** What happened to the session's own run: ended already (before the stop), cancelled at once, or its runner was asked. */
function describeStop(stopped: SessionStopped, endedBefore: boolean): string {
  const { run } = stopped;
  if (endedBefore) return `${stopped.session_id} had already ended: ${stopped.status} (run ${run.run_id} ${run.status}); nothing to stop`;
  if (run.stop_requested && !isTerminalRunStatus(run.status)) {
    return `stop requested: ${stopped.session_id} (run ${run.run_id} is ${run.status}${run.runner_id === null ? '' : ` on ${run.runner_id}`}; its runner cancels it: SIGTERM, grace, SIGKILL)`;
  }
  return `stop requested: ${stopped.session_id} is ${stopped.status} (run ${run.run_id} ${run.status})`;
}

/**
 * `sessions stop ID [--no-cascade] [--wait [--timeout D]]`: cancel its run in flight and its descendants'
 * (each runner gets SIGTERM → grace → SIGKILL to the group); a tree over the coordinator's per-request
 * maximum is stopped page by page. With `--wait`, wait until the session and every descendant it stopped
 * have ended (exit 0; 124 when `--timeout` passes first, 130 on Ctrl-C).
 */
export async function stopSessionCommand(id: string, options: StopOptions): Promise<number> {
  const timeoutMs = readTimeout(options.timeout);
  return withConnection(options, false, async (connection) => {
    const { api } = connection;
    const cascade = options.cascade ?? true;
    // A stop of an ended session changes nothing but its descendants: say so rather than "stop requested".
    const endedBefore = isSessionEnded((await api.getSession(id)).status);
    const first = await api.stopSession(id, { cascade });
    const descendants = [...first.descendants];
    // Each page stops the next descendants still in flight, so one with none new is the end.
    for (let page = first; page.more_descendants && page.descendants.length > 0; ) {
      page = await api.stopSession(id, { cascade });
      descendants.push(...page.descendants);
    }
    const style = makeStyle(process.stdout);
    if (!options.json) {
      process.stdout.write(`${describeStop(first, endedBefore)}\n`);
      for (const d of descendants) process.stdout.write(`  descendant ${d.session_id}: ${d.stop_requested ? 'stop requested' : d.run_status} (run ${d.run_id})\n`);
    }
    const summary = { ...first, descendants, more_descendants: false };
    if (!options.wait) {
      if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      return 0;
    }
    const ids = [id, ...descendants.map((d) => d.session_id)];
    const { end, views } = await waitForSessions(connection, ids, timeoutMs);
    if (options.json) process.stdout.write(`${JSON.stringify({ ...summary, ended: end === 'ended', final_status: views[0]?.status ?? first.status })}\n`);
    if (end !== 'ended') {
      const waiting = views.find((v) => !isSessionEnded(v.status));
      process.stderr.write(`agent-runner: ${waiting?.session_id ?? id} is still ${waiting?.status ?? 'in flight'}${end === 'timeout' ? ` after ${options.timeout} (--timeout)` : '; stopped waiting'}\n`);
      return end === 'timeout' ? EXIT_WAIT_TIMEOUT : EXIT_WAIT_INTERRUPTED;
    }
    const tail = descendants.length === 0 ? '' : ` (and ${descendants.length} descendant${descendants.length === 1 ? '' : 's'})`;
    if (!options.json) process.stdout.write(style.green(`✔ ${id} ended: ${views[0]?.status ?? first.status}${tail}\n`));
    return 0;
  });
}
