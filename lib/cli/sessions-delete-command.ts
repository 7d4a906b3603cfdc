import { parseAge } from '../../protocol/duration.js';
import { ENDED_SESSION_STATUSES, SESSION_STATUSES } from '../../protocol/statuses.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { terminalText } from './terminal-text.js';
import { type ClientOptions, withConnection } from './with-connection.js';

/**
 * `sessions delete ID`: delete an ended session with its descendants, their runs and events. The
 * coordinator refuses (exit 1, naming the session and its state) while any of them is in flight.
 */
export async function deleteSessionCommand(id: string, options: ClientOptions): Promise<number> {
  return withConnection(options, false, async ({ api }) => {
    const deleted = await api.deleteSession(id);
    if (options.json) process.stdout.write(`${JSON.stringify(deleted)}\n`);
    else {
      const others = deleted.deleted - 1;
      process.stdout.write(`deleted ${deleted.session_id}${others > 0 ? ` and ${others} descendant${others === 1 ? '' : 's'}` : ''}\n`);
    }
    return 0;
  });
}

/** `--status a,b` of prune (repeatable): ended states only, each error naming the flag. */
type EndedStatus = (typeof ENDED_SESSION_STATUSES)[number];
const isEnded = (status: string): status is EndedStatus => (ENDED_SESSION_STATUSES as readonly string[]).includes(status);

function readEndedStatuses(values: readonly string[]): EndedStatus[] | undefined {
  const statuses = values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  if (values.length > 0 && statuses.length === 0) throw new CliError('--status: name at least one status (idle, failed, cancelled)', EXIT_USAGE);
  const ended: EndedStatus[] = [];
  for (const status of statuses) {
    if (isEnded(status)) {
      if (!ended.includes(status)) ended.push(status);
      continue;
    }
    const why = (SESSION_STATUSES as readonly string[]).includes(status) ? `${status} sessions are in flight` : `"${terminalText(status)}" is not a session status`;
    throw new CliError(`--status: ${why}; prune deletes only ended sessions: ${ENDED_SESSION_STATUSES.join(', ')}`, EXIT_USAGE);
  }
  return ended.length === 0 ? undefined : ended;
}

/**
 * `sessions prune --older-than AGE [--status S,…]`: delete the sessions that ended at least AGE ago (in those
 * states; default any ended one) with their runs and events, batch after batch until none is left. A session
 * stays while one of its descendants does not match (in flight, younger, another state).
 */
export async function pruneSessionsCommand(options: ClientOptions & { olderThan: string; status?: string[] }): Promise<number> {
  let olderThanS: number;
  try {
    olderThanS = parseAge(options.olderThan, '--older-than');
  } catch (error) {
    throw new CliError(terminalText((error as Error).message), EXIT_USAGE);
  }
  const status = readEndedStatuses(options.status ?? []);
  return withConnection(options, false, async ({ api }) => {
    let deleted = 0;
    for (;;) {
      const batch = await api.pruneSessions({ older_than_s: olderThanS, ...(status === undefined ? {} : { status }) });
      deleted += batch.deleted;
      if (!batch.more || batch.deleted === 0) break;
    }
    if (options.json) process.stdout.write(`${JSON.stringify({ deleted })}\n`);
    else {
      const which = status === undefined ? 'ended' : status.join(' or ');
      const when = olderThanS === 0 ? '' : ` more than ${terminalText(options.olderThan.trim())} ago`;
      process.stdout.write(`pruned ${deleted} session${deleted === 1 ? '' : 's'} (${which}${when})\n`);
    }
    return 0;
  });
}
