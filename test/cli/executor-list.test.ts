import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverExecutors } from '../../lib/discovery/discover-executors.js';
import { executorListTable } from '../../lib/cli/executor-list.js';
import { makeStyle } from '../../lib/cli/style.js';
import { FIXTURE_EXECUTORS, ROOT, tempDir } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';

let cwd: { dir: string; cleanup: () => void };
beforeEach(() => {
  cwd = tempDir();
});
afterEach(() => cwd.cleanup());

describe('agent-runner --executor-list', () => {
  it('prints a table of the shipped executors, and folders with problems under their row', async () => {
    mkdirSync(join(cwd.dir, 'executors', 'half-done'), { recursive: true });
    const { code, stdout, stderr } = await runCli(['--executor-list'], { cwd: cwd.dir });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+DESCRIPTION\s+SOURCE\s+STATUS$/);
    expect(lines.slice(1).map((l) => (l.startsWith('  ') ? l : l.split(/\s{2,}/)[0]))).toEqual([
      'claude-code',
      'half-done',
      '  ! no ao-*-exec file in the folder',
      'python-echo',
      'sh-echo',
      'shell',
      'test-executor',
    ]);
    expect(lines[2]).toMatch(/^half-done\s+-\s+\.\/executors\s+unusable$/);
    expect(lines.find((l) => l.startsWith('test-executor'))).toContain(join(ROOT, 'executors'));
  });

  it('--json prints the documented array; a later dir overrides by name and says so', async () => {
    cpSync(join(ROOT, 'executors', 'sh-echo'), join(cwd.dir, 'executors', 'test-executor'), { recursive: true });
    const { code, stdout } = await runCli(['--executor-list', '--json', '--executors-dir', FIXTURE_EXECUTORS], { cwd: cwd.dir });
    expect(code).toBe(0);
    const list = JSON.parse(stdout) as Array<Record<string, unknown>>;
    const byName = Object.fromEntries(list.map((e) => [e.name, e]));
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['test-executor', 'sh-echo', 'python-echo', 'flood', 'slow-echo']));
    expect(byName['test-executor']).toEqual({
      name: 'test-executor',
      path: join(cwd.dir, 'executors', 'test-executor', 'ao-sh-echo-exec'),
      dir: join(cwd.dir, 'executors', 'test-executor'),
      source_dir: join(cwd.dir, 'executors'),
      source: 'cwd',
      description: 'Example executor in POSIX sh + awk: echoes the prompt',
      version: '1.0.0',
      capabilities: { resume: true },
      usable: true,
      problems: [],
      overrides: [join(ROOT, 'executors', 'test-executor')],
    });
    expect(byName.flood).toMatchObject({ source: 'flag', source_dir: FIXTURE_EXECUTORS, usable: true });
  });

  it('reads AGENT_RUNNER_EXECUTORS_PATH (several dirs, : separated)', async () => {
    const { stdout } = await runCli(['-l', '--json'], { cwd: cwd.dir, env: { AGENT_RUNNER_EXECUTORS_PATH: `/nonexistent:${FIXTURE_EXECUTORS}` } });
    const flood = (JSON.parse(stdout) as Array<Record<string, unknown>>).find((e) => e.name === 'flood');
    expect(flood).toMatchObject({ source: 'env', source_dir: FIXTURE_EXECUTORS });
  });

  it('says where it looked when nothing was found', () => {
    const empty = join(cwd.dir, 'empty');
    mkdirSync(empty);
    const discovery = discoverExecutors([
      { dir: empty, source: 'flag' },
      { dir: join(cwd.dir, 'absent'), source: 'env' },
    ]);
    expect(executorListTable(discovery, makeStyle(process.stdout), cwd.dir)).toBe(
      'No executors found. Looked in:\n  ./empty  (--executors-dir)\n  ./absent  (AGENT_RUNNER_EXECUTORS_PATH, not found)\n',
    );
  });
});

describe('agent-runner --executor / --executor-path (the daemon refuses what it cannot serve)', () => {
  it('exits 2 for an unknown name, listing the available ones and a close match', async () => {
    const { code, stderr } = await runCli(['-x', 'tset-executor'], { cwd: cwd.dir });
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^agent-runner: unknown executor "tset-executor". Available: claude-code, python-echo, sh-echo, shell, test-executor. Did you mean "test-executor"\? \(looked in /,
    );
  });

  it.each([
    [['--executor-path', 'nope/ao-x-exec'], 'agent-runner: --executor-path nope/ao-x-exec: ao-x-exec does not exist\n'],
    [['-x', 'sh-echo', '--executor-path', 'x'], 'agent-runner: --executor and --executor-path cannot be used together; give one\n'],
  ])('rejects %j with a clear message', async (args, message) => {
    const { code, stderr } = await runCli(args, { cwd: cwd.dir });
    expect(code).toBe(2);
    expect(stderr).toBe(message);
  });

  it.each([
    [['--bogus'], "error: unknown option '--bogus'"],
    [['--executor'], "error: option '-x, --executor <name>' argument missing"],
    [['frobnicate'], "error: unknown command 'frobnicate'"],
  ])('exits 2 on bad flags %j', async (args, message) => {
    const { code, stderr } = await runCli(args, { cwd: cwd.dir });
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});
