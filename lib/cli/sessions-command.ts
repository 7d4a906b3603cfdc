import type { UserApi } from '../client/user-api.js';
import type { SessionView } from '../../protocol/sessions.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { connectCoordinator, type Connection } from './connect-coordinator.js';
import { renderSessionEvent } from './render-session-event.js';
import { RunInterrupts } from './run-interrupts.js';
import { INTERRUPTED, isLeftBehind, liveRunnerIds } from './left-behind.js';
import { makeStyle } from './style.js';
import { terminalText } from './terminal-text.js';

export interface SessionsOptions {
  coordinatorUrl?: string;
  executorsDir?: string[];
  json?: boolean;
  verbose?: boolean;
}

async function withConnection<T>(options: SessionsOptions, withRunner: boolean, use: (c: Connection) => Promise<T>, interrupts?: RunInterrupts): Promise<T> {
  // Made (and pino loaded) only when a coordinator is started in this process.
  const logger = async () => (await import('./command-logger.js')).commandLogger(options.verbose);
  const connection = await connectCoordinator({ coordinatorUrl: options.coordinatorUrl, withRunner, executorsDir: options.executorsDir, cwd: process.cwd(), logger });
  try {
    return await use(connection);
  } finally {
    await connection.close({ cancelRuns: (interrupts?.count ?? 0) > 0 });
  }
}

