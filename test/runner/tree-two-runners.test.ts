// The tree of agents end to end (issue 14), with real processes: a coordinator, runner A (the mcp-driver
// fixture, which starts children through the MCP endpoint as an orchestrating agent does, and the
// test-executor) and runner B (the claude-code executor on the fake `claude`). `agent-runner run` starts a
// root on A whose children start their own: three levels over two runners, in callback, sync and async
// mode. `run` shows the children and follows the callback resumes to the end; `sessions tree` and
// `sessions events --tree` show every node and every event once, in order per session; the tree's totals are
// the sum of every session's own, Claude's cost included.
import { describe, expect, it } from 'vitest';
import { SessionEventSchema } from '../../protocol/events.js';
import { SessionTreeSchema, type TreeNode } from '../../protocol/tree.js';
import { FAKE_CLAUDE, isolatedEnv, TEST_EXECUTOR_ENV } from '../claude-code/helpers/run-executor.js';
import { useRunnerKit } from './runner-kit.js';

const lines = (text: string) => text.split('\n').filter((l) => l !== '');
const start = (args: Record<string, unknown>) => ({ tool: 'start_agent_session', args });

function* walk(node: TreeNode): Generator<TreeNode> {
  yield node;
  for (const child of node.children) yield* walk(child);
}

describe('a three-level tree over two runners', { timeout: 180_000 }, () => {
  const kit = useRunnerKit();

  it('run follows it to the end; tree and events --tree show all of it once; totals add up', async () => {
    const { url } = await kit().coordinator();
    await kit().daemon(['-c', url, '-x', 'mcp-driver', '-x', 'test-executor', '-t', 'a', '-n', '8']);
    const home = kit().tempDir();
    const claudeEnv = isolatedEnv(home, { CLAUDE_CODE_EXECUTABLE: FAKE_CLAUDE, FAKE_CLAUDE_STATE_DIR: kit().dir, AGENT_RUNNER_EXECUTOR_ENV: TEST_EXECUTOR_ENV.join(',') });
    await kit().daemon(['-c', url, '-x', 'claude-code', '-t', 'b'], claudeEnv);
    const project = kit().tempDir();

    // The middle level: a driver that asks Claude (sync: it waits for the answer) and starts a leaf (async).
    const middle = JSON.stringify({
      steps: [
        start({ prompt: 'summarise', executor: 'claude-code', tags: ['b'], mode: 'sync', project_dir: project }),
        start({ prompt: 'leaf work', executor: 'test-executor', tags: ['a'], mode: 'async' }),
      ],
    });
    const root = JSON.stringify({
      steps: [
        start({ prompt: middle, executor: 'mcp-driver', tags: ['a'], mode: 'callback' }),
        start({ prompt: 'review', executor: 'claude-code', tags: ['b'], mode: 'callback', project_dir: project }),
      ],
    });
    const run = await kit().cli(['run', '-c', url, '-x', 'mcp-driver', '-t', 'a', '-p', project, root]);
    expect(run.code, run.stderr).toBe(0);
    const out = lines(run.stdout);
    const rootId = out[0]!.match(/^▶ session (ses_\w+)/)![1]!;
    // Children's lines, indented by depth, each prefixed with its executor and short id.
    expect(out.some((l) => /^ {2}mcp-driver ses_\w{6} +run +running on rnr_\w+$/.test(l))).toBe(true);
    expect(out.some((l) => /^ {2}claude-code ses_\w{6} +assistant +Hello from fake claude$/.test(l))).toBe(true);
    expect(out.some((l) => /^ {4}claude-code ses_\w{6} +assistant +Hello from fake claude$/.test(l))).toBe(true);
    expect(out.some((l) => /^ {4}test-executor ses_\w{6} +assistant +Echo: leaf work$/.test(l))).toBe(true);
    // The root was resumed with its children's outcomes, and run waited for that.
    expect(out.some((l) => /^ {2}assistant +(\d child sessions|A child session) you started in callback mode ha(ve|s) ended/.test(l))).toBe(true);
    // Two Claude turns at $0.0125 each: the tree's cost, not the root's ($0).
    expect(out.at(-1)).toMatch(/^✔ succeeded in \S+ · 4 child sessions \(4 succeeded\) · \$0\.0250$/);

    const tree = SessionTreeSchema.parse(JSON.parse((await kit().cli(['sessions', 'tree', rootId, '--json', '-c', url])).stdout));
    const nodes = [...walk(tree.root)];
    expect(tree).toMatchObject({ nodes: 5, truncated: false, quiet: true, in_flight: 0 });
    expect(nodes.map((n) => [n.executor, n.depth, n.status])).toEqual([
      ['mcp-driver', 0, 'idle'],
      ['mcp-driver', 1, 'idle'],
      ['claude-code', 2, 'idle'],
      ['test-executor', 2, 'idle'],
      ['claude-code', 1, 'idle'],
    ]);
    // Two runners took part; Claude ran on B, the rest on A.
    const runners = new Set(nodes.map((n) => n.runner_id));
    expect(runners.size).toBe(2);
    // Totals per tree are the sum of every session's own, at each level.
    const sum = (list: TreeNode[], key: 'input_tokens' | 'output_tokens' | 'cost_usd') => list.reduce((a, n) => a + n.totals[key], 0);
    for (const node of nodes) {
      const subtree = [...walk(node)];
      for (const key of ['input_tokens', 'output_tokens', 'cost_usd'] as const) expect(node.tree_totals[key]).toBeCloseTo(sum(subtree, key), 9);
    }
    expect(tree.root.tree_totals.cost_usd).toBeCloseTo(0.025, 9);
    expect(tree.root.tree_totals.input_tokens).toBeGreaterThan(tree.root.totals.input_tokens);

    // The picture names every node; the total line sums the tree.
    const picture = lines((await kit().cli(['sessions', 'tree', rootId, '-c', url])).stdout);
    expect(picture).toHaveLength(6);
    expect(picture.at(-1)).toMatch(/^total: 5 sessions · \$0\.0250 \([\d,]+ tokens\) · quiet$/);

    // Every event of the tree, once, each session's in order, as many as each session holds.
    const events = lines((await kit().cli(['sessions', 'events', rootId, '--tree', '--json', '-c', url])).stdout).map((l) => SessionEventSchema.parse(JSON.parse(l)));
    const bySession = new Map<string, number[]>();
    for (const e of events) bySession.set(e.session_id, [...(bySession.get(e.session_id) ?? []), e.seq]);
    expect([...bySession.keys()].sort()).toEqual(nodes.map((n) => n.session_id).sort());
    for (const node of nodes) {
      expect(bySession.get(node.session_id)).toEqual(Array.from({ length: node.last_event_seq }, (_, i) => i + 1));
    }
    // The live stream of the (quiet) tree replays the same events, tagged with their depth.
    const controller = new AbortController();
    const res = await fetch(`${url}/v1/sessions/${rootId}/events?tree=true`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
    const reader = res.body!.getReader();
    let text = '';
    const total = events.length;
    while ((text.match(/^data: /gm) ?? []).length < total) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the tree stream ended after ${text.length} characters`);
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    const streamed = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as { session_id: string; seq: number; depth: number });
    expect(new Set(streamed.map((e) => `${e.session_id}:${e.seq}`)).size).toBe(total);
    const depthOf = new Map(nodes.map((n) => [n.session_id, n.depth]));
    for (const e of streamed) expect(e.depth).toBe(depthOf.get(e.session_id));
  });
});
