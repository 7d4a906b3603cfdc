import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../test/helpers/fixtures.js';
import { MAX_WORKFLOW_JOBS } from '../../protocol/workflows.js';
import { MAX_WORKFLOW_FILE_BYTES } from './read-workflow-file.js';
import { validateWorkflow, validateWorkflowDocument } from './validate-workflow.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'workflows');
const read = (...parts: string[]) => readFileSync(join(FIXTURES, ...parts), 'utf8');
const needsOf = (text: string) => {
  const { def, issues } = validateWorkflow(text);
  expect(issues).toEqual([]);
  return Object.fromEntries(def!.jobs.map((j) => [j.id, j.needs]));
};

describe('DESIGN Appendix A, verbatim', () => {
  it('deploy-nixos-system: a chain by depends_on', () => {
    expect(needsOf(read('deploy-nixos-system.yaml'))).toEqual({
      'nixos-deployment': [],
      'health-monitoring': ['nixos-deployment'],
      'ai-service-management': ['health-monitoring'],
    });
  });

  it('code-review-pipeline: a parallel group after the import, the report after both', () => {
    expect(needsOf(read('code-review-pipeline.yaml'))).toEqual({
      'project-import': [],
      'code-review': ['project-import'],
      'webapp-testing': ['project-import'],
      'internal-comms': ['code-review', 'webapp-testing'],
    });
    const { def } = validateWorkflow(read('code-review-pipeline.yaml'));
    const review = def!.jobs.find((j) => j.id === 'code-review')!;
    expect(review).toMatchObject({ kind: 'agent', agent: 'code-review', prompt: 'review_changes', with: {}, at: { line: 10, col: 11 } });
    expect(def!.jobs[0]).toMatchObject({ agent: 'project-import', prompt: 'import_github', with: { repo: 'user/repo' } });
  });

  it('accepts them with agents of those names known, and names an unknown one', () => {
    const agents = new Set(['project-import', 'code-review', 'webapp-testing', 'internal-comms']);
    expect(validateWorkflow(read('code-review-pipeline.yaml'), { known: { agents } }).issues).toEqual([]);
    agents.delete('code-review');
    agents.add('code-reviewer');
    expect(validateWorkflow(read('code-review-pipeline.yaml'), { known: { agents } }).issues).toEqual([
      { path: 'workflow.steps[1].parallel[0].skill', message: 'unknown agent "code-review" (did you mean "code-reviewer"?)', line: 10, col: 11 },
    ]);
  });
});

