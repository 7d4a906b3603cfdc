import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ROOT, tempDir } from '../helpers/fixtures.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'workflows');
const ESC = '\u001b';

// `agent-runner workflow validate|graph`: the built CLI on the fixture files, in a folder of its own.
describe('agent-runner workflow validate', () => {
  const work = tempDir('workflow-cli-');
  const cli = (args: string[], cwd = work.dir) => runCli(args, { cwd });

  beforeAll(() => {
    for (const file of readdirSync(FIXTURES)) if (file.endsWith('.yaml')) copyFileSync(join(FIXTURES, file), join(work.dir, file));
    mkdirSync(join(work.dir, 'broken'));
    for (const file of readdirSync(join(FIXTURES, 'broken'))) copyFileSync(join(FIXTURES, 'broken', file), join(work.dir, 'broken', file));
  });
  afterAll(() => work.cleanup());

  it('says ✔ and the job count for good files (both forms), exit 0', async () => {
    const { code, stdout, stderr } = await cli(['workflow', 'validate', 'code-review-pipeline.yaml', 'deploy-nixos-system.yaml', 'release.yaml']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(
      '✔ code-review-pipeline.yaml: 4 jobs (code-review-pipeline, seed form)\n' +
        '✔ deploy-nixos-system.yaml: 3 jobs (deploy-nixos-system, seed form)\n' +
        '✔ release.yaml: 6 jobs (release, jobs form)\n',
    );
  });

  it('names each issue as file:line:col: path: message, exit 1; good files are still listed', async () => {
    const { code, stdout, stderr } = await cli(['workflow', 'validate', 'release.yaml', 'broken/unknown-need.yaml', 'broken/cycle.yaml', 'broken/alias-bomb.yaml', 'missing.yaml']);
    expect(code).toBe(1);
    expect(stdout).toBe('✔ release.yaml: 6 jobs (release, jobs form)\n');
    expect(stderr).toBe(
      'broken/unknown-need.yaml:9:19: jobs.deploy.needs[1]: unknown job "biuld" (did you mean "build"?)\n' +
        'broken/cycle.yaml:4:5: jobs.a.needs: cycle: a → c → b → a (a job cannot wait for itself)\n' +
        'broken/alias-bomb.yaml: (root): refused: Excessive alias count indicates a resource exhaustion attack (aliases expand to more than 100 nodes)\n' +
        'missing.yaml: (file): cannot be read: ENOENT\n' +
        '4 of 5 files refused\n',
    );
  });

  it('refuses every broken fixture, each with a located issue', async () => {
    const files = readdirSync(join(work.dir, 'broken')).map((f) => join('broken', f));
    const { code, stderr } = await cli(['workflow', 'validate', ...files]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${files.length} of ${files.length} files refused`);
    const located = stderr.split('\n').filter((line) => /^broken\/[\w-]+\.yaml:\d+:\d+: /.test(line));
    // All but the alias bomb (refused before any place in the file is known).
    expect(located).toHaveLength(files.length - 1);
  });

  it('prints JSON with --json', async () => {
    const { code, stdout } = await cli(['workflow', 'validate', '--json', 'release.yaml', 'broken/self-need.yaml']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      files: [
        { file: 'release.yaml', ok: true, name: 'release', form: 'jobs', jobs: 6 },
        { file: 'broken/self-need.yaml', ok: false, issues: [{ path: 'jobs.a.needs[0]', message: 'job "a" cannot need itself', line: 4, col: 13 }] },
      ],
    });
  });

  it('checks agents against ./agents and nested workflows against ./workflows when those folders exist', async () => {
    const dir = join(work.dir, 'project');
    mkdirSync(join(dir, 'agents'), { recursive: true });
    mkdirSync(join(dir, 'workflows'));
    for (const agent of ['project-import', 'code-reviewer', 'webapp-testing', 'internal-comms']) writeFileSync(join(dir, 'agents', `${agent}.json`), '{}');
    writeFileSync(join(dir, 'workflows', 'publish.yaml'), 'name: publish-site\njobs:\n  a: {run: echo}\n');
    writeFileSync(join(dir, 'nested.yaml'), 'name: nested\njobs:\n  ok: {workflow: publish-site}\n  typo: {workflow: publish-sit}\n');
    copyFileSync(join(FIXTURES, 'code-review-pipeline.yaml'), join(dir, 'pipeline.yaml'));
    const { code, stderr } = await cli(['workflow', 'validate', 'pipeline.yaml', 'nested.yaml'], dir);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'pipeline.yaml:10:11: workflow.steps[1].parallel[0].skill: unknown agent "code-review" (did you mean "code-reviewer"?)\n' +
        'nested.yaml:4:10: jobs.typo.workflow: unknown workflow "publish-sit" (did you mean "publish-site"?)\n' +
        '2 of 2 files refused\n',
    );
    // Without the folders, names are not checked.
    expect((await cli(['workflow', 'validate', join(dir, 'pipeline.yaml')])).code).toBe(0);
  });

  it('checks executors only with --check-executors', async () => {
    writeFileSync(join(work.dir, 'executor.yaml'), 'name: ex\njobs:\n  a: {executor: no-such-executor}\n');
    expect((await cli(['workflow', 'validate', 'executor.yaml'])).code).toBe(0);
    const { code, stderr } = await cli(['workflow', 'validate', '--check-executors', 'executor.yaml']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^executor\.yaml:3:7: jobs\.a\.executor: unknown executor "no-such-executor"/);
  });

  it('shows hostile text from a file without its escape sequences', async () => {
    writeFileSync(join(work.dir, 'escape.yaml'), `workflow:\n  name: esc\n  steps:\n    - skill: a\n      depends_on: ["\\e[2J\\e]0;pwned\\a"]\n`);
    const { code, stderr } = await cli(['workflow', 'validate', 'escape.yaml']);
    expect(code).toBe(1);
    expect(stderr).not.toContain(ESC);
    expect(stderr).toContain('unknown skill');
  });
});

describe('agent-runner workflow graph', () => {
  it('prints the Mermaid flowchart of a file', async () => {
    const { code, stdout } = await runCli(['workflow', 'graph', join(FIXTURES, 'code-review-pipeline.yaml')]);
    expect(code).toBe(0);
    expect(stdout).toBe(`flowchart TD
  j0["project-import<br/>project-import"]
  j1["code-review<br/>code-review"]
  j2["webapp-testing<br/>webapp-testing"]
  j3["internal-comms<br/>internal-comms"]
  j0 --> j1
  j0 --> j2
  j1 --> j3
  j2 --> j3
`);
  });

  it('prints the issues of a bad file instead, exit 1', async () => {
    const file = join(FIXTURES, 'broken', 'cycle.yaml');
    const { code, stdout, stderr } = await runCli(['workflow', 'graph', file]);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toBe(`${file}:4:5: jobs.a.needs: cycle: a → c → b → a (a job cannot wait for itself)\n`);
  });
});
