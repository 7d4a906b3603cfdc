import { describe, expect, it } from 'vitest';
import { ZERO_USAGE, type SessionTree, type TreeNode } from '../../protocol/tree.js';
import { renderTree } from './render-tree.js';

const HOSTILE = '<img src=x onerror=alert(1)>"\'&';

function node(id: string, extra: Partial<TreeNode> = {}, children: TreeNode[] = []): TreeNode {
  return {
    session_id: id, parent_session_id: null, depth: 0, agent: null, executor: 'scripted', status: 'running', runner_id: 'rnr_1', created_at: '2026-12-02T06:00:00.000Z',
    started_at: '2026-12-02T06:00:01.000Z', ended_at: null, duration_ms: 1500, attempts: 1, runs: 1, last_event_seq: 3, totals: { ...ZERO_USAGE, cost_usd: 0.01 },
    tree_totals: { ...ZERO_USAGE, cost_usd: 0.03, input_tokens: 1000 }, children_count: children.length, descendants_count: children.length, children_omitted: 0, children, ...extra,
  };
}

const tree = (root: TreeNode, extra: Partial<SessionTree> = {}): SessionTree => ({ root, root_session_id: root.session_id, nodes: 3, truncated: false, in_flight: 2, callbacks_waiting: 0, questions_open: 0, quiet: false, ...extra });

describe('the session page’s tree', () => {
  it('nests children under their parent, marks the selected one, and sums up the tree', async () => {
    const grandchild = node('ses_c', { depth: 2, status: 'idle', executor: HOSTILE, runs: 2, attempts: 3 });
    const child = node('ses_b', { depth: 1, agent: 'reviewer', children_omitted: 4 }, [grandchild]);
    const out = String(await renderTree(tree(node('ses_a', {}, [child])), 'ses_b'));
    expect(out).toMatch(/<li data-session="ses_a"[^]*<ul><li data-session="ses_b"[^]*<ul><li data-session="ses_c" data-status="idle">/);
    expect(out.match(/class="tree-node selected"/g)).toHaveLength(1);
    expect(out).toMatch(/class="tree-node selected">[^]*href="\/sessions\/ses_b" aria-current="true"/);
    expect(out).toContain('4 more not shown');
    expect(out).toContain('2 runs · 1 retried');
    expect(out).toContain('Tree: <strong>3</strong> sessions · <strong>$0.0300</strong> · 1,000 tokens · 2 in flight');
  });

  it('escapes names (an executor is any string) and says when the tree was cut or is quiet', async () => {
    const out = String(await renderTree(tree(node('ses_a', { executor: HOSTILE, duration_ms: null }), { nodes: 1, truncated: true, in_flight: 0, quiet: true }), 'ses_a'));
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
    expect(out).toContain('not started');
    expect(out).toContain('quiet · <span class="muted">only the first 1 shown</span>');
  });
});
