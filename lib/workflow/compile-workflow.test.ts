import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../test/helpers/fixtures.js';
import { topologicalOrder } from './topological-order.js';
import { NO_RETRY, type JobDef, type WorkflowDef } from './model.js';
import { validateWorkflow } from './validate-workflow.js';

const compile = (text: string): WorkflowDef => {
  const { def, issues } = validateWorkflow(text);
  expect(issues).toEqual([]);
  return def!;
};
const job = (def: WorkflowDef, id: string): JobDef => def.jobs.find((j) => j.id === id)!;

describe('the seed form', () => {
  it('runs steps in order, suffixes a repeated skill, resolves depends_on to the latest earlier step of that skill', () => {
    const def = compile(`workflow:
  name: repeats
  description: twice the same skill
  steps:
    - skill: lint
    - skill: fix
      action: fix what lint found
      params: {strict: true}
    - skill: lint
    - parallel:
        - skill: report
          depends_on: [lint]
        - skill: notify
    - skill: archive
`);
    expect(def).toMatchObject({ name: 'repeats', description: 'twice the same skill', form: 'seed', inputs: {}, budget: null, timeout_s: null, schedules: [] });
    expect(def.jobs.map((j) => [j.id, j.needs])).toEqual([
      ['lint', []],
      ['fix', ['lint']],
      ['lint-2', ['fix']],
      ['report', ['lint-2']],
      ['notify', ['lint-2']],
      ['archive', ['report', 'notify']],
    ]);
    expect(job(def, 'fix')).toMatchObject({ kind: 'agent', agent: 'fix', executor: null, prompt: 'fix what lint found', with: { strict: true }, retry: NO_RETRY, at: { line: 6, col: 7 } });
    expect(job(def, 'lint-2')).toMatchObject({ agent: 'lint', prompt: null, with: {} });
  });

  it('refuses a step without a skill, and fields beside parallel', () => {
    const { issues } = validateWorkflow('workflow:\n  name: x\n  steps:\n    - action: do it\n');
    expect(issues).toEqual([{ path: 'workflow.steps[0].skill', message: 'is required (a step names its skill, or is a parallel: [...] group)', line: 4, col: 7 }]);
  });
});

