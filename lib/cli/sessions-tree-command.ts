import type { SessionEvent } from '../../protocol/events.js';
import type { SessionTree } from '../../protocol/tree.js';
import { followTreeUntilQuiet } from '../client/follow-tree.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { renderSessionEvent } from './render-session-event.js';
import { renderTree, renderTreeEvent, walkTree } from './render-tree.js';
import { makeStyle } from './style.js';
import { type ClientOptions, withConnection } from './with-connection.js';
import { interleaveEvents } from '../events/interleave-events.js';
import { MAX_TREE_NODES } from '../../protocol/limits.js';

/** Whether an event may change what the tree shows (a status, spending, a session created, a question asked or closed). */
const changesTree = (e: SessionEvent) => e.type === 'run_status' || e.type === 'usage' || e.type === 'question' || e.type === 'answer';

/** Stop on Ctrl-C or SIGTERM: the returned signal aborts, and `dispose` stops listening. */
function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return { signal: controller.signal, dispose: () => (process.off('SIGINT', stop), process.off('SIGTERM', stop)) };
}

/** `sessions tree ID [--follow] [--json] [--depth N]`: the tree under a session; live until it is quiet with --follow. */
export async function sessionTreeCommand(id: string, options: ClientOptions & { follow?: boolean; depth?: string }): Promise<number> {
  const depth = options.depth === undefined ? undefined : Number(options.depth);
  if (depth !== undefined && (!Number.isInteger(depth) || depth < 0)) throw new CliError(`--depth: "${options.depth}" must be a whole number of 0 or more`, EXIT_USAGE);
  return withConnection(options, false, async ({ api }) => {
    const out = process.stdout;
    const style = makeStyle(out);
    if (!options.follow) {
      const tree = await api.getTree(id, { depth });
      out.write(options.json ? `${JSON.stringify(tree, null, 2)}\n` : renderTree(tree, style));
      return 0;
    }
    // On a terminal the tree is redrawn in place; otherwise each change prints it again (JSON: one line each).
    let drawn = 0;
    const show = (tree: SessionTree) => {
      if (options.json) return void out.write(`${JSON.stringify(tree)}\n`);
      const text = renderTree(tree, style);
      if (out.isTTY === true && drawn > 0) out.write(`\u001b[${drawn}F\u001b[J`);
      else if (drawn > 0) out.write('\n');
      out.write(text);
      drawn = text.split('\n').length - 1;
    };
    const interrupt = interruptSignal();
    try {
      const last = await followTreeUntilQuiet(api, id, interrupt.signal, { onTree: show, refreshOn: changesTree, query: { depth } });
      return last === null ? 130 : 0;
    } finally {
      interrupt.dispose();
    }
  });
}

/**
 * `sessions events ID --tree [--follow]`: every event of the tree, each line prefixed with its session and
 * indented by depth. Without --follow, what is stored now (each session's events, interleaved by time).
 */
export async function treeEventsCommand(id: string, options: ClientOptions & { follow?: boolean }): Promise<number> {
  return withConnection(options, false, async ({ api }) => {
    const style = makeStyle(process.stdout);
    const print = (e: SessionEvent) =>
      process.stdout.write(options.json ? `${JSON.stringify(e)}\n` : `${renderTreeEvent(e, renderSessionEvent(e, style).trimStart(), style)}\n`);
    if (options.follow) {
      const interrupt = interruptSignal();
      try {
        for await (const e of api.followTreeEvents(id, interrupt.signal, { failFast: true })) print(e);
      } finally {
        interrupt.dispose();
      }
      return 0;
    }
    const tree = await api.getTree(id, { limit: MAX_TREE_NODES });
    const lists: SessionEvent[][] = [];
    for (const node of walkTree(tree.root)) {
      const list: SessionEvent[] = [];
      for (let after = 0; ; ) {
        const page = await api.eventsPage(node.session_id, after);
        for (const e of page.events) list.push({ ...e, depth: node.depth - tree.root.depth, agent: node.agent, executor: node.executor, parent_session_id: node.parent_session_id });
        if (page.events.length === 0) break;
        after = page.next_after;
      }
      lists.push(list);
    }
    interleaveEvents(lists).forEach(print);
    if (tree.truncated && !options.json) process.stderr.write(`only the first ${tree.nodes} sessions of the tree are shown\n`);
    return 0;
  });
}