/** Each broken file: where its one issue is (line:col, null when it is the file as a whole), its path and message. */
const BROKEN: Array<[string, string | null, string, string]> = [
  ['alias-bomb.yaml', null, "(root)", "refused: Excessive alias count indicates a resource exhaustion attack (aliases expand to more than 100 nodes)"],
  ['bad-cron.yaml', '4:7', "on.schedule[0].cron", "\"0 25 * * *\" is not a valid cron: Constraint error, got value 25 expected range 0-23"],
  ['bad-duration.yaml', '5:5', "jobs.a.timeout", "\"10 minutes\" is not a duration (use e.g. 500ms, 30s, 5m, 1h30m)"],
  ['bad-expression.yaml', '5:5', "jobs.a.prompt", "${{ inputs.topic == }}: Unexpected end of expression: '=='"],
  ['bad-job-id.yaml', '3:3', "jobs.1st", "a job id must be letters, digits, \"_\" or \"-\", starting with a letter or \"_\""],
  ['bad-timezone.yaml', '5:7', "on.schedule[0].timezone", "unknown time zone \"Mars/Olympus\" (use an IANA name like \"Europe/Paris\" or \"UTC\")"],
  ['choice-default.yaml', '6:5', "inputs.env.default", "must be one of \"staging\", \"production\""],
  ['cycle.yaml', '4:5', "jobs.a.needs", "cycle: a → c → b → a (a job cannot wait for itself)"],
  ['duplicate-key.yaml', '5:3', "(root)", "duplicate key: \"a\" is written twice in the same object"],
  ['if-mixed.yaml', '6:5', "jobs.b.if", "mixes ${{ }} with other text, which makes it a string that is always true: put the whole condition in one ${{ }}, or none"],
  ['job-field-typo.yaml', '7:7', "jobs.a.retry.backof", "unknown field \"backof\" (did you mean \"backoff\"?)"],
  ['job-not-needed.yaml', '7:5', "jobs.write.prompt", "${{ jobs.plan.outputs.outline }}: jobs.plan is read but \"plan\" is not among the jobs \"write\" needs (add it to needs)"],
  ['matrix-axis-not-list.yaml', '6:9', "jobs.test.strategy.matrix.node", "matrix axis \"node\" must be a list of values or one ${{ }} expression giving a list"],
  ['matrix-empty-axis.yaml', '6:9', "jobs.test.strategy.matrix.node", "matrix axis \"node\" is an empty list: the job would never run"],
  ['matrix-include-not-object.yaml', '9:13', "jobs.test.strategy.matrix.include[1]", "matrix include[1] must be an object of axis: value"],
  ['matrix-key-missing.yaml', '7:5', "jobs.test.run", "${{ matrix.os }}: unknown matrix key \"os\""],
  ['matrix-too-big.yaml', '5:7', "jobs.test.strategy.matrix", "the matrix expands to more than 5000 instances"],
  ['missing-name.yaml', '1:1', "name", "is required (the workflow's name)"],
  ['needs-and-depends-on.yaml', '6:5', "jobs.b.depends_on", "give needs or depends_on (its alias), not both"],
  ['nested-self.yaml', '4:5', "jobs.again.workflow", "workflow \"recursive\" cannot run itself"],
  ['no-kind.yaml', '3:3', "jobs.idle", "names nothing to run: give one of agent (and/or executor), run, gate, workflow"],
  ['output-context.yaml', '8:7', "jobs.a.outputs.summary", "${{ inputs.x }}: inputs is not available here (use result, data, exit_code, stdout)"],
  ['seed-parallel-mixed.yaml', '7:7', "workflow.steps[1].skill", "a parallel item holds only parallel (put skill in its steps)"],
  ['seed-unknown-depends-on.yaml', '8:20', "workflow.steps[1].depends_on[0]", "unknown skill \"project-imprt\": no step runs it (did you mean \"project-import\"?)"],
  ['self-need.yaml', '4:13', "jobs.a.needs[0]", "job \"a\" cannot need itself"],
  ['status-in-prompt.yaml', '5:5', "jobs.a.prompt", "${{ success() }}: success() is only for if:"],
  ['top-level-list.yaml', '1:1', "(root)", "the file must hold an object (a workflow), not a list"],
  ['two-kinds.yaml', '5:5', "jobs.both.run", "a job runs one thing: it names agent and run"],
  ['unclosed-template.yaml', '4:5', "jobs.a.run", "\"${{\" at character 6 is never closed with \"}}\""],
  ['undeclared-input.yaml', '7:5', "jobs.a.prompt", "${{ inputs.topc }}: unknown input \"topc\" (did you mean \"topic\"?)"],
  ['unknown-context.yaml', '6:5', "jobs.ship.if", "${{ needs.build.result == 'success' }}: unknown context \"needs\" (GitHub's needs.ID is jobs.ID here): use inputs, jobs, matrix (and result, data, exit_code, stdout in outputs)"],
  ['unknown-field.yaml', '5:5', "jobs.b.need", "unknown field \"need\" (did you mean \"needs\"?)"],
  ['unknown-need.yaml', '9:19', "jobs.deploy.needs[1]", "unknown job \"biuld\" (did you mean \"build\"?)"],
  ['yaml-syntax.yaml', '6:1', "(root)", "not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]"],
];

describe('broken files: each issue named with its place', () => {
  it('covers every file of test/fixtures/workflows/broken', () => {
    expect(readdirSync(join(FIXTURES, 'broken')).sort()).toEqual(BROKEN.map(([file]) => file).sort());
    expect(BROKEN.length).toBeGreaterThanOrEqual(20);
  });

  it.each(BROKEN)('%s', (file, at, path, message) => {
    const { def, issues } = validateWorkflow(read('broken', file));
    expect(def).toBeNull();
    expect(issues).toEqual([{ path, message, line: at === null ? null : Number(at.split(':')[0]), col: at === null ? null : Number(at.split(':')[1]) }]);
  });
});

