import type { Hono } from 'hono';
import type { z } from 'zod';
import { DEFAULT_TREE_NODES, MAX_TREE_DEPTH } from '../../../protocol/limits.js';
import { type SessionTreeSchema, type TreeNode, TreeQuerySchema } from '../../../protocol/tree.js';
import { NotFoundError } from '../../store/store-errors.js';
import { describeRateLimitWait } from '../../../protocol/credential-profiles.js';
import type { TreeRead, TreeRecord } from '../../store/store.js';
import type { CoordinatorContext } from '../context.js';
import { readQuery } from '../validate.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** One session of a tree as the API shows it, without its children yet. */
function renderNode(r: TreeRecord, now: number): TreeNode {
  const s = r.session;
  return {
    session_id: s.id, parent_session_id: s.parent_session_id, depth: s.depth, agent: s.agent, executor: s.executor,
    status: s.status, runner_id: s.runner_id, created_at: new Date(s.created_at).toISOString(), started_at: iso(r.started_at),
    ended_at: iso(s.ended_at), duration_ms: r.started_at === null ? null : Math.max(0, (s.ended_at ?? now) - r.started_at),
    attempts: r.attempts, runs: r.runs, last_event_seq: s.event_seq, totals: s.totals, tree_totals: s.tree_totals,
    children_count: s.children, descendants_count: s.descendants, children_omitted: s.children, children: [],
    waiting_for_input: s.open_questions > 0,
    rate_limit_wait: describeRateLimitWait(s, now),
    // A workflow's root (its engine's session): named by its workflow (its prompt is `workflow NAME`).
    ...(s.workflow_run_id !== null && s.executor === null ? { workflow_run_id: s.workflow_run_id, workflow: s.prompt.replace(/^workflow /, '') } : {}),
  };
}

/** The read subtree as nested nodes (each node's children in creation order). Pure. */
export function renderTree(read: TreeRead, rootId: string, now: number): z.input<typeof SessionTreeSchema> {
  const byId = new Map<string, TreeNode>();
  for (const record of read.nodes) {
    const node = renderNode(record, now);
    byId.set(node.session_id, node);
    const parent = node.parent_session_id === null ? undefined : byId.get(node.parent_session_id);
    if (parent !== undefined && node.session_id !== read.nodes[0]!.session.id) {
      parent.children.push(node);
      parent.children_omitted -= 1;
    }
  }
  const top = byId.get(read.nodes[0]!.session.id)!;
  return { root: top, root_session_id: rootId, nodes: read.nodes.length, truncated: read.truncated, in_flight: read.in_flight, callbacks_waiting: read.callbacks_waiting, questions_open: read.questions_open, quiet: read.in_flight === 0 && read.callbacks_waiting === 0 && read.questions_open === 0 };
}

/** `GET /v1/sessions/:id/tree`: the subtree under a session, depth- and node-limited. */
export function mountSessionTreeRoutes(app: Hono, ctx: CoordinatorContext): void {
  app.get('/v1/sessions/:id/tree', async (c) => {
    const q = readQuery(c, TreeQuerySchema);
    const top = await ctx.store.getSession(c.req.param('id'));
    if (top === null) throw new NotFoundError('session', c.req.param('id'));
    const read = await ctx.store.readSessionTree(top, q.depth ?? MAX_TREE_DEPTH, q.limit ?? DEFAULT_TREE_NODES);
    return c.json(renderTree(read, top.root_session_id, Date.now()));
  });
}
