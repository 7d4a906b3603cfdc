// The workflow API refuses what it cannot run, naming the field and the reason, and changes nothing:
// malformed and hostile bodies, definitions with a cycle or an unknown agent, bad inputs, unknown runs,
// resume of a run in flight or one that succeeded, dispatch behind the API token.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/fixtures.js';
import { startTestCoordinator } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const TOKEN = 'workflow-api-test-token';

async function start() {
  const dir = tempDir('wf-api-');
  cleanups.push(dir.cleanup);
  const workflowsDir = join(dir.dir, 'workflows');
  mkdirSync(workflowsDir);
  writeFileSync(
    join(workflowsDir, 'typed.yaml'),
    'name: typed\ninputs:\n  n: {type: number, required: true}\n  mode: {type: choice, options: [fast, safe], default: safe}\njobs:\n  a:\n    executor: nobody-serves-this\n    prompt: "n is ${{ inputs.n }}"\n',
  );
  writeFileSync(join(workflowsDir, 'broken.yaml'), 'name: broken\njobs:\n  a:\n    needs: b\n    executor: x\n  b:\n    needs: a\n    executor: x\n');
  const c = await startTestCoordinator('sqlite', { workflowsDir, apiToken: TOKEN });
  cleanups.push(c.stop);
  const call = async (method: string, path: string, body?: unknown, token: string | null = TOKEN) => {
    const res = await fetch(`${c.url}${path}`, {
      method,
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, body: json };
  };
  return { ...c, call };
}

describe('workflow API: bad input', () => {
  it('lists the folder with its bad file (the cycle named with line:column)', async () => {
    const { call } = await start();
    const list = await call('GET', '/v1/workflows');
    expect(list.status).toBe(200);
    expect(list.body.workflows.map((w: { name: string }) => w.name)).toEqual(['typed']);
    const problem = list.body.problems.find((p: { file: string }) => p.file === 'broken.yaml');
    expect(problem.message).toMatch(/cycle/);
    expect(problem.issues[0].line).toBeGreaterThan(0);
    expect((await call('GET', '/v1/workflows/typed')).body.definition.jobs[0].id).toBe('a');
    expect((await call('GET', '/v1/workflows/nope')).status).toBe(404);
  });

  it('refuses malformed start bodies, naming the field, and starts nothing', async () => {
    const { call } = await start();
    const cases: Array<[unknown, number, RegExp]> = [
      [{}, 400, /workflow: give exactly one of workflow/],
      [{ workflow: 'typed', definition: { name: 'x', jobs: {} } }, 400, /give exactly one/],
      [{ workflow: '' }, 400, /workflow must not be empty/],
      [{ workflow: 'typed', inputs: [1, 2] }, 400, /inputs/],
      [{ workflow: 'typed', inputs: { n: 1 }, surprise: true }, 400, /surprise/],
      [{ workflow: 'typed', inputs: { n: 1 }, project_dir: 'relative/path' }, 400, /project_dir must be an absolute path/],
      [{ definition: 'name: x' }, 400, /definition must be an object/],
      ['{"workflow": ', 400, /JSON/i],
      [{ workflow: 'typed' }, 422, /inputs\.n: is required/],
      [{ workflow: 'typed', inputs: { n: 'three' } }, 422, /inputs\.n: must be a number/],
      [{ workflow: 'typed', inputs: { n: 1, mode: 'reckless' } }, 422, /inputs\.mode: must be one of .*fast.*safe/],
      ['{"workflow":"typed","inputs":{"n":1,"__proto__":{"polluted":true}}}', 400, /inputs: \\"__proto__\\" is not a name/],
      [{ workflow: 'typed', inputs: { n: 1 }, parent_session_id: 'ses_nope' }, 422, /parent_session_id: no session ses_nope/],
      [{ workflow: 'nope' }, 404, /workflow nope not found; known: typed/],
      [{ definition: { name: 'cyc', jobs: { a: { needs: 'b', executor: 'x' }, b: { needs: 'a', executor: 'x' } } } }, 422, /definition\.jobs.*cycle/],
      [{ definition: { name: 'ag', jobs: { a: { agent: 'no-such-agent' } } } }, 422, /no-such-agent/],
      [{ definition: { name: 'ex', jobs: { a: { executor: 'x', if: '${{ jobs.zzz.result == }}' } } } }, 422, /definition\.jobs\.a\.if/],
      [{ workflow: 'typed', inputs: { n: 1, big: 'x'.repeat(1_100_000) } }, 400, /inputs is larger than|body/],
    ];
    const wrong: string[] = [];
    for (const [body, status, message] of cases) {
      const res = await call('POST', '/v1/workflow-runs', body);
      if (res.status !== status || !message.test(JSON.stringify(res.body))) wrong.push(`${JSON.stringify(body).slice(0, 120)} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    }
    expect(wrong).toEqual([]);
    expect((await call('GET', '/v1/workflow-runs')).body.workflow_runs).toEqual([]);
  });

  it('unknown runs are 404s; bad queries 400s; resume of a running run 409; dispatch needs the token', async () => {
    const { call } = await start();
    for (const [method, path] of [
      ['GET', '/v1/workflow-runs/wfr_nope'],
      ['GET', '/v1/workflow-runs/wfr_nope/events'],
      ['POST', '/v1/workflow-runs/wfr_nope/cancel'],
      ['POST', '/v1/workflow-runs/wfr_nope/resume'],
      ['POST', '/v1/workflows/nope/dispatch'],
    ] as const) {
      expect((await call(method, path, method === 'POST' ? {} : undefined)).status, path).toBe(404);
    }
    expect((await call('GET', '/v1/workflow-runs?status=exploded')).body.error.message).toMatch(/status must be one of/);
    expect((await call('GET', '/v1/workflow-runs?cursor=abc')).status).toBe(400);
    expect((await call('GET', '/v1/workflow-runs?limit=0')).status).toBe(400);
    expect((await call('POST', '/v1/workflows/typed/dispatch', { inputs: { n: 1 } }, null)).status).toBe(401);
    expect((await call('POST', '/v1/workflows/typed/dispatch', { inputs: { n: 1 } }, 'wrong')).status).toBe(401);
    expect((await call('POST', '/v1/workflows/typed/dispatch', { inputs: { n: 'x' } })).status).toBe(422);
    expect((await call('POST', '/v1/workflows/typed/dispatch', { inputs: { n: 1 }, extra: 1 })).status).toBe(400);
    const dispatched = await call('POST', '/v1/workflows/typed/dispatch', { inputs: { n: 1 } });
    expect(dispatched.status).toBe(201);
    const id = dispatched.body.workflow_run_id;
    const view = await call('GET', `/v1/workflow-runs/${id}`);
    expect(view.body).toMatchObject({ status: 'running', trigger: 'dispatch', inputs: { n: 1, mode: 'safe' } });
    // Its job waits for an executor nobody serves: the run is in flight.
    expect((await call('POST', `/v1/workflow-runs/${id}/resume`, {})).status).toBe(409);
    expect((await call('POST', `/v1/workflow-runs/${id}/cancel`, { reason: 42 })).status).toBe(400);
    const cancelled = await call('POST', `/v1/workflow-runs/${id}/cancel`, {});
    expect([200, 202]).toContain(cancelled.status);
    // A workflow's root session is not resumed as a session.
    const resumeRoot = await call('POST', `/v1/sessions/${view.body.root_session_id}/resume`, { prompt: 'again' });
    expect(resumeRoot.status).toBe(409);
    expect(resumeRoot.body.error.message).toMatch(/workflow resume/);
  });
});