describe('limits and hostile input', () => {
  const jobs = (n: number) => `name: many\njobs:\n${Array.from({ length: n }, (_, i) => `  j${i}: {run: echo}\n`).join('')}`;

  it(`refuses more than ${MAX_WORKFLOW_JOBS} jobs, and accepts that many`, () => {
    expect(validateWorkflow(jobs(MAX_WORKFLOW_JOBS)).def?.jobs).toHaveLength(MAX_WORKFLOW_JOBS);
    expect(validateWorkflow(jobs(MAX_WORKFLOW_JOBS + 1)).issues).toEqual([
      { path: 'jobs', message: `${MAX_WORKFLOW_JOBS + 1} jobs: a workflow may have at most ${MAX_WORKFLOW_JOBS}`, line: 2, col: 1 },
    ]);
  });

  it(`refuses a seed form of more than ${MAX_WORKFLOW_JOBS} steps, counting parallel ones, before any other check`, () => {
    const steps = Array.from({ length: MAX_WORKFLOW_JOBS / 2 }, (_, i) => `    - parallel: [{skill: a${i}}, {skill: b${i}}]\n`).join('');
    expect(validateWorkflow(`workflow:\n  name: big\n  steps:\n${steps}`).def?.jobs).toHaveLength(MAX_WORKFLOW_JOBS);
    expect(validateWorkflow(`workflow:\n  name: big\n  steps:\n${steps}    - skill: one-more\n`).issues).toEqual([
      { path: 'workflow.steps', message: `${MAX_WORKFLOW_JOBS + 1} steps: a workflow may have at most ${MAX_WORKFLOW_JOBS}`, line: 3, col: 3 },
    ]);
  });

  it('answers "does this job wait for that one" for every reference of a long chain (a bit set per job, not a walk per reference)', () => {
    const n = MAX_WORKFLOW_JOBS / 2;
    const chain = (p: string) => Array.from({ length: n }, (_, i) => `  ${p}${i}: {agent: x${i > 0 ? `, needs: ${p}${i - 1}` : ''}, prompt: "\${{ jobs.a0.result }} \${{ jobs.a${n - 1}.result }}"}\n`).join('');
    const { issues } = validateWorkflow(`name: chains\njobs:\n${chain('a')}${chain('b')}`);
    // Every b reads two jobs it does not wait for; each a reads a0 (an ancestor) and a(n-1), which it does not wait for (a0 and the last read themselves).
    expect(issues.filter((i) => i.message.includes('not among the jobs'))).toHaveLength(2 * n + n - 1);
    expect(issues.filter((i) => i.message.includes('cannot read its own result'))).toHaveLength(2);
  });

  it('refuses a huge file without parsing it', () => {
    const text = `name: big\njobs:\n  a: {run: echo}\n#${'x'.repeat(MAX_WORKFLOW_FILE_BYTES)}\n`;
    expect(validateWorkflow(text).issues[0]!.message).toBe(`the file is larger than ${MAX_WORKFLOW_FILE_BYTES} bytes`);
  });

  it('refuses nesting too deep to walk, flow or block', () => {
    expect(validateWorkflow(`name: deep\njobs:\n  a: {run: echo, with: {x: ${'['.repeat(100_000)}}}`).issues[0]!.message).toMatch(/nested too deep|not valid YAML/);
    expect(validateWorkflow(`name: deep\njobs:\n  a: {run: echo, with: {x: ${'['.repeat(80)}${']'.repeat(80)}}}`).issues[0]!.message).toBe('nested deeper than 64 levels of lists and objects');
  });

  it('refuses NUL characters, an empty file, a scalar, JSON that is a list', () => {
    expect(validateWorkflow('name: "a\\0b"\njobs: {a: {run: echo}}').issues[0]!.message).toMatch(/NUL/);
    expect(validateWorkflow('').issues[0]!.message).toBe('the file must hold an object (a workflow), not nothing');
    expect(validateWorkflow('just text').issues[0]!.message).toBe('the file must hold an object (a workflow), not string');
    expect(validateWorkflow('[1, 2]').issues[0]!.message).toBe('the file must hold an object (a workflow), not a list');
  });

  it('reads JSON, and a BOM', () => {
    const json = JSON.stringify({ name: 'j', jobs: { a: { run: 'echo' }, b: { needs: 'a', agent: 'x' } } });
    expect(needsOf(`\uFEFF${json}`)).toEqual({ a: [], b: ['a'] });
  });

  it('validates a document given without its text (the API): issues without line:col', () => {
    const { issues } = validateWorkflowDocument({ name: 'api', jobs: { a: { needs: ['b'], run: 'x' } } }, () => null);
    expect(issues).toEqual([{ path: 'jobs.a.needs[0]', message: 'unknown job "b"', line: null, col: null }]);
  });

  it('checks expressions in matrix include and exclude entries too', () => {
    const text = 'name: m\njobs:\n  a:\n    run: echo\n    strategy:\n      matrix:\n        os: [linux]\n        include: [{os: mac, v: "${{ matrix.os }}"}]\n';
    expect(validateWorkflow(text).issues).toEqual([
      { path: 'jobs.a.strategy.matrix.include[0].v', message: '${{ matrix.os }}: a matrix cannot read matrix (it is what the matrix makes)', line: 8, col: 29 },
    ]);
  });

  it('reports every issue of a file, in file order', () => {
    const text = 'name: many-issues\njobs:\n  a:\n    needs: [zz]\n    run: echo ${{ inputs.nope }}\n  b:\n    agent: x\n    if: ${{ matrix.os }}\n';
    const { issues } = validateWorkflow(text);
    expect(issues.map((i) => `${i.line}:${i.col} ${i.path}`)).toEqual(['4:13 jobs.a.needs[0]', '5:5 jobs.a.run', '8:5 jobs.b.if']);
  });
});
