// The budget through the MCP tools, called by the official client: a child's own sub-budget, refusals the
// model can act on (the limit and the figures), get_agent_session of itself with its tree's usage and what is
// left, and get_fleet_status.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Budget } from '../../protocol/tree.js';
import { McpTestBed, QUEUED_TAG, toolData } from './harness.js';

describe('budgets through the MCP tools', () => {
  let bed: McpTestBed;
  beforeEach(async () => (bed = await McpTestBed.start({ concurrency: 3 })));
  afterEach(async () => bed.close());

  /** A session that stays queued (so its token works) with a budget. */
  const budgeted = async (budget: Budget) => (await bed.user.createSession({ executor: 'test-executor', tags: [QUEUED_TAG], prompt: 'orchestrate', budget })).session_id;

  it('start_agent_session gives a child its own sub-budget, and refuses one larger than what the tree has left, naming the figures', async () => {
    const me = await budgeted({ usd: 1, max_depth: 2 });
    const client = await bed.client(me);
    const ok = toolData(await client.callTool({ name: 'start_agent_session', arguments: { prompt: 'a', executor: 'test-executor', mode: 'async', budget: { usd: 0.25, max_depth: 1 } } }));
    expect((await bed.user.getSession(ok.session_id)).budget).toEqual({ usd: 0.25, max_depth: 1 });
    const larger = await client.callTool({ name: 'start_agent_session', arguments: { prompt: 'b', executor: 'test-executor', mode: 'async', budget: { usd: 2 } } });
    expect(larger.isError).toBe(true);
    expect(toolData(larger)).toBe(`the coordinator refused: budget.usd: 2 is more than the tree of ${me} has left ($1.0000 of $1.0000)`);
    const deeper = await client.callTool({ name: 'start_agent_session', arguments: { prompt: 'c', executor: 'test-executor', mode: 'async', budget: { max_depth: 2 } } });
    expect(toolData(deeper)).toBe(`the coordinator refused: budget.max_depth: 2 is more than the tree of ${me} has left (1 of 2)`);
  });

  it('a child past max_children is refused before it is created, the tool error naming the limit and the figures', async () => {
    const me = await budgeted({ max_children: 1 });
    const client = await bed.client(me);
    expect((await client.callTool({ name: 'start_agent_session', arguments: { prompt: 'one', executor: 'test-executor' } })).isError).toBeFalsy();
    const second = await client.callTool({ name: 'start_agent_session', arguments: { prompt: 'two', executor: 'test-executor', mode: 'async' } });
    expect(second.isError).toBe(true);
    expect(toolData(second)).toBe(`the coordinator refused: max_children: the budget of ${me} allows 1 children per session; ${me} has 1 already`);
    expect((await bed.user.getSession(me)).children_count).toBe(1);
  });

  it('refuses malformed budgets naming the field', async () => {
    const me = await budgeted({ usd: 1 });
    const client = await bed.client(me);
    for (const [budget, field] of [
      [{ usd: -1 }, 'usd'],
      [{ usd: 'all' }, 'usd'],
      [{ max_depth: 2.5 }, 'max_depth'],
      [{ spend: 1 }, 'spend'],
      ['lots', 'budget'],
    ] as const) {
      const result = await client.callTool({ name: 'start_agent_session', arguments: { prompt: 'x', executor: 'test-executor', mode: 'async', budget } });
      expect(result.isError, JSON.stringify(budget)).toBe(true);
      expect(toolData(result)).toContain(field);
    }
    expect((await bed.user.getSession(me)).children_count).toBe(0);
  });

  it("get_agent_session of itself shows the tree's usage, size and what its budgets leave", async () => {
    const me = await budgeted({ usd: 2, tokens: 10_000, max_sessions: 5, max_depth: 3 });
    const client = await bed.client(me);
    const child = toolData(await client.callTool({ name: 'start_agent_session', arguments: { prompt: 'work', executor: 'test-executor', budget: { usd: 0.5 } } }));
    // The child's run counted its tokens against the tree's (test-executor reports usage without cost).
    const used = (await bed.user.getSession(me)).tree_totals;
    const tokensUsed = used.input_tokens + used.output_tokens + used.cache_read_input_tokens + used.cache_creation_input_tokens;
    expect(tokensUsed).toBeGreaterThan(0);
    expect(child).toMatchObject({ status: 'idle', tree: { sessions: 1, budget: { usd: 0.5 }, budget_left: { usd: 0.5, tokens: 10_000 - tokensUsed } } });
    const self = toolData(await client.callTool({ name: 'get_agent_session', arguments: { session_id: me } }));
    expect(self.tree).toMatchObject({
      sessions: 2,
      budget: { usd: 2, tokens: 10_000, max_sessions: 5, max_depth: 3 },
      usage: { input_tokens: used.input_tokens, cost_usd: used.cost_usd },
      budget_left: { usd: 2, tokens: 10_000 - tokensUsed, max_sessions: 3, max_depth: 3 },
    });
    expect(self.tree.budget_left.budgets).toEqual([{ session_id: me, budget: { usd: 2, tokens: 10_000, max_sessions: 5, max_depth: 3 }, used: expect.objectContaining({ sessions: 2 }) }]);
  });

  it('get_fleet_status: runners online, free slots per executor and tag, queue depth', async () => {
    const me = await budgeted({ usd: 1 });
    const client = await bed.client(me);
    const fleet = toolData(await client.callTool({ name: 'get_fleet_status', arguments: {} }));
    expect(fleet).toMatchObject({
      runners_online: 1,
      slots: { total: 3, used: 0, free: 3 },
      by_executor: { 'test-executor': { runners: 1, slots_total: 3, slots_free: 3 }, 'mcp-driver': { runners: 1 }, 'slow-echo': { runners: 1 } },
      by_tag: {},
      queue: { depth: 1 },
    });
    expect(fleet.queue.oldest_wait_s).toBeGreaterThanOrEqual(0);
  });
});
