// The cost of the budget check on start_agent_session (target ≤ 1 ms added at p50): the same call from three
// callers, interleaved so all see the same machine: a root without a budget (no check at all: nothing above
// it to read), one at depth 2 in a tree without any budget (the check reads its ancestors and finds none), and
// one at depth 2 under budgets on its root and itself (the check reads and locks both and tests every limit). Also the same A/B on POST /v1/sessions. In-process coordinator (SQLite) and runner;
// the children ask for an executor no runner serves, so they stay queued and nothing else runs.
import { McpTestBed, toolData } from '../test/mcp/harness.js';
import { ms, percentile, report } from './lib/stats.js';

const CALLS = 1_000;
const WARMUP = 100;
const NEVER_SERVED = 'bench-never-served';
const ROOMY = { usd: 1_000, tokens: 1e11, wall_s: 604_800, max_depth: 100, max_children: 100_000, max_sessions: 1_000_000 };

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const bed = await McpTestBed.start();
try {
  /** A caller at depth 2 (root → middle → caller) whose run stays queued (its token stays valid); budgets on root and caller when asked. */
  const caller = async (budgeted: boolean) => {
    const root = await bed.user.createSession({ executor: NEVER_SERVED, prompt: 'root', ...(budgeted ? { budget: ROOMY } : {}) });
    const middle = await bed.user.createSession({ executor: NEVER_SERVED, prompt: 'middle', parent_session_id: root.session_id });
    const me = await bed.user.createSession({ executor: NEVER_SERVED, prompt: 'caller', parent_session_id: middle.session_id, ...(budgeted ? { budget: { usd: 500 } } : {}) });
    return me.session_id;
  };
  const plain = await caller(false);
  const budgeted = await caller(true);
  const root = (await bed.user.createSession({ executor: NEVER_SERVED, prompt: 'root caller' })).session_id;
  const clients = { root: await bed.client(root), plain: await bed.client(plain), budgeted: await bed.client(budgeted) };
  type Which = keyof typeof clients;
  const ORDERS: ReadonlyArray<readonly Which[]> = [['root', 'plain', 'budgeted'], ['budgeted', 'root', 'plain'], ['plain', 'budgeted', 'root']];
  const start = (which: Which) => async () => {
    const result = await clients[which].callTool({ name: 'start_agent_session', arguments: { prompt: 'child', executor: NEVER_SERVED, mode: 'async' } });
    if (result.isError === true) throw new Error(`start_agent_session failed: ${toolData(result)}`);
  };
  const samples: Record<Which, number[]> = { root: [], plain: [], budgeted: [] };
  for (let i = 0; i < WARMUP + CALLS; i++) {
    for (const which of ORDERS[i % ORDERS.length]!) {
      const t = await timed(start(which));
      if (i >= WARMUP) samples[which].push(t);
    }
  }
  const p = (which: Which, q: number) => percentile(samples[which], q);
  report('start_agent_session, root caller p50 / p99', `${ms(p('root', 50))} / ${ms(p('root', 99))}`);
  report('start_agent_session, depth 2, no budget p50 / p99', `${ms(p('plain', 50))} / ${ms(p('plain', 99))}`);
  report('start_agent_session, depth 2, 2 budgets p50 / p99', `${ms(p('budgeted', 50))} / ${ms(p('budgeted', 99))}`);
  const added = p('budgeted', 50) - p('root', 50);
  report('budget check added at p50 (MCP, vs root)', ms(added), { ok: added <= 1, text: '≤ 1 ms' });

  // The same A/B on the coordinator's own endpoint (what the tool calls), without the MCP hop.
  const parents: Record<Which, string> = { root, plain, budgeted };
  const http: Record<Which, number[]> = { root: [], plain: [], budgeted: [] };
  for (let i = 0; i < WARMUP + CALLS; i++) {
    for (const which of ORDERS[i % ORDERS.length]!) {
      const t = await timed(() => bed.user.createSession({ executor: NEVER_SERVED, prompt: 'child', parent_session_id: parents[which] }));
      if (i >= WARMUP) http[which].push(t);
    }
  }
  for (const which of ['root', 'plain', 'budgeted'] as const) report(`POST /v1/sessions child of ${which} caller p50`, ms(percentile(http[which], 50)));
  const httpAdded = percentile(http.budgeted, 50) - percentile(http.root, 50);
  report('budget check added at p50 (HTTP, vs root)', ms(httpAdded), { ok: httpAdded <= 1, text: '≤ 1 ms' });
} finally {
  await bed.close();
}
