import type { SessionTree, TreeNode } from '../../protocol/tree.js';
import type { SessionStatus } from '../../protocol/statuses.js';
import { formatCount, formatDuration } from './format-values.js';
import type { Style } from './style.js';
import { terminalText } from './terminal-text.js';

/** A session's status as one glyph, coloured. */
export function statusIcon(status: SessionStatus, style: Style): string {
  switch (status) {
    case 'queued':
      return style.dim('◌');
    case 'running':
      return style.cyan('●');
    case 'idle':
      return style.green('✔');
    case 'failed':
      return style.red('✘');
    case 'cancelled':
      return style.yellow('⊘');
  }
}

/** The short form of a session id for a prefix (`ses_3f9a2c`). */
export const shortId = (id: string): string => (id.length > 10 ? id.slice(0, 10) : id);

/** A session's name on a line: its agent, else its executor, and its short id. */
export function nodeName(node: Pick<TreeNode, 'agent' | 'executor' | 'session_id'> & { workflow?: unknown }): string {
  const workflow = typeof node.workflow === 'string' ? `workflow ${node.workflow}` : null;
  return terminalText(`${node.agent ?? node.executor ?? workflow ?? 'session'} ${shortId(node.session_id)}`);
}

const cost = (usd: number): string => `$${usd.toFixed(4)}`;

/** Every node of the tree, depth first in child order. */
export function* walkTree(node: TreeNode): Generator<TreeNode> {
  yield node;
  for (const child of node.children) yield* walkTree(child);
}

/**
 * The tree as indented lines (`sessions tree`): icon, agent and short id, status, duration, own cost and,
 * for a session with descendants, its subtree's; children left out by the limits said as `… N more`; then
 * a total line. Pure (`now` for nothing: durations come from the coordinator).
 */
export function renderTree(tree: SessionTree, style: Style): string {
  const lines: string[] = [];
  const visit = (node: TreeNode, prefix: string, isLast: boolean, top: boolean) => {
    const branch = top ? '' : isLast ? '└─ ' : '├─ ';
    const duration = node.duration_ms === null ? '' : ` ${formatDuration(node.duration_ms)}`;
    const attempts = node.attempts > node.runs ? style.yellow(` ${node.attempts - node.runs} retr${node.attempts - node.runs === 1 ? 'y' : 'ies'}`) : '';
    const spend = node.descendants_count > 0 ? `${cost(node.totals.cost_usd)} (tree ${cost(node.tree_totals.cost_usd)})` : cost(node.totals.cost_usd);
    const status =
      node.waiting_for_input === true ? style.yellow('waiting_for_input')
      : (node.rate_limit_wait ?? null) !== null ? `${node.status}, ${style.yellow(terminalText(node.rate_limit_wait!))}`
      : node.status;
    lines.push(`${prefix}${branch}${statusIcon(node.status, style)} ${style.bold(nodeName(node))} ${status}${duration}${attempts} ${style.dim(spend)}`);
    const childPrefix = top ? '' : `${prefix}${isLast ? '   ' : '│  '}`;
    node.children.forEach((child, i) => visit(child, childPrefix, i === node.children.length - 1 && node.children_omitted === 0, false));
    if (node.children_omitted > 0) lines.push(style.dim(`${childPrefix}└─ … ${node.children_omitted} more`));
  };
  visit(tree.root, '', true, true);
  lines.push(treeTotalLine(tree, style));
  return `${lines.join('\n')}\n`;
}

/** `12 sessions · 2 running · 1 queued · 1 failed · $0.0421 (4,210 tokens)`: counts over the nodes shown, spending over the whole tree. */
export function treeTotalLine(tree: SessionTree, style: Style): string {
  const counts = new Map<SessionStatus, number>();
  for (const node of walkTree(tree.root)) counts.set(node.status, (counts.get(node.status) ?? 0) + 1);
  const total = tree.root.descendants_count + 1;
  const parts = [`${total} session${total === 1 ? '' : 's'}`];
  for (const status of ['running', 'queued', 'failed', 'cancelled'] as const) {
    const n = counts.get(status) ?? 0;
    if (n > 0) parts.push(`${n} ${status}`);
  }
  const waiting = [...walkTree(tree.root)].filter((n) => n.waiting_for_input === true).length;
  if (waiting > 0) parts.push(`${waiting} waiting for input`);
  if (tree.truncated) parts.push(`${tree.nodes} shown`);
  const t = tree.root.tree_totals;
  const tokens = t.input_tokens + t.output_tokens + t.cache_read_input_tokens + t.cache_creation_input_tokens;
  parts.push(`${cost(t.cost_usd)} (${formatCount(tokens)} tokens)`);
  if (tree.quiet) parts.push('quiet');
  return style.dim(`total: ${parts.join(' · ')}`);
}

/**
 * One event of a tree stream as a line: indented by its session's depth and prefixed with the session's
 * agent and short id. With `plainTop`, the top session's own lines are left as `run` prints a single
 * session's (unprefixed), so only children stand out.
 */
export function renderTreeEvent(
  event: { session_id: string; depth?: number | undefined; agent?: string | null | undefined; executor?: string | null | undefined },
  line: string,
  style: Style,
  options: { plainTop?: boolean } = {},
): string {
  const depth = event.depth ?? 0;
  if (depth === 0 && options.plainTop === true) return line;
  const name = terminalText(`${event.agent ?? event.executor ?? 'session'} ${shortId(event.session_id)}`);
  return `${'  '.repeat(depth)}${style.cyan(name)}${line.startsWith('  ') ? line : ` ${line}`}`;
}