describe('the jobs form', () => {
  const release = compile(readFileSync(join(ROOT, 'test', 'fixtures', 'workflows', 'release.yaml'), 'utf8'));

  it('keeps the workflow fields: inputs typed with defaults, budget, timeout in seconds, schedules', () => {
    expect(release).toMatchObject({
      name: 'release',
      form: 'jobs',
      budget: { usd: 5, max_sessions: 50 },
      timeout_s: 3_600,
      schedules: [{ cron: '0 9 * * 1-5', timezone: null }],
      inputs: {
        topic: { type: 'string', description: null, required: true, options: null },
        count: { type: 'number', required: false, default: 4, options: null },
        env: { type: 'choice', default: 'staging', options: ['staging', 'production'] },
      },
    });
    expect('default' in release.inputs.topic!).toBe(false);
  });

  it('folds defaults into each job: timeout, retry field by field, tags, executor beside an agent', () => {
    expect(job(release, 'plan')).toMatchObject({
      kind: 'agent',
      agent: 'planner',
      executor: 'claude-code',
      timeout_s: 600,
      retry: { max: 2, backoff: 'exponential', initial_s: 5, max_delay_s: 60 },
      tags: ['release'],
      priority: 0,
      outputs: { files: '${{ data.files }}' },
      continue_on_error: false,
      if: null,
    });
    expect(job(release, 'lint')).toMatchObject({ kind: 'run', run: 'npm run lint -- ${{ inputs.env }}', agent: null, executor: null, timeout_s: 90, continue_on_error: true, needs: ['write'] });
    expect(job(release, 'rollback')).toMatchObject({ kind: 'run', if: 'failure()', priority: 5 });
  });

  it('compiles a matrix (an expression axis and a list), a gate, a nested workflow with its condition unwrapped', () => {
    expect(job(release, 'write').matrix).toEqual({
      axes: { file: '${{ fromJSON(jobs.plan.outputs.files) }}', tone: ['plain', 'lively'] },
      include: [],
      exclude: [{ tone: 'lively' }],
      max_parallel: 4,
      fail_fast: false,
    });
    expect(job(release, 'review').gate).toEqual({ question: 'Publish ${{ inputs.topic }}?', options: null, details: null, urgency: 'high', timeout_s: 3_600, on_timeout: 'deny' });
    expect(job(release, 'publish')).toMatchObject({ kind: 'workflow', workflow: 'publish-site', if: "success() && inputs.env == 'production'", with: { files: '${{ jobs.plan.outputs.files }}' }, needs: ['review', 'plan'] });
  });

  it('reads needs as a string or a list, depends_on as its alias, and orders jobs after what they need (file order among the ready)', () => {
    const def = compile(`name: order
jobs:
  d: {needs: [b, c], run: echo d}
  c: {depends_on: a, run: echo c}
  b: {needs: a, run: echo b}
  a: {run: echo a}
  e: {run: echo e}
`);
    expect(def.jobs.map((j) => j.id)).toEqual(['a', 'c', 'b', 'd', 'e']);
    expect(job(def, 'c').needs).toEqual(['a']);
  });

  it('takes gate as a string, choices with options, schedules as a list with time zones, agent + executor, a job without kind from defaults', () => {
    const def = compile(`name: forms
defaults: {agent: helper, priority: 3}
on:
  schedule:
    - "*/5 * * * *"
    - {cron: "0 9 * * 1-5", timezone: Europe/Paris}
jobs:
  ask: {gate: "Ship it?"}
  pick:
    gate: {question: Which?, options: [a, b], details: more, urgency: low, timeout: 30m}
  override: {agent: writer, executor: codex, retry: {max: 1}}
  plain: {prompt: hello, if: false, continue-on-error: true, timeout: 1h30m}
`);
    expect(def.schedules).toEqual([
      { cron: '*/5 * * * *', timezone: null },
      { cron: '0 9 * * 1-5', timezone: 'Europe/Paris' },
    ]);
    expect(job(def, 'ask').gate).toEqual({ question: 'Ship it?', options: null, details: null, urgency: 'normal', timeout_s: null, on_timeout: 'deny' });
    expect(job(def, 'pick').gate).toEqual({ question: 'Which?', options: ['a', 'b'], details: 'more', urgency: 'low', timeout_s: 1_800, on_timeout: null });
    expect(job(def, 'override')).toMatchObject({ agent: 'writer', executor: 'codex', retry: { ...NO_RETRY, max: 1 }, priority: 3 });
    expect(job(def, 'plain')).toMatchObject({ kind: 'agent', agent: 'helper', prompt: 'hello', if: 'false', continue_on_error: true, timeout_s: 5_400 });
    expect(def.defaults).toEqual({ agent: 'helper', priority: 3 });
  });

  it('reads include-only matrices and matrix values of any JSON type', () => {
    const def = compile(`name: m
jobs:
  t:
    run: echo \${{ matrix.os }} \${{ matrix.cfg }}
    strategy:
      matrix:
        include: [{os: linux, cfg: {a: 1}}, {os: mac}]
`);
    expect(job(def, 't').matrix).toMatchObject({ axes: {}, include: [{ os: 'linux', cfg: { a: 1 } }, { os: 'mac' }], fail_fast: true, max_parallel: null });
  });
});

describe('topologicalOrder', () => {
  const j = (id: string, needs: string[] = []) => ({ id, needs }) as JobDef;

  it('puts a cycle\'s jobs last in file order and ignores unknown needs', () => {
    expect(topologicalOrder([j('x', ['y']), j('a', ['nope']), j('y', ['x']), j('b', ['a'])]).map((x) => x.id)).toEqual(['a', 'b', 'x', 'y']);
  });

  it('is linear enough for a wide DAG of 2,000 jobs', () => {
    const jobs = Array.from({ length: 2_000 }, (_, i) => j(`j${i}`, i < 10 ? [] : [`j${i - 10}`, `j${i - 1 - (i % 10)}`]));
    const order = topologicalOrder(jobs).map((x) => x.id);
    const at = new Map(order.map((id, i) => [id, i]));
    for (const job of jobs) for (const n of job.needs) expect(at.get(n)!).toBeLessThan(at.get(job.id)!);
  });
});
