// Models and routing over HTTP on both stores: the routing file picks the model at claim time by depth and
// by budget left; the choice is in the assignment, on the run and the session; POST /v1/routing/select and
// GET /v1/routing; the file is reloaded when it changes (a bad version keeps the rules before it); malformed
// kinds, blueprints and select bodies are 400s naming the field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RoutingStatus } from '../../protocol/routing.js';
import { ModelChoiceSchema, RoutingStatusSchema } from '../../protocol/routing.js';
import { RunViewSchema, SessionViewSchema } from '../../protocol/sessions.js';
import { type Api, pollRun, registerRunner, startTestCoordinator, STORE_KINDS } from './helpers.js';

const RULES = `rules:
  - name: low budget
    match: { budget_left: { below: 0.2 } }
    model: cheap
  - name: leaves
    match: { depth: { min: 1 } }
    models: [small, small-2]
  - name: reviews
    match: { agent: "rev*", kind: review }
    model: reviewer
`;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A coordinator with a routing file; `reloads` yields each status the file's readings after start give. */
async function start(kind: (typeof STORE_KINDS)[number], text = RULES) {
  const dir = mkdtempSync(join(tmpdir(), 'routing-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'routing.yaml');
  writeFileSync(file, text);
  const heard: RoutingStatus[] = [];
  let wake = () => {};
  const t = await startTestCoordinator(kind, { routing: file, watchAgents: true, onRoutingReload: (status) => (heard.push(status), wake()) });
  cleanups.push(t.stop);
  /** The next reading of the file after `write` (an event of the coordinator, not a delay). */
  const reloadAfter = async (write: () => void): Promise<RoutingStatus> => {
    const seen = heard.length;
    const next = new Promise<void>((resolve) => (wake = resolve));
    write();
    if (heard.length === seen) await next;
    return heard.at(-1)!;
  };
  await t.api('PUT', '/v1/agents/planner', { executor: 'test', models: ['big', 'big-2'] });
  await t.api('PUT', '/v1/agents/reviewer', { executor: 'test', model: 'own' });
  return { api: t.api, file, reloadAfter };
}

/** Report a claimed run started with the model its assignment gave (as agent-runner does: started.model, models). */
async function startWithModel(api: Api, runner: { runner_id: string; token: string }, claimed: { run: { run_id: string }; invocation: { model?: string | null; models?: string[] } }) {
  const started = claimed.invocation.model == null ? {} : { model: claimed.invocation.model, models: claimed.invocation.models };
  const res = await api('POST', `/v1/runners/${runner.runner_id}/reports`, { reports: [{ run_id: claimed.run.run_id, started }] }, runner.token);
  expect(res.body.results[0].error).toBeUndefined();
}

/** Finish a claimed run with a usage event costing `cost_usd`. */
async function finish(api: Api, runner: { runner_id: string; token: string }, runId: string, costUsd: number) {
  const res = await api('POST', `/v1/runners/${runner.runner_id}/reports`, {
    reports: [{ run_id: runId, started: {}, events: [{ seq: 1, event: { type: 'usage', input_tokens: 1, cost_usd: costUsd } }], finished: { kind: 'succeeded', message: 'ok', exit_code: 0 } }],
  }, runner.token);
  expect(res.body.results[0].error).toBeUndefined();
}

describe.each(STORE_KINDS)('models and routing over HTTP (%s)', (kind) => {
  it('picks by depth: a root gets its blueprint\'s models, a child the rule\'s; the choice is on the assignment, the run and the session', async () => {
    const { api } = await start(kind);
    const runner = await registerRunner(api);
    const root = await api('POST', '/v1/sessions', { agent: 'planner', prompt: 'plan' });
    const first = await pollRun(api, runner);
    expect(first.invocation).toMatchObject({ model: 'big', models: ['big', 'big-2'] });
    expect(RunViewSchema.parse(first.run)).toMatchObject({ model: 'big', models: ['big', 'big-2'] });
    // The claim writes nothing for the model: the start notes what the runner gave the executor.
    expect((await api('GET', `/v1/sessions/${root.body.session_id}`)).body.model).toBeNull();
    await startWithModel(api, runner, first);
    expect(SessionViewSchema.parse((await api('GET', `/v1/sessions/${root.body.session_id}`)).body)).toMatchObject({ model: 'big', kind: null });

    const child = await api('POST', '/v1/sessions', { agent: 'planner', prompt: 'leaf', parent_session_id: root.body.session_id, kind: 'build' });
    const second = await pollRun(api, runner);
    expect(second.invocation).toMatchObject({ model: 'small', models: ['small', 'small-2'] });
    await startWithModel(api, runner, second);
    const run = (await api('GET', `/v1/runs/${child.body.run_id}`)).body;
    expect(run).toMatchObject({ model: 'small', models: ['small', 'small-2'] });
    expect((await api('GET', `/v1/sessions/${child.body.session_id}`)).body).toMatchObject({ model: 'small', kind: 'build', depth: 1 });
  });

  it('picks by budget left when the run is claimed: a resume after 85% of the tree budget is spent gets the cheap model', async () => {
    const { api } = await start(kind);
    const runner = await registerRunner(api);
    const root = await api('POST', '/v1/sessions', { agent: 'planner', prompt: 'plan', budget: { usd: 1 } });
    const first = await pollRun(api, runner);
    expect(first.invocation.model).toBe('big');
    await finish(api, runner, first.run.run_id, 0.85);
    await api('POST', `/v1/sessions/${root.body.session_id}/resume`, { prompt: 'again' });
    const again = await pollRun(api, runner);
    expect(again.invocation).toMatchObject({ model: 'cheap', models: ['cheap'] });
    await startWithModel(api, runner, again);
    expect((await api('GET', `/v1/sessions/${root.body.session_id}`)).body.model).toBe('cheap');
  });

  it('POST /v1/routing/select: the model, its fallbacks, the rule and why, for a root or a child of a session', async () => {
    const { api } = await start(kind);
    const asRoot = await api('POST', '/v1/routing/select', { agent: 'planner' });
    expect(asRoot.status).toBe(200);
    expect(ModelChoiceSchema.parse(asRoot.body)).toEqual({ model: 'big', models: ['big', 'big-2'], rule: null, reason: "no rule matched; the blueprint's own" });
    const review = await api('POST', '/v1/routing/select', { agent: 'reviewer', kind: 'review' });
    expect(review.body).toEqual({ model: 'reviewer', models: ['reviewer'], rule: { index: 2, name: 'reviews', match: { agent: 'rev*', kind: 'review' } }, reason: 'rule 2 (reviews) matched: agent reviewer is rev*, kind is review' });
    const parent = await api('POST', '/v1/sessions', { agent: 'planner', prompt: 'p', budget: { usd: 2 } });
    const child = await api('POST', '/v1/routing/select', { agent: 'reviewer', kind: 'review', parent_session_id: parent.body.session_id });
    expect(child.body).toMatchObject({ model: 'small', rule: { index: 1, name: 'leaves' }, reason: 'rule 1 (leaves) matched: depth 1 is within 1..∞' });

    expect(RoutingStatusSchema.parse((await api('GET', '/v1/routing')).body)).toMatchObject({ file: expect.stringMatching(/routing\.yaml$/), problem: null, rules: [{ name: 'low budget' }, { name: 'leaves' }, { name: 'reviews' }] });
  });

  it('refuses malformed select bodies, kinds and blueprints with 400s naming the field; an unknown agent or parent is a 422', async () => {
    const { api } = await start(kind);
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/v1/routing/select', { agent: 'planner', kind: 'no spaces' }, 400, 'kind'],
      ['POST', '/v1/routing/select', { agent: 'planner', model: 'x' }, 400, '(root)'],
      ['POST', '/v1/routing/select', { kind: 'review' }, 400, 'agent'],
      ['POST', '/v1/routing/select', { agent: 'nobody' }, 422, 'agent'],
      ['POST', '/v1/routing/select', { agent: 'planner', parent_session_id: 'ses_nope' }, 422, 'parent_session_id'],
      ['POST', '/v1/sessions', { executor: 'test', prompt: 'p', kind: '' }, 400, 'kind'],
      ['POST', '/v1/sessions', { executor: 'test', prompt: 'p', kind: 'x'.repeat(65) }, 400, 'kind'],
      ['POST', '/v1/sessions', { executor: 'test', prompt: 'p', kind: ['review'] }, 400, 'kind'],
      ['PUT', '/v1/agents/both', { executor: 'test', model: 'a', models: ['a', 'b'] }, 400, 'models'],
      ['PUT', '/v1/agents/empty', { executor: 'test', models: [] }, 400, 'models'],
      ['PUT', '/v1/agents/twice', { executor: 'test', models: ['a', 'a'] }, 400, 'models'],
      ['PUT', '/v1/agents/spaced', { executor: 'test', models: ['a b'] }, 400, 'models[0]'],
      ['PUT', '/v1/agents/many', { executor: 'test', models: Array.from({ length: 17 }, (_, i) => `m${i}`) }, 400, 'models'],
    ];
    for (const [method, path, body, status, field] of cases) {
      const res = await api(method, path, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.details.issues.map((i: { path: string }) => i.path), JSON.stringify(body)).toContain(field);
      expect(res.body.error.message).toContain(`${field}: `);
    }
  });


  it('a start notes the model the runner says it gave; a malformed one is refused naming the field and starts nothing; none leaves it unset', async () => {
    const { api } = await start(kind);
    const runner = await registerRunner(api);
    const session = await api('POST', '/v1/sessions', { agent: 'planner', prompt: 'p' });
    const claimed = await pollRun(api, runner);
    const report = (started: unknown) => api('POST', `/v1/runners/${runner.runner_id}/reports`, { reports: [{ run_id: claimed.run.run_id, started }] }, runner.token);
    const single = (body: unknown) => api('POST', `/v1/runs/${claimed.run.run_id}/started`, body, runner.token);
    const hostile: Array<[unknown, string]> = [
      [{ model: '' }, 'model'],
      [{ model: 'has space' }, 'model'],
      [{ model: '\u001b[31mred' }, 'model'],
      [{ model: 'x'.repeat(201) }, 'model'],
      [{ model: 7 }, 'model'],
      [{ model: 'a', models: [] }, 'models'],
      [{ model: 'a', models: ['a', 'a'] }, 'models'],
      [{ model: 'a', models: 'a' }, 'models'],
    ];
    for (const [started, field] of hostile) {
      const batched = await report(started);
      expect(batched.status, JSON.stringify(started)).toBe(400);
      expect(batched.body.error.message, JSON.stringify(started)).toContain(`started.${field}`);
      const one = await single(started);
      expect(one.status, JSON.stringify(started)).toBe(400);
      expect(JSON.stringify(one.body.error.details.issues), JSON.stringify(started)).toContain(field);
    }
    expect((await api('GET', `/v1/runs/${claimed.run.run_id}`)).body).toMatchObject({ status: 'claimed', model: null });
    // A runner that says nothing of a model (an older one, or another implementation) leaves it unset.
    expect((await single({ pid: 1 })).status).toBe(200);
    expect((await api('GET', `/v1/sessions/${session.body.session_id}`)).body.model).toBeNull();

    const other = await api('POST', '/v1/sessions', { agent: 'planner', prompt: 'q' });
    const second = await pollRun(api, runner);
    expect(second.run.session_id).toBe(other.body.session_id);
    expect((await api('POST', `/v1/runs/${second.run.run_id}/started`, { model: 'big-2', models: ['big-2'] }, runner.token)).status).toBe(200);
    expect((await api('GET', `/v1/runs/${second.run.run_id}`)).body).toMatchObject({ status: 'running', model: 'big-2', models: ['big-2'] });
  });
  it('reloads the file when it changes; a bad version is refused naming the line and field, and the rules before it stay in use', async () => {
    const { api, file, reloadAfter } = await start(kind);
    const good = await reloadAfter(() => writeFileSync(file, 'rules:\n  - name: everyone\n    model: everyone-model\n'));
    expect(good).toMatchObject({ problem: null, rules: [{ name: 'everyone' }] });
    expect((await api('POST', '/v1/routing/select', { agent: 'planner' })).body.model).toBe('everyone-model');

    const bad = await reloadAfter(() => writeFileSync(file, 'rules:\n  - name: typo\n    modle: x\n'));
    expect(bad.problem).toBe(`${file}:2:5: rules[0].model: a rule must give model or models\n${file}:3:5: rules[0].modle: unknown field (did you mean "model"?)`);
    expect((await api('POST', '/v1/routing/select', { agent: 'planner' })).body.model).toBe('everyone-model');
    expect((await api('GET', '/v1/routing')).body).toMatchObject({ problem: bad.problem, rules: [{ name: 'everyone' }] });
  });
});

describe('a routing file that cannot be used stops start-up, naming the file, line and field', () => {
  it('refuses a bad file and a missing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routing-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'rules:\n  - match: { depth: { min: one } }\n    model: a\n');
    await expect(startTestCoordinator('sqlite', { routing: file })).rejects.toThrow(`${file}:2:23: rules[0].match.depth.min: depth.min must be a whole number`);
    await expect(startTestCoordinator('sqlite', { routing: join(dir, 'missing.yaml') })).rejects.toThrow(`${join(dir, 'missing.yaml')}: cannot read the routing file (ENOENT)`);
  });
});
