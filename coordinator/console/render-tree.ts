import { html } from 'hono/html';
import type { SessionTree, TreeNode, UsageTotals } from '../../protocol/tree.js';
import { totalTokens } from '../../protocol/tree.js';
import { duration, money, statusBadge } from './format.js';
import type { Html } from './layout.js';

/** A session's name in a tree: its agent, else its workflow, else its executor. */
export function nodeName(node: Pick<TreeNode, 'agent' | 'executor'> & { workflow?: unknown }): string {
  return node.agent ?? (typeof node.workflow === 'string' ? `workflow ${node.workflow}` : null) ?? node.executor ?? 'session';
}

/** Tokens as "12,345 tokens". */
export const tokens = (u: UsageTotals): string => `${totalTokens(u).toLocaleString('en-US')} tokens`;

/** One session of the tree and, nested below it, its children; the selected one marked `aria-current`. */
function renderNode(node: TreeNode, selected: string): Html {
  const isSelected = node.session_id === selected;
  const ownCost = money(node.totals.cost_usd);
  return html`<li data-session="${node.session_id}" data-status="${node.status}">
<div class="tree-node${isSelected ? ' selected' : ''}">${statusBadge(node.status)}
<a href="/sessions/${encodeURIComponent(node.session_id)}"${isSelected ? html` aria-current="true"` : ''}><span class="tree-name">${nodeName(node)}</span> <span class="muted mono">${node.session_id.slice(0, 12)}</span></a>
${node.waiting_for_input === true ? html`<a class="status status-waiting" href="/inbox">waits for input</a>` : ''}
<span class="tree-facts"><span class="hide-narrow">${node.runner_id === null ? '' : html`on <span class="mono">${node.runner_id.slice(0, 12)}</span> · `}</span>${node.duration_ms === null ? 'not started' : duration(node.duration_ms)} · ${ownCost}${node.descendants_count > 0 ? html` <span class="muted">(subtree ${money(node.tree_totals.cost_usd)})</span>` : ''}${node.runs > 1 ? ` · ${node.runs} runs` : ''}${node.attempts > node.runs ? ` · ${node.attempts - node.runs} retried` : ''}</span>
</div>
${node.children.length === 0 ? '' : html`<ul>${node.children.map((child) => renderNode(child, selected))}</ul>`}
${node.children_omitted > 0 ? html`<p class="muted tree-omitted">${node.children_omitted} more not shown</p>` : ''}
</li>`;
}

/**
 * A tree of sessions (`GET /v1/sessions/:id/tree` of its root) as a nested list: each session's status,
 * name, runner, duration and cost, linking to its page, `selected` highlighted; then the tree's totals.
 */
export function renderTree(tree: SessionTree, selected: string) {
  const t = tree.root.tree_totals;
  const state = tree.quiet ? 'quiet' : [tree.in_flight > 0 ? `${tree.in_flight} in flight` : '', tree.callbacks_waiting > 0 ? `${tree.callbacks_waiting} callbacks waiting` : '', (tree.questions_open ?? 0) > 0 ? `${tree.questions_open} questions open` : ''].filter(Boolean).join(' · ');
  return html`<ul class="tree" data-root="${tree.root_session_id}" data-in-flight="${tree.in_flight}">${renderNode(tree.root, selected)}</ul>
<p class="tree-totals">Tree: <strong>${tree.nodes}</strong> session${tree.nodes === 1 ? '' : 's'} · <strong>${money(t.cost_usd)}</strong> · ${tokens(t)} · ${state}${tree.truncated ? html` · <span class="muted">only the first ${tree.nodes} shown</span>` : ''}</p>`;
}
