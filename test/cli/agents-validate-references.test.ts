// `agents validate` checks a blueprint's references offline, with the coordinator's rules and words: its
// `extends` chain among the files given (a cycle or a chain too deep refused, naming the chain; a base not
// given is a note), its skills against --skills-dir, its shared MCP servers against --mcp-servers.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';

const ESC = '\u001b';

describe('agent-runner agents validate: extends, skills, shared MCP servers', () => {
  let work: ReturnType<typeof tempDir>;
  const cli = (args: string[]) => runCli(['agents', 'validate', ...args], { cwd: work.dir });
  const blueprint = (name: string, doc: Record<string, unknown>) => writeFileSync(join(work.dir, `${name}.json`), JSON.stringify({ name, ...doc }));

  beforeAll(() => {
    work = tempDir('agents-validate-refs-');
    const skills = join(work.dir, 'skills');
    mkdirSync(join(skills, 'pdf-forms'), { recursive: true });
    writeFileSync(join(skills, 'pdf-forms', 'SKILL.md'), '---\nname: pdf-forms\ndescription: Fill PDF forms\n---\nSteps.\n');
    mkdirSync(join(skills, 'broken'));
    writeFileSync(join(skills, 'broken', 'notes.md'), 'no SKILL.md here\n');
    writeFileSync(
      join(work.dir, 'mcp-servers.yaml'),
      'servers:\n  github:\n    url: https://github.example/mcp\n  old-docs:\n    url: https://docs.example/mcp\n    enabled: false\n',
    );
  });
  afterAll(() => work?.cleanup());

  it('follows extends among the files; a base not given is a note, not an error', async () => {
    blueprint('base', { system_prompt: 'base' });
    blueprint('middle', { extends: 'base' });
    blueprint('top', { extends: 'middle' });
    blueprint('orphan', { extends: 'elsewhere' });
    blueprint('grandchild', { extends: 'orphan' });
    const res = await cli(['base.json', 'middle.json', 'top.json', 'orphan.json', 'grandchild.json']);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.stdout.split('\n')).toEqual([
      'ok  base.json: agent base',
      'ok  middle.json: agent middle',
      'ok  top.json: agent top',
      'ok  orphan.json: agent orphan',
      '    note: extends: "elsewhere" is not among the files given: not checked here (the coordinator must have it)',
      'ok  grandchild.json: agent grandchild',
      '    note: extends: "elsewhere" (the base of "orphan") is not among the files given: not checked here (the coordinator must have it)',
      '',
    ]);
    // Without its base among the files, top is fine too (the coordinator may have middle).
    expect(JSON.parse((await cli(['--json', 'top.json'])).stdout)).toEqual({
      files: [{ file: 'top.json', ok: true, agent: 'top', notes: [{ path: 'extends', message: expect.stringContaining('"middle" is not among the files given') }] }],
    });
  });

  it('refuses a cycle and a chain too deep, naming the chain', async () => {
    blueprint('ping', { extends: 'pong' });
    blueprint('pong', { extends: 'ping' });
    const cycle = await cli(['ping.json', 'pong.json']);
    expect(cycle.code).toBe(1);
    expect(cycle.stderr.split('\n')).toEqual(['ping.json: extends: a cycle: ping → pong → ping', 'pong.json: extends: a cycle: pong → ping → pong', '2 of 2 files refused', '']);

    const names = Array.from({ length: 11 }, (_, i) => `level${i}`);
    names.forEach((name, i) => blueprint(name, i === names.length - 1 ? {} : { extends: names[i + 1] }));
    const deep = await cli(names.map((n) => `${n}.json`));
    expect(deep.code).toBe(1);
    expect(deep.stderr).toContain('level0.json: extends: the chain level0 → level1 → level2 → level3 → level4 → level5 → level6 → level7 → level8 → … is deeper than 8 bases\n');
    expect(deep.stdout).toContain('ok  level2.json: agent level2\n');
    const asJson = JSON.parse((await cli(['--json', 'ping.json', 'pong.json'])).stdout);
    expect(asJson.files[0]).toEqual({ file: 'ping.json', ok: false, agent: 'ping', issues: [{ path: 'extends', message: 'a cycle: ping → pong → ping' }] });
  });

  it('checks skills against --skills-dir: unknown with a did-you-mean, a folder not served with its reason', async () => {
    blueprint('skilled', { skills: ['pdf-form', 'broken', 'pdf-forms'] });
    const unchecked = await cli(['skilled.json']);
    expect(unchecked).toMatchObject({ code: 0, stdout: 'ok  skilled.json: agent skilled\n    note: skills: not checked (give --skills-dir DIR to check them)\n' });
    const res = await cli(['--skills-dir', 'skills', 'skilled.json']);
    expect(res.code).toBe(1);
    expect(res.stderr.split('\n')).toEqual([
      'skilled.json: skills[0]: no skill named "pdf-form" in skills (did you mean "pdf-forms"?)',
      'skilled.json: skills[1]: no skill named "broken" in skills; its folder is not served: SKILL.md: missing (every skill folder holds one)',
      '1 of 1 files refused',
      '',
    ]);
    blueprint('fine', { extends: 'skilled', skills: ['pdf-forms'] });
    expect(await cli(['--skills-dir', 'skills', 'fine.json'])).toMatchObject({ code: 0, stderr: '' });
    // A folder that cannot be read is a usage error naming the flag.
    const missing = await cli(['--skills-dir', 'nowhere', 'fine.json']);
    expect(missing).toMatchObject({ code: 2, stderr: 'agent-runner: --skills-dir: cannot read the skills folder nowhere: ENOENT\n' });
  });

  it('checks shared MCP servers against --mcp-servers: unknown, disabled, clashing with mcp_servers; hostile names shown safely', async () => {
    const hostile = `${ESC}]0;pwned\u0007gh`;
    blueprint('tools', { shared_mcp_servers: ['githb', 'old-docs', 'github', hostile] });
    expect((await cli(['tools.json'])).stdout).toContain('note: shared_mcp_servers: not checked (give --mcp-servers FILE to check them)');
    const res = await cli(['--mcp-servers', 'mcp-servers.yaml', 'tools.json']);
    expect(res.code).toBe(1);
    expect(res.stderr).not.toContain(ESC);
    expect(res.stderr.split('\n')).toEqual([
      'tools.json: shared_mcp_servers[0]: no shared MCP server named "githb" in mcp-servers.yaml (did you mean "github"?)',
      'tools.json: shared_mcp_servers[1]: the shared MCP server "old-docs" is disabled (enabled: false in mcp-servers.yaml)',
      'tools.json: shared_mcp_servers[3]: no shared MCP server named "gh" in mcp-servers.yaml',
      '1 of 1 files refused',
      '',
    ]);
    expect(JSON.parse((await cli(['--json', '--mcp-servers', 'mcp-servers.yaml', 'tools.json'])).stdout).files[0].issues[2].message).toContain(hostile);

    // A base's own server of the same name as one the chain shares: resolving it would fail.
    blueprint('own-github', { mcp_servers: { github: { url: 'https://mine.example/mcp' } } });
    blueprint('both', { extends: 'own-github', shared_mcp_servers: ['github'] });
    const clash = await cli(['--mcp-servers', 'mcp-servers.yaml', 'own-github.json', 'both.json']);
    expect(clash.stderr).toBe('both.json: mcp_servers.github: "github" is also in shared_mcp_servers; keep one of them\n1 of 2 files refused\n');

    writeFileSync(join(work.dir, 'bad-servers.yaml'), 'servers:\n  github:\n    url: 3\n');
    const bad = await cli(['--mcp-servers', 'bad-servers.yaml', 'tools.json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^agent-runner: --mcp-servers: MCP servers file bad-servers\.yaml: servers\.github/);
    const unreadable = await cli(['--mcp-servers', 'gone.yaml', 'tools.json']);
    expect(unreadable).toMatchObject({ code: 2, stderr: 'agent-runner: --mcp-servers: MCP servers file gone.yaml: cannot read it (ENOENT)\n' });
  });

  it('refuses two files of one agent name', async () => {
    mkdirSync(join(work.dir, 'other'), { recursive: true });
    writeFileSync(join(work.dir, 'other', 'base.json'), JSON.stringify({ name: 'base' }));
    const res = await cli(['base.json', 'other/base.json']);
    expect(res).toMatchObject({ code: 1, stderr: 'other/base.json: name: "base" is also the agent of base.json (one file per agent)\n1 of 2 files refused\n' });
  });
});
