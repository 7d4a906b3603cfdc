import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openProjectState } from '../../lib/state/project-state.js';
import { projectStateDir, stateRoot, STATE_DIR_ENV } from '../../lib/state/state-dir.js';
import { freePort, useRunnerKit } from '../runner/runner-kit.js';

const mode = (path: string) => statSync(path).mode & 0o777;
const SECRET = 'a'.repeat(64);

/** Every folder from the state root down to `dir`, and every file in `dir`, with its permissions. */
function permissions(root: string, dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (let d = dir; d.startsWith(root); d = join(d, '..')) out[d] = mode(d);
  for (const f of readdirSync(dir)) out[join(dir, f)] = mode(join(dir, f));
  return out;
}

describe('the runner keeps its state outside the project folder (issue 11, item 13)', () => {
  const kit = useRunnerKit();

  it('an executor of the embedded `run` finds neither the MCP key nor the database in its project folder; state is 0700/0600', async () => {
    const cwd = kit().tempDir();
    const state = join(kit().tempDir(), 'state');
    const env = { AGENT_RUNNER_LOCAL_PORT: String(await freePort()), [STATE_DIR_ENV]: state };
    const run = await kit().cli(['run', '-x', 'print-env', 'x', '--json'], { cwd, env });
    expect(run.code, run.stderr).toBe(0);
    const outcome = JSON.parse(run.stdout.trimEnd().split('\n').at(-1)!);
    expect(outcome.result.result_data.files).toEqual([]);
    expect(existsSync(join(cwd, '.agent-runner'))).toBe(false);

    // AGENT_RUNNER_STATE_DIR moved it: the project's folder there holds the key and the database.
    const dir = projectStateDir(cwd, env);
    expect(dir.startsWith(`${state}/projects/`)).toBe(true);
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['mcp-secret', 'coordinator.db']));
    for (const [path, bits] of Object.entries(permissions(state, dir))) {
      expect([path, bits.toString(8)]).toEqual([path, statSync(path).isDirectory() ? '700' : '600']);
    }
    // A later command in the same folder sees the same database.
    const listed = await kit().cli(['sessions', 'list', '--json'], { cwd, env });
    expect(JSON.parse(listed.stdout).sessions.map((s: { session_id: string }) => s.session_id)).toEqual([outcome.session_id]);
  });

  it('the database and its -wal/-shm files are 0600 while a runner daemon with an embedded coordinator holds them', async () => {
    const state = join(kit().tempDir(), 'state');
    const daemon = await kit().daemon(['-x', 'sh-echo'], { [STATE_DIR_ENV]: state });
    const dir = projectStateDir(daemon.cwd, { [STATE_DIR_ENV]: state });
    const files = readdirSync(dir).filter((f) => f.startsWith('coordinator.db'));
    expect(files.sort()).toEqual(['coordinator.db', 'coordinator.db-shm', 'coordinator.db-wal']);
    for (const f of files) expect([f, mode(join(dir, f)).toString(8)]).toEqual([f, '600']);
  });

  it('moves an old ./.agent-runner/ into the state folder on first start, says so once, and keeps its sessions', async () => {
    // Make real old state: a run on a state folder, whose files then go back to where old versions kept them.
    const cwd = kit().tempDir();
    const before = join(kit().tempDir(), 'before');
    const port = { AGENT_RUNNER_LOCAL_PORT: String(await freePort()) };
    const first = await kit().cli(['run', '-x', 'sh-echo', 'from the old version', '--json'], { cwd, env: { ...port, [STATE_DIR_ENV]: before } });
    expect(first.code, first.stderr).toBe(0);
    const sessionId = JSON.parse(first.stdout.trimEnd().split('\n').at(-1)!).session_id as string;
    cpSync(projectStateDir(cwd, { [STATE_DIR_ENV]: before }), join(cwd, '.agent-runner'), { recursive: true });
    const oldSecret = readFileSync(join(cwd, '.agent-runner', 'mcp-secret'), 'utf8');

    const after = join(kit().tempDir(), 'after');
    const env = { ...port, [STATE_DIR_ENV]: after, AGENT_RUNNER_LOG_LEVEL: 'info' };
    const listed = await kit().cli(['sessions', 'list', '--json'], { cwd, env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).sessions.map((s: { session_id: string }) => s.session_id)).toEqual([sessionId]);
    expect(listed.stderr).toContain('moved agent-runner state from');
    expect(existsSync(join(cwd, '.agent-runner'))).toBe(false);
    const dir = projectStateDir(cwd, { [STATE_DIR_ENV]: after });
    expect(readFileSync(join(dir, 'mcp-secret'), 'utf8')).toBe(oldSecret);
    for (const f of readdirSync(dir)) expect([f, mode(join(dir, f)).toString(8)]).toEqual([f, '600']);

    const again = await kit().cli(['sessions', 'list', '--json'], { cwd, env });
    expect(again.stderr).not.toContain('moved agent-runner state');
  });

  it('never overwrites newer state with an old file: the old one stays where it was, with a warning', () => {
    const cwd = kit().tempDir();
    const env = { [STATE_DIR_ENV]: join(kit().tempDir(), 'state') };
    const dir = openProjectState(cwd, undefined, env);
    writeFileSync(join(dir, 'mcp-secret'), `${SECRET}\n`);
    mkdirSync(join(cwd, '.agent-runner'));
    writeFileSync(join(cwd, '.agent-runner', 'mcp-secret'), `${'b'.repeat(64)}\n`);
    writeFileSync(join(cwd, '.agent-runner', 'invoke-sessions.json'), '{}\n');
    const notices: string[] = [];
    openProjectState(cwd, { info: (_d, m) => notices.push(`info ${m}`), warn: (_d, m) => notices.push(`warn ${m}`) }, env);
    expect(readFileSync(join(dir, 'mcp-secret'), 'utf8')).toBe(`${SECRET}\n`);
    expect(readdirSync(join(cwd, '.agent-runner'))).toEqual(['mcp-secret']);
    expect(existsSync(join(dir, 'invoke-sessions.json'))).toBe(true);
    expect(notices).toEqual([expect.stringMatching(/^info moved agent-runner state from /), expect.stringMatching(/^warn left mcp-secret in .* already holds newer state$/)]);
    rmSync(join(cwd, '.agent-runner'), { recursive: true });
  });

  it('a state root that already exists keeps its mode; the folders agent-runner makes under it are 0700', () => {
    const root = kit().tempDir();
    chmodSync(root, 0o755);
    const dir = openProjectState(kit().tempDir(), undefined, { [STATE_DIR_ENV]: root });
    expect(mode(root).toString(8)).toBe('755');
    expect(mode(join(root, 'projects')).toString(8)).toBe('700');
    expect(mode(dir).toString(8)).toBe('700');
  });

  it('the state root is AGENT_RUNNER_STATE_DIR, else $XDG_STATE_HOME/agent-runner, else ~/.local/state/agent-runner', () => {
    expect(stateRoot({ [STATE_DIR_ENV]: '/s', XDG_STATE_HOME: '/x', HOME: '/h' })).toBe('/s');
    expect(stateRoot({ XDG_STATE_HOME: '/x', HOME: '/h' })).toBe('/x/agent-runner');
    expect(stateRoot({ XDG_STATE_HOME: 'relative', HOME: '/h' })).toBe('/h/.local/state/agent-runner');
    expect(stateRoot({ HOME: '/h' })).toBe('/h/.local/state/agent-runner');
    // Two projects of the same name never share a folder.
    expect(projectStateDir('/a/app', { HOME: '/h' })).not.toBe(projectStateDir('/b/app', { HOME: '/h' }));
    expect(projectStateDir('/a/app', { HOME: '/h' })).toMatch(/^\/h\/\.local\/state\/agent-runner\/projects\/app-[0-9a-f]{12}$/);
  });
});
