import type { SessionEvent } from '../../protocol/events.js';
import type { SessionTree, TreeNode } from '../../protocol/tree.js';
import type { UserApi } from './user-api.js';

export interface TreeFollow {
  /** Each event of the tree, once, as it comes. */
  onEvent?: (event: SessionEvent) => void;
  /** The tree as fetched (first at once, then after each event `refreshOn` picks). */
  onTree?: (tree: SessionTree) => void;
  /** Which events may change the tree (fetch it again after them); default: run status changes. */
  refreshOn?: (event: SessionEvent) => boolean;
  /** The tree query (`depth`, `limit`). */
  query?: { depth?: number; limit?: number };
}

function* nodes(node: TreeNode): Generator<TreeNode> {
  yield node;
  for (const child of node.children) yield* nodes(child);
}

/**
 * Follow the tree under a session until it is quiet (nothing queued or running, no callback waiting, no question open) and
 * every event of it has been seen, or until `signal` aborts. The tree is fetched at once and again after
 * each event that may change it (one fetch at a time, one more if something came meanwhile); once a fetch
 * says quiet, the follow ends as soon as the stream has delivered each session's last event (the tree
 * names it), so no line of the tree's end is cut off.
 * @returns the quiet tree, or null when `signal` aborted first. @throws what the stream or a fetch threw.
 */
export async function followTreeUntilQuiet(api: UserApi, id: string, signal: AbortSignal, follow: TreeFollow = {}): Promise<SessionTree | null> {
  const inner = new AbortController();
  const abort = () => inner.abort();
  signal.addEventListener('abort', abort, { once: true });
  // A question's answer may end the tree's last wait (a question cancelled by a stop, after its runs ended).
  const refreshOn = follow.refreshOn ?? ((e: SessionEvent) => e.type === 'run_status' || e.type === 'answer');
  const seen = new Map<string, number>();
  /** Each session's last seq in a quiet tree: the follow ends when all were seen. */
  let target: { tree: SessionTree; seqs: Map<string, number> } | null = null;
  let ended: SessionTree | null = null;
  let failure: unknown = null;
  const finishIfCaughtUp = () => {
    if (target === null || ended !== null) return;
    for (const [session, seq] of target.seqs) if ((seen.get(session) ?? 0) < seq) return;
    ended = target.tree;
    inner.abort();
  };
  let fetching = false;
  let again = false;
  const refresh = (): void => {
    if (fetching) return void (again = true);
    fetching = true;
    void (async () => {
      try {
        do {
          again = false;
          const tree = await api.getTree(id, follow.query);
          if (inner.signal.aborted) return;
          follow.onTree?.(tree);
          target = tree.quiet ? { tree, seqs: new Map([...nodes(tree.root)].map((n) => [n.session_id, n.last_event_seq])) } : null;
          finishIfCaughtUp();
        } while (again && !inner.signal.aborted);
      } catch (error) {
        if (!inner.signal.aborted) (failure = error), inner.abort();
      } finally {
        fetching = false;
      }
    })();
  };
  try {
    refresh();
    try {
      for await (const event of api.followTreeEvents(id, inner.signal, { failFast: true })) {
        seen.set(event.session_id, event.seq);
        follow.onEvent?.(event);
        if (refreshOn(event)) refresh();
        finishIfCaughtUp();
      }
    } catch (error) {
      if (!inner.signal.aborted) throw error;
    }
    if (failure !== null) throw failure instanceof Error ? failure : new Error(String(failure));
    return ended;
  } finally {
    signal.removeEventListener('abort', abort);
    inner.abort();
  }
}
