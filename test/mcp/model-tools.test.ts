// select_model and start_agent_session's kind through the runner's MCP endpoint, called by the official
// MCP SDK client: what the coordinator's routing would pick for a child of the caller, the rule and why;
// a child started with a kind runs with the model that rule gives; bad arguments are tool errors naming the field.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { McpTestBed, QUEUED_TAG, toolData } from './harness.js';

const RULES = `rules:
  - name: low budget
    match: { budget_left: { below: 0.5 } }
    model: cheap
  - name: reviews
    match: { agent: "rev*", kind: [review, audit] }
    models: [reviewer-a, reviewer-b]
`;

describe('select_model and kinds through the MCP tools', () => {
  let bed: McpTestBed;
  beforeEach(async () => {
    bed = await McpTestBed.start({
      coordinator: (dir) => {
        const file = join(dir, 'routing.yaml');
        writeFileSync(file, RULES);
        return { routing: file };
      },
    });
    await bed.user.putAgent({ name: 'reviewer', executor: 'test-executor', model: 'own-model' });
  });
  afterEach(async () => bed.close());

  /** A session that stays queued (so its token works), with a budget when given. */
  const caller = async (budget?: { tokens: number }) =>
    (await bed.user.createSession({ executor: 'test-executor', tags: [QUEUED_TAG], prompt: 'orchestrate', ...(budget === undefined ? {} : { budget }) })).session_id;

  it('select_model: the model, its fallbacks, the rule that matched and why; the blueprint\'s own when none does', async () => {
    const client = await bed.client(await caller());
    expect(toolData(await client.callTool({ name: 'select_model', arguments: { agent: 'reviewer', kind: 'audit' } }))).toEqual({
      model: 'reviewer-a',
      models: ['reviewer-a', 'reviewer-b'],
      rule: { index: 1, name: 'reviews', match: { agent: 'rev*', kind: ['review', 'audit'] } },
      reason: 'rule 1 (reviews) matched: agent reviewer is rev*, kind is audit',
    });
    expect(toolData(await client.callTool({ name: 'select_model', arguments: { agent: 'reviewer' } }))).toEqual({
      model: 'own-model', models: ['own-model'], rule: null, reason: "no rule matched; the blueprint's own",
    });
  });

  it("counts the caller's tree: with less than half its budget left, the cheap model", async () => {
    const client = await bed.client(await caller({ tokens: 20 }));
    expect(toolData(await client.callTool({ name: 'select_model', arguments: { agent: 'reviewer', kind: 'review' } })).model).toBe('reviewer-a');
    // A child of test-executor spends 16 tokens of the tree's 20 ("spend" in, "Echo: spend" out).
    expect(toolData(await client.callTool({ name: 'start_agent_session', arguments: { prompt: 'spend', executor: 'test-executor' } })).status).toBe('idle');
    expect(toolData(await client.callTool({ name: 'select_model', arguments: { agent: 'reviewer', kind: 'review' } }))).toMatchObject({ model: 'cheap', rule: { index: 0, name: 'low budget' } });
  });

  it('start_agent_session with a kind: the child runs with the model the rule gives, and shows its kind and model', async () => {
    const client = await bed.client(await caller());
    const child = toolData(await client.callTool({ name: 'start_agent_session', arguments: { prompt: 'review it', agent: 'reviewer', kind: 'review' } }));
    expect(child.status).toBe('idle');
    const view = await bed.user.getSession(child.session_id);
    expect(view).toMatchObject({ kind: 'review', model: 'reviewer-a' });
    expect(await bed.user.getRun(view.last_run_id)).toMatchObject({ model: 'reviewer-a', models: ['reviewer-a', 'reviewer-b'] });
  });

  it('refuses bad arguments as tool errors naming the field', async () => {
    const client = await bed.client(await caller());
    for (const [name, args, field] of [
      ['select_model', { agent: 'reviewer', kind: 'two words' }, 'kind'],
      ['select_model', { agent: '' }, 'agent'],
      ['select_model', { agent: 'nobody' }, 'agent'],
      ['start_agent_session', { prompt: 'x', agent: 'reviewer', kind: '../etc' }, 'kind'],
    ] as const) {
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect(JSON.stringify(result.content), JSON.stringify(args)).toContain(field);
    }
  });
});
