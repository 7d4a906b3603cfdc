// The tree in the terminal (issue 14): `run` follows its whole tree, `sessions tree` and `sessions events
// --tree` show it, through the real CLI on the embedded default, with real executor processes (the
// mcp-driver fixture starts children through the MCP endpoint, as an orchestrating agent would).
import { describe, expect, it } from 'vitest';
import { SessionTreeSchema } from '../../protocol/tree.js';
import { SessionEventSchema } from '../../protocol/events.js';
import { freePort, useRunnerKit } from '../runner/runner-kit.js';

const BUDGET_MS = 90_000;
const lines = (text: string) => text.split('\n').filter((line) => line !== '');

/** A driver script: two callback children (test-executor) and a callback child driver that starts an async grandchild. */
const script = JSON.stringify({
  steps: [
    { tool: 'start_agent_session', args: { prompt: 'child work', executor: 'test-executor', mode: 'callback' }, repeat: 2 },
    {
      tool: 'start_agent_session',
      args: { prompt: JSON.stringify({ steps: [{ tool: 'start_agent_session', args: { prompt: 'grandchild work', executor: 'test-executor', mode: 'async' } }] }), executor: 'mcp-driver', mode: 'callback' },
    },
  ],
});

describe('the tree in the terminal', () => {
  const kit = useRunnerKit();
  const embedded = async () => ({ cwd: kit().tempDir(), env: { AGENT_RUNNER_LOCAL_PORT: String(await freePort()) } });

  it('run follows the tree on the embedded default: children indented, the callback resume followed, a tree ending line', async () => {
    const where = await embedded();
    const run = await kit().cli(['run', '-x', 'mcp-driver', script], where);
    expect(run.code, run.stderr).toBe(0);
    const out = lines(run.stdout);
    const root = out[0]!.match(/^▶ session (ses_\w+)/)![1]!;
    // Where to watch it in the console: this command's own coordinator (on a port of its own).
    expect(out[1]).toMatch(new RegExp(`^  watch it: http://127\\.0\\.0\\.1:\\d+/sessions/${root}$`));
    // Children's lines carry their executor and short id, indented one level; the grandchild's two.
    expect(out.filter((l) => /^ {2}test-executor ses_\w{6} +assistant +Echo: child work$/.test(l))).toHaveLength(2);
    expect(out.some((l) => /^ {4}test-executor ses_\w{6} +assistant +Echo: grandchild work$/.test(l))).toBe(true);
    // The parent was resumed with its children's outcomes, and run showed that run to its end.
    const resumed = out.findIndex((l) => /^ {2}assistant +(\d child sessions|A child session) you started in callback mode ha(ve|s) ended/.test(l));
    expect(resumed).toBeGreaterThan(0);
    expect(out.at(-1)).toMatch(/^✔ succeeded in \d\S* · 4 child sessions \(4 succeeded\)/);

    // The tree, as a picture and as JSON.
    const tree = await kit().cli(['sessions', 'tree', root], where);
    expect(tree.code, tree.stderr).toBe(0);
    const picture = lines(tree.stdout);
    expect(picture[0]).toMatch(new RegExp(`^✔ mcp-driver ${root.slice(0, 10)} idle \\S+ \\$0\\.0000 \\(tree \\$0\\.0000\\)$`));
    expect(picture.filter((l) => /^[├└]─ ✔ test-executor ses_\w{6} idle/.test(l))).toHaveLength(2);
    expect(picture.some((l) => /^ {3}└─ ✔ test-executor ses_\w{6} idle/.test(l))).toBe(true);
    expect(picture.at(-1)).toMatch(/^total: 5 sessions · \$0\.0000 \(\d[\d,]* tokens\) · quiet$/);
    const json = SessionTreeSchema.parse(JSON.parse((await kit().cli(['sessions', 'tree', root, '--json'], where)).stdout));
    expect(json).toMatchObject({ root_session_id: root, nodes: 5, quiet: true, root: { children_count: 3, descendants_count: 4 } });
    // Its start and one or two callback resumes (children that end while it runs are delivered together).
    expect(json.root.runs).toBeGreaterThanOrEqual(2);
    // Following a quiet tree ends at once.
    const follow = await kit().cli(['sessions', 'tree', root, '--follow', '--json'], where);
    expect(follow.code).toBe(0);
    expect(SessionTreeSchema.parse(JSON.parse(lines(follow.stdout).at(-1)!)).quiet).toBe(true);

    // Every event of the tree, once each, as many as the sessions hold.
    const events = (await kit().cli(['sessions', 'events', root, '--tree', '--json'], where)).stdout;
    const parsed = lines(events).map((l) => SessionEventSchema.parse(JSON.parse(l)));
    const keys = parsed.map((e) => `${e.session_id}:${e.seq}`);
    expect(new Set(keys).size).toBe(keys.length);
    const perSession = new Map<string, number[]>();
    for (const e of parsed) perSession.set(e.session_id, [...(perSession.get(e.session_id) ?? []), e.seq]);
    expect(perSession.size).toBe(5);
    for (const seqs of perSession.values()) expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(new Set(parsed.map((e) => e.depth))).toEqual(new Set([0, 1, 2]));
    const text = lines((await kit().cli(['sessions', 'events', root, '--tree'], where)).stdout);
    expect(text.some((l) => /^ {4}test-executor ses_\w{6} assistant +Echo: grandchild work$/.test(l))).toBe(true);
  }, BUDGET_MS);

  it('--root-only returns when the root run ends, without the children lines', async () => {
    const where = await embedded();
    const run = await kit().cli(['run', '-x', 'mcp-driver', '--root-only', script], where);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/test-executor ses_/);
    expect(lines(run.stdout).at(-1)).toMatch(/^✔ succeeded in \d/);
  }, BUDGET_MS);

  it('refuses bad tree flags naming them, and says when a session does not exist', async () => {
    const where = await embedded();
    const depth = await kit().cli(['sessions', 'tree', 'ses_x', '--depth', '-1'], where);
    expect(depth.code).toBe(2);
    expect(depth.stderr).toContain('--depth');
    const after = await kit().cli(['sessions', 'events', 'ses_x', '--tree', '--after', '3'], where);
    expect(after.code).toBe(2);
    expect(after.stderr).toContain('--after');
    const missing = await kit().cli(['sessions', 'tree', 'ses_nope'], where);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/ses_nope/);
  }, BUDGET_MS);
});
