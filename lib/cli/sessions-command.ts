import { CliError, EXIT_USAGE } from './cli-error.js';
import { renderSessionEvent } from './render-session-event.js';
import { RunInterrupts } from './run-interrupts.js';
import { makeStyle } from './style.js';
import { type ClientOptions, withConnection } from './with-connection.js';

export type SessionsOptions = ClientOptions;

/** `sessions events ID [--follow]`: every stored event; with --follow, then live ones until Ctrl-C. */
export async function sessionEventsCommand(id: string, options: SessionsOptions & { follow?: boolean; after?: string; tree?: boolean }): Promise<number> {
  if (options.tree === true) {
    if (options.after !== undefined) throw new CliError('--after applies to one session\'s events; --tree shows the whole tree from its start', EXIT_USAGE);
    const { treeEventsCommand } = await import('./sessions-tree-command.js');
    return treeEventsCommand(id, options);
  }
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
      for await (const e of api.followEvents(id, after, controller.signal, { failFast: true })) print(e);
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
      () => interrupts.count > 0,
    );
  } finally {
    interrupts.dispose();
  }
}
