import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { apiClient, type Api, eventually, freshDatabase, STORE_KINDS } from '../coordinator/helpers.js';
import { spawnCoordinator, type SpawnedCoordinator } from '../coordinator/spawn-coordinator.js';

const json = (doc: unknown) => JSON.stringify(doc);
const ESC = '\u001b';

describe.each(STORE_KINDS)('agent-runner agents (%s)', (kind) => {
  let work: ReturnType<typeof tempDir>;
  let agentsDir: string;
  let coordinator: SpawnedCoordinator | undefined;
  let drop: (() => Promise<void>) | undefined;
  let api: Api;
  let c: string[];
  const cli = (args: string[], options: { env?: Record<string, string> } = {}) => runCli(args, { cwd: work.dir, ...options });

  // One coordinator per store (each start costs a process): every test starts from the same folder and agents.
  beforeAll(async () => {
    work = tempDir('agents-cli-');
    agentsDir = join(work.dir, 'agents');
    mkdirSync(agentsDir);
    writeFolder();
    const db = await freshDatabase(kind);
    drop = db.drop;
    coordinator = await spawnCoordinator([
      '--database-url',
      db.databaseUrl,
      ...(db.databaseSchema === undefined ? [] : ['--database-schema', db.databaseSchema]),
      '--agents-dir',
      agentsDir,
    ]);
    api = apiClient(coordinator.url);
    c = ['-c', coordinator.url];
  });

  afterAll(async () => {
    await coordinator?.stop();
    await drop?.();
    work?.cleanup();
  });

  function writeFolder(): void {
    for (const file of readdirSync(agentsDir)) rmSync(join(agentsDir, file));
    writeFileSync(join(agentsDir, 'writer.json'), json({ name: 'writer', executor: 'test', description: 'Writes docs' }));
    writeFileSync(join(agentsDir, 'typo.json'), json({ name: 'typo', exectuor: 'test' }));
    writeFileSync(join(work.dir, 'reviewer.json'), json({ name: 'reviewer', description: 'Reviews PRs', executor: 'test', tags: ['ci'] }));
  }

  beforeEach(async () => {
    writeFolder();
    for (const agent of (await api('GET', '/v1/agents')).body.agents) await api('DELETE', `/v1/agents/${agent.name}`);
    expect((await api('POST', '/v1/agents/reload')).body).toMatchObject({ loaded: ['writer'], problems: [{ file: 'typo.json' }] });
  });

  it('lists the agents and the folder\'s problems, the start-up log saying the file, field and suggestion', async () => {
    expect(coordinator!.stderr()).toContain(`agent file ${join(agentsDir, 'typo.json')}: exectuor: unknown field (did you mean \\"executor\\"?); not loaded`);
    const list = await cli(['agents', 'list', ...c]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAME +EXECUTOR +TAGS +DESCRIPTION\nwriter +test +- +Writes docs\n/);
    expect(list.stdout).toContain('Problems in the coordinator\'s agents folder:\n  typo.json: exectuor: unknown field (did you mean "executor"?) (not loaded)\n');
    const asJson = JSON.parse((await cli(['agents', 'list', '--json', ...c])).stdout);
    expect(asJson).toEqual({
      agents: [{ name: 'writer', executor: 'test', description: 'Writes docs' }],
      problems: [expect.objectContaining({ file: 'typo.json', agent: 'typo', kept: false, issues: [{ path: 'exectuor', message: 'unknown field (did you mean "executor"?)' }] })],
    });
  });

  it('shows one agent; an unknown name suggests the closest, a name that is no agent name is refused before any request', async () => {
    const show = await cli(['agents', 'show', 'writer', ...c]);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toEqual({ name: 'writer', executor: 'test', description: 'Writes docs' });
    expect(await cli(['agents', 'show', 'wrter', ...c])).toMatchObject({ code: 1, stderr: 'agent-runner: no agent named "wrter" (did you mean "writer"?)\n' });
    expect(await cli(['agents', 'show', 'nothing-like-it', ...c])).toMatchObject({ code: 1, stderr: 'agent-runner: no agent named "nothing-like-it"\n' });
    for (const name of ['../writer', '..%2Fwriter', '']) {
      const refused = await cli(['agents', 'show', name, ...c]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('is not an agent name');
    }
  });

  it('run --agent with a typo suggests the agent', async () => {
    const run = await cli(['run', '--agent', 'writr', '--detach', 'hello', ...c]);
    expect(run).toMatchObject({ code: 2, stderr: 'agent-runner: agent: no agent named "writr" (did you mean "writer"?)\n' });
  });

  it('validates several files offline: each bad one named with its field and reason, exit 1; all good, exit 0', async () => {
    const files = {
      'ok.json': json({ name: 'ok', executor: 'test', 'x-owner': 'me' }),
      'typos.json': json({ name: 'typos', timout_s: 5, modle: 'x' }),
      'wrong.json': json({ name: 'wrong', tags: [''] }),
      'mismatch.json': json({ name: 'other' }),
      'evil.json': json({ name: '../../etc/passwd' }),
      'syntax.json': '{"name":',
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(work.dir, name), text);
    const res = await cli(['agents', 'validate', ...Object.keys(files), 'missing.json']);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('ok  ok.json: agent ok\n');
    expect(res.stderr.split('\n')).toEqual([
      'typos.json: timout_s: unknown field (did you mean "timeout_s"?)',
      'typos.json: modle: unknown field (did you mean "model"?)',
      'wrong.json: tags[0]: a tag must not be empty',
      'mismatch.json: name: is "other" but the file is named mismatch.json (expected "mismatch")',
      'evil.json: name: name must be letters, digits, ".", "_" or "-" (at most 128)',
      expect.stringMatching(/^syntax\.json: \(root\): not valid JSON/),
      'missing.json: (file): cannot open it: ENOENT',
      '6 of 7 files refused',
      '',
    ]);
    const asJson = JSON.parse((await cli(['agents', 'validate', '--json', 'ok.json', 'typos.json'])).stdout);
    expect(asJson).toEqual({
      files: [
        { file: 'ok.json', ok: true, agent: 'ok' },
        { file: 'typos.json', ok: false, issues: [expect.objectContaining({ path: 'timout_s' }), expect.objectContaining({ path: 'modle' })] },
      ],
    });
    expect(await cli(['agents', 'validate', 'ok.json', 'reviewer.json'])).toMatchObject({ code: 0, stderr: '' });
    expect((await cli(['agents', 'validate'])).code).toBe(2);
  });

  it('shows a hostile field name safely, and exactly with --json', async () => {
    writeFileSync(join(work.dir, 'hostile.json'), json({ name: 'hostile', [`${ESC}]0;pwned\u0007x`]: 1 }));
    const res = await cli(['agents', 'validate', 'hostile.json']);
    expect(res.code).toBe(1);
    expect(res.stderr).not.toContain(ESC);
    expect(res.stderr).toContain('hostile.json: x: unknown field');
    const asJson = JSON.parse((await cli(['agents', 'validate', '--json', 'hostile.json'])).stdout);
    expect(asJson.files[0].issues[0].path).toBe(`${ESC}]0;pwned\u0007x`);
  });

  it('applies files: creates, then updates; one refused file applies none', async () => {
    const created = await cli(['agents', 'apply', 'reviewer.json', ...c]);
    expect(created).toMatchObject({ code: 0, stdout: 'created reviewer (reviewer.json)\n' });
    expect((await api('GET', '/v1/agents/reviewer')).body).toEqual({ name: 'reviewer', description: 'Reviews PRs', executor: 'test', tags: ['ci'] });

    writeFileSync(join(work.dir, 'reviewer.json'), json({ name: 'reviewer', description: 'Reviews carefully', executor: 'test' }));
    const updated = await cli(['agents', 'apply', '--json', 'reviewer.json', ...c]);
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout)).toEqual({ applied: [{ file: 'reviewer.json', agent: 'reviewer', created: false }] });
    expect((await api('GET', '/v1/agents/reviewer')).body).toEqual({ name: 'reviewer', description: 'Reviews carefully', executor: 'test' });

    writeFileSync(join(work.dir, 'fresh.json'), json({ name: 'fresh', executor: 'test' }));
    writeFileSync(join(work.dir, 'bad.json'), json({ name: 'bad', exectuor: 'test' }));
    const refused = await cli(['agents', 'apply', 'fresh.json', 'bad.json', ...c]);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toBe('bad.json: exectuor: unknown field (did you mean "executor"?)\nnothing applied: fix the files above first\n');
    expect((await api('GET', '/v1/agents/fresh')).status).toBe(404);
  });

  it('deletes an agent; an unknown one is exit 1 with a suggestion', async () => {
    expect(await cli(['agents', 'delete', 'writer', ...c])).toMatchObject({ code: 0, stdout: 'deleted writer\n' });
    expect((await api('GET', '/v1/agents/writer')).status).toBe(404);
    expect(await cli(['agents', 'delete', 'writer', ...c])).toMatchObject({ code: 1, stderr: 'agent-runner: no agent named "writer"\n' });
    await api('PUT', '/v1/agents/reviewer', { executor: 'test' });
    expect(await cli(['agents', 'delete', 'reviewr', ...c])).toMatchObject({ code: 1, stderr: 'agent-runner: no agent named "reviewr" (did you mean "reviewer"?)\n' });
  });

  it('reload reads the folder again (exit 1 while a file there is refused); the watch picks changes up by itself', async () => {
    const reload = await cli(['agents', 'reload', ...c]);
    expect(reload.code).toBe(1);
    expect(reload.stdout).toBe(
      `${agentsDir}: loaded writer; removed none\nProblems in the coordinator's agents folder:\n  typo.json: exectuor: unknown field (did you mean "executor"?) (not loaded)\n`,
    );
    writeFileSync(join(agentsDir, 'typo.json'), json({ name: 'typo', executor: 'test' }));
    rmSync(join(agentsDir, 'writer.json'));
    // The watch, not a reload: wait until the coordinator shows the change.
    await eventually(async () => {
      const list = (await api('GET', '/v1/agents')).body;
      return list.problems.length === 0 && list.agents.map((a: { name: string }) => a.name).join() === 'typo';
    });
    expect((await cli(['agents', 'list', ...c])).stdout).toMatch(/^NAME +EXECUTOR +TAGS +DESCRIPTION\ntypo +test +- +\n$/);
    expect(JSON.parse((await cli(['agents', 'reload', '--json', ...c])).stdout)).toEqual({ agents_dir: agentsDir, loaded: ['typo'], removed: [], problems: [] });
  });
});