const oneLine = (text: string, max: number) => {
  const flat = terminalText(text.replace(/\s+/g, ' ').trim());
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** `sessions list`: newest first, a page at a time. */
export async function listSessionsCommand(options: SessionsOptions & { status?: string; limit?: string; cursor?: string }): Promise<number> {
  const limit = options.limit === undefined ? 20 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError(`--limit: "${options.limit}" must be a whole number from 1 to 1000`, EXIT_USAGE);
  return withConnection(options, false, async ({ api, embedded }) => {
    const page = await api.listSessions({ status: options.status, limit, cursor: options.cursor });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
      return 0;
    }
    const style = makeStyle(process.stdout);
    if (page.sessions.length === 0) {
      process.stdout.write('No sessions.\n');
      return 0;
    }
    // Only the embedded database holds work nobody serves: a coordinator of its own has its runners.
    const live = embedded ? liveRunnerIds((await api.listRunners()).runners) : undefined;
    const leftBehind = (s: SessionView) => live !== undefined && isLeftBehind(s, live);
    const rows = page.sessions.map((s) => [s.session_id, leftBehind(s) ? INTERRUPTED : s.status, terminalText(s.agent ?? s.executor ?? '-'), s.created_at.replace('T', ' ').slice(0, 19), oneLine(s.prompt, 50)]);
    const header = ['SESSION', 'STATUS', 'AGENT/EXECUTOR', 'CREATED', 'PROMPT'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const pad = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
    process.stdout.write(`${style.bold(pad(header))}\n${rows.map(pad).join('\n')}\n`);
    if (page.sessions.some(leftBehind)) {
      process.stdout.write(`${INTERRUPTED}: left by an earlier command that ended; continue it with \`agent-runner sessions resume ID PROMPT\`, or end it with \`agent-runner sessions stop ID\`\n`);
    }
    if (page.next_cursor !== null) process.stdout.write(style.dim(`more: agent-runner sessions list --cursor ${page.next_cursor}\n`));
    return 0;
  });
}

/** `sessions show`: one field a line; every value passes through terminalText (results are the executor's words). */
function describeSession(s: SessionView): string {
  const indent = ' '.repeat(12);
  const field = (name: string, value: string) => `${name.padEnd(12)}${terminalText(value)}`;
  const result = s.result === null ? '-' : (s.result.result_text ?? JSON.stringify(s.result.result_data));
  const lines = [
    field('session', s.session_id),
    field('status', s.status),
    field('agent', s.agent ?? '-'),
    field('executor', s.executor ?? '-'),
    field('project', s.project_dir ?? '-'),
    field('parent', s.parent_session_id ?? '-'),
    field('runner', s.runner_id ?? '-'),
    field('created', s.created_at),
    field('ended', s.ended_at ?? '-'),
    `prompt      ${oneLine(s.prompt, 200)}`,
    `result      ${terminalText(result, { lines: true }).split('\n').join(`\n${indent}`)}`,
  ];
  if (s.usage !== null) lines.push(`usage       ${JSON.stringify(s.usage)}`);
  return `${lines.join('\n')}\n`;
}

/** `sessions show ID`. */
export async function showSessionCommand(id: string, options: SessionsOptions): Promise<number> {
  return withConnection(options, false, async ({ api }) => {
    const session = await api.getSession(id);
    process.stdout.write(options.json ? `${JSON.stringify(session, null, 2)}\n` : describeSession(session));
    return 0;
  });
}

/** `sessions events ID [--follow]`: every stored event; with --follow, then live ones until Ctrl-C. */
export async function sessionEventsCommand(id: string, options: SessionsOptions & { follow?: boolean; after?: string }): Promise<number> {
  const after = options.after === undefined ? 0 : Number(options.after);
  if (!Number.isInteger(after) || after < 0) throw new CliError(`--after: "${options.after}" must be a whole number of 0 or more`, EXIT_USAGE);
  return withConnection(options, false, async ({ api }) => {
    const style = makeStyle(process.stdout);
    const print = (e: Parameters<typeof renderSessionEvent>[0]) =>
      process.stdout.write(options.json ? `${JSON.stringify(e)}\n` : `${String(e.seq).padStart(5)} ${renderSessionEvent(e, style).trimStart()}\n`);
    if (!options.follow) {
      let cursor = after;
      for (;;) {
        const page = await api.eventsPage(id, cursor);
        page.events.forEach(print);
        if (page.events.length === 0) return 0;
        cursor = page.next_after;
      }
    }
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      for await (const e of api.followEvents(id, after, controller.signal)) print(e);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return 0;
  });
}

/** `sessions resume ID PROMPT`: a new run on the session, streamed like `run`. */
export async function resumeSessionCommand(id: string, prompt: string, options: SessionsOptions & { detach?: boolean }): Promise<number> {
  const interrupts = new RunInterrupts();
  try {
    return await withConnection(
      options,
      true,
      async (connection) => {
        const { api, embedded } = connection;
        if (options.detach && embedded) throw new CliError('--detach needs a coordinator that outlives this command (start `agent-runner` first)', EXIT_USAGE);
        const before = await api.getSession(id);
        connection.serveTree(id);
        const resumed = await api.resumeSession(id, prompt);
        if (options.detach) {
          process.stdout.write(options.json ? `${JSON.stringify(resumed)}\n` : `${resumed.run_id}\n`);
          return 0;
        }
        const { streamRun } = await import('./run-command.js');
        return streamRun(connection, interrupts, id, resumed.run_id, before.last_event_seq ?? 0, options.json ?? false);
      },
      interrupts,
    );
  } finally {
    interrupts.dispose();
  }
}

/**
 * `sessions stop ID [--no-cascade]`: cancel its run in flight and its descendants' (each runner gets
 * SIGTERM → grace → SIGKILL to the group); a tree over the coordinator's per-request maximum is stopped page by page.
 */
export async function stopSessionCommand(id: string, options: SessionsOptions & { cascade?: boolean }): Promise<number> {
  return withConnection(options, false, async ({ api }: { api: UserApi }) => {
    const cascade = options.cascade ?? true;
    const first = await api.stopSession(id, { cascade });
    const descendants = [...first.descendants];
    // Each page stops the next descendants still in flight, so one with none new is the end.
    for (let page = first; page.more_descendants && page.descendants.length > 0; ) {
      page = await api.stopSession(id, { cascade });
      descendants.push(...page.descendants);
    }
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ ...first, descendants, more_descendants: false })}\n`);
      return 0;
    }
    process.stdout.write(`${first.session_id}: ${first.status} (run ${first.run.run_id}: ${first.run.status})\n`);
    for (const d of descendants) process.stdout.write(`  descendant ${d.session_id}: ${d.stop_requested ? 'stopping' : d.run_status} (run ${d.run_id})\n`);
    return 0;
  });
}
