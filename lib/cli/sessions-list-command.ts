import { MAX_SESSION_SEARCH_CHARS, type SessionView } from '../../protocol/sessions.js';
import { SESSION_STATUSES } from '../../protocol/statuses.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { formatDuration, formatTime, formatTotalCost, renderTable } from './format-values.js';
import { INTERRUPTED, isLeftBehind, liveRunnerIds } from './left-behind.js';
import { makeStyle } from './style.js';
import { terminalText } from './terminal-text.js';
import { type ClientOptions, withConnection } from './with-connection.js';

/** Sessions per page of `sessions list` unless `--limit` says otherwise. */
export const DEFAULT_LIST_LIMIT = 20;
/** Width of the PROMPT column when stdout is not a terminal (on one, the rest of its width, at least half this). */
const PROMPT_WIDTH = 50;

export interface ListSessionsOptions extends ClientOptions {
  status?: string;
  agent?: string;
  parent?: string;
  root?: string;
  executor?: string;
  search?: string;
  limit?: string;
  cursor?: string;
}

/** The flags, checked before any connection: each error names its flag. */
function readFilters(options: ListSessionsOptions) {
  const limit = options.limit === undefined ? DEFAULT_LIST_LIMIT : Number(options.limit);
  if (!/^\d+$/.test(options.limit ?? '20') || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new CliError(`--limit: "${options.limit}" must be a whole number from 1 to 1000`, EXIT_USAGE);
  }
  if (options.status !== undefined && !(SESSION_STATUSES as readonly string[]).includes(options.status)) {
    throw new CliError(`--status: "${terminalText(options.status)}" is not a session status (one of ${SESSION_STATUSES.join(', ')})`, EXIT_USAGE);
  }
  for (const [flag, value] of [['--agent', options.agent], ['--parent', options.parent], ['--root', options.root], ['--executor', options.executor], ['--search', options.search], ['--cursor', options.cursor]] as const) {
    if (value !== undefined && value.trim() === '') throw new CliError(`${flag}: must not be empty`, EXIT_USAGE);
  }
  if (options.search !== undefined && options.search.length > MAX_SESSION_SEARCH_CHARS) {
    throw new CliError(`--search: longer than ${MAX_SESSION_SEARCH_CHARS} characters`, EXIT_USAGE);
  }
  return { status: options.status, agent: options.agent, parent: options.parent, root: options.root, executor: options.executor, q: options.search, cursor: options.cursor, limit };
}

const oneLine = (text: string, max: number) => {
  const flat = terminalText(text.replace(/\s+/g, ' ').trim());
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** A word as a shell reads it back: as it is when plain, else in single quotes. */
const shellWord = (word: string) => (/^[\w.:@/+=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/** The command that lists the next page with the same filters. */
function nextPageCommand(options: ListSessionsOptions, cursor: string): string {
  const words = ['agent-runner', 'sessions', 'list'];
  if (options.coordinatorUrl !== undefined) words.push('-c', options.coordinatorUrl);
  for (const [flag, value] of [['--status', options.status], ['--agent', options.agent], ['--parent', options.parent], ['--root', options.root], ['--executor', options.executor], ['--search', options.search], ['--limit', options.limit]] as const) {
    if (value !== undefined) words.push(flag, value);
  }
  words.push('--cursor', cursor);
  return terminalText(words.map(shellWord).join(' '));
}

/** How long a session has taken: from its creation to the end of its latest run, or until now while in flight. */
export function sessionDurationMs(s: SessionView, now = Date.now()): number {
  return (s.ended_at === null ? now : Date.parse(s.ended_at)) - Date.parse(s.created_at);
}

/** `sessions list`: newest first, a page at a time, filtered by status, agent, parent, root, executor and prompt text. */
export async function listSessionsCommand(options: ListSessionsOptions): Promise<number> {
  const query = readFilters(options);
  return withConnection(options, false, async ({ api, embedded }) => {
    const page = await api.listSessions(query);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
      return 0;
    }
    const style = makeStyle(process.stdout);
    if (page.sessions.length === 0) {
      // A search scans a bounded window of sessions: none matched in it, older ones may.
      if (page.next_cursor !== null) process.stdout.write(`No match among the sessions searched.\n${style.dim(`more: ${nextPageCommand(options, page.next_cursor)}\n`)}`);
      else process.stdout.write('No sessions.\n');
      return 0;
    }
    // Only the embedded database holds work nobody serves: a coordinator of its own has its runners.
    const live = embedded ? liveRunnerIds((await api.listRunners()).runners) : undefined;
    const leftBehind = (s: SessionView) => live !== undefined && isLeftBehind(s, live);
    const now = Date.now();
    const header = ['SESSION', 'STATUS', 'AGENT', 'EXECUTOR', 'PARENT', 'CREATED', 'DURATION', 'COST', 'PROMPT'];
    const rows = page.sessions.map((s) => [
      s.session_id,
      leftBehind(s) ? INTERRUPTED : s.waiting_for_input === true ? 'waiting_for_input' : s.status,
      terminalText(s.agent ?? '-'),
      terminalText(s.executor ?? '-'),
      s.parent_session_id ?? '-',
      formatTime(s.created_at),
      formatDuration(sessionDurationMs(s, now)),
      // The session's and its descendants' runs (a root's is its whole tree's).
      formatTotalCost(s.tree_totals),
      s.prompt,
    ]);
    const columns = process.stdout.isTTY === true ? process.stdout.columns : undefined;
    for (const row of rows) row[8] = oneLine(row[8]!, columns === undefined ? PROMPT_WIDTH : Infinity);
    process.stdout.write(renderTable(header, rows, style, { columns, minLast: PROMPT_WIDTH / 2 }));
    if (page.sessions.some(leftBehind)) {
      process.stdout.write(`${INTERRUPTED}: left by an earlier command that ended; continue it with \`agent-runner sessions resume ID PROMPT\`, or end it with \`agent-runner sessions stop ID\`\n`);
    }
    if (page.next_cursor !== null) process.stdout.write(style.dim(`more: ${nextPageCommand(options, page.next_cursor)}\n`));
    return 0;
  });
}
