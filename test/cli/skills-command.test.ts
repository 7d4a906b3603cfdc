// `agent-runner skills list|show` against a real coordinator process serving a skills folder: the table,
// the folder's problems on stderr, one skill's frontmatter and files, an unknown name (exit 1, the closest
// name), a name that is not a skill name (exit 2), and hostile text (escape sequences in a description and
// a file name) shown safely, exactly with --json.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { apiClient, freshDatabase } from '../coordinator/helpers.js';
import { spawnCoordinator, type SpawnedCoordinator } from '../coordinator/spawn-coordinator.js';

const ESC = '\u001b';
const HOSTILE_FILE = `run${ESC}[2J.sh`;

describe('agent-runner skills', () => {
  let work: ReturnType<typeof tempDir>;
  let coordinator: SpawnedCoordinator | undefined;
  let drop: (() => Promise<void>) | undefined;
  let c: string[];
  const cli = (args: string[]) => runCli(['skills', ...args, ...c], { cwd: work.dir });

  beforeAll(async () => {
    work = tempDir('skills-cli-');
    const skills = join(work.dir, 'skills');
    mkdirSync(join(skills, 'pdf-forms', 'scripts'), { recursive: true });
    writeFileSync(join(skills, 'pdf-forms', 'SKILL.md'), '---\nname: pdf-forms\ndescription: Fill PDF forms\nlicense: MIT\n---\nRun scripts/fill.py.\n');
    writeFileSync(join(skills, 'pdf-forms', 'scripts', 'fill.py'), 'print("fill")\n');
    chmodSync(join(skills, 'pdf-forms', 'scripts', 'fill.py'), 0o755);
    mkdirSync(join(skills, 'sneaky'));
    // YAML's "\e" and "\a" are ESC and BEL: a description that would set the terminal's title.
    writeFileSync(join(skills, 'sneaky', 'SKILL.md'), '---\nname: sneaky\ndescription: "Looks \\e]0;pwned\\a fine"\n---\n');
    writeFileSync(join(skills, 'sneaky', HOSTILE_FILE), 'x');
    mkdirSync(join(skills, 'broken'));
    writeFileSync(join(skills, 'broken', 'notes.md'), 'no SKILL.md\n');
    const db = await freshDatabase('sqlite');
    drop = db.drop;
    coordinator = await spawnCoordinator(['--database-url', db.databaseUrl, '--skills-dir', skills]);
    c = ['-c', coordinator.url];
  });
  afterAll(async () => {
    await coordinator?.stop();
    await drop?.();
    work?.cleanup();
  });

  it('lists the skills (name, files, short digest, description); the folder\'s problems go to stderr', async () => {
    const list = (await apiClient(coordinator!.url)('GET', '/v1/skills')).body;
    const digest = (name: string) => list.skills.find((s: { name: string }) => s.name === name).digest.replace(/"/g, '').slice(0, 10);
    const res = await cli(['list']);
    expect(res.code).toBe(0);
    expect(res.stdout).not.toContain(ESC);
    expect(res.stdout.split('\n')).toEqual([
      'NAME       FILES  DIGEST      DESCRIPTION',
      `pdf-forms      2  ${digest('pdf-forms')}  Fill PDF forms`,
      `sneaky         2  ${digest('sneaky')}  Looks  fine`,
      '',
    ]);
    expect(res.stderr).toBe("Problems in the coordinator's skills folder (not served):\n  broken: SKILL.md: missing (every skill folder holds one)\n");
    const asJson = JSON.parse((await cli(['list', '--json'])).stdout);
    expect(asJson).toEqual({ skills: list.skills, problems: list.problems });
    expect(asJson.skills[1].description).toBe(`Looks ${ESC}]0;pwned\u0007 fine`);
  });

  it('shows one skill: its frontmatter and its files; hostile text safe, exact with --json', async () => {
    const res = await cli(['show', 'pdf-forms']);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.stdout).toMatch(/^pdf-forms {2}"[\w-]{22}"\n/);
    expect(res.stdout.split('\n').slice(1)).toEqual([
      'SKILL.md frontmatter:',
      '  name: pdf-forms',
      '  description: Fill PDF forms',
      '  license: MIT',
      'Files (2):',
      '  SKILL.md               86 B',
      '  scripts/fill.py        14 B  executable',
      '',
    ]);
    expect(JSON.parse((await cli(['show', 'pdf-forms', '--json'])).stdout)).toEqual({
      name: 'pdf-forms',
      description: 'Fill PDF forms',
      digest: expect.stringMatching(/^"/),
      frontmatter: { name: 'pdf-forms', description: 'Fill PDF forms', license: 'MIT' },
      files: [
        { path: 'SKILL.md', bytes: 86, executable: false },
        { path: 'scripts/fill.py', bytes: 14, executable: true },
      ],
    });

    const sneaky = await cli(['show', 'sneaky']);
    expect(sneaky.code).toBe(0);
    expect(sneaky.stdout).not.toContain(ESC);
    expect(sneaky.stdout).not.toContain('\u0007');
    expect(sneaky.stdout).toContain('  description: "Looks \\e]0;pwned\\a fine"\n');
    expect(sneaky.stdout).toContain('  run.sh  ');
    const exact = JSON.parse((await cli(['show', 'sneaky', '--json'])).stdout);
    expect(exact.frontmatter.description).toBe(`Looks ${ESC}]0;pwned\u0007 fine`);
    expect(exact.files.map((f: { path: string }) => f.path)).toEqual(['SKILL.md', HOSTILE_FILE]);
  });

  it('an unknown name: exit 1 with the closest name; not a skill name: exit 2 naming why', async () => {
    expect(await cli(['show', 'pdf-form'])).toMatchObject({ code: 1, stdout: '', stderr: 'agent-runner: no skill named "pdf-form" (did you mean "pdf-forms"?)\n' });
    expect(await cli(['show', 'broken'])).toMatchObject({ code: 1, stderr: 'agent-runner: no skill named "broken"\n' });
    const bad = await cli(['show', `../${ESC}[2Jx`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('agent-runner: "../x" is not a skill name: it must be lowercase letters, digits and single hyphens (e.g. "pdf-forms")\n');
  });
});
