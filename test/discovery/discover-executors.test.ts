import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverExecutors } from '../../lib/discovery/discover-executors.js';
import { closestMatch } from '../../lib/discovery/did-you-mean.js';
import { ExecutorResolutionError, resolveExecutorByName, resolveExecutorPath } from '../../lib/discovery/resolve-executor.js';
import { EXECUTORS_PATH_ENV, executorSearchDirs } from '../../lib/discovery/search-dirs.js';
import type { SearchDir } from '../../lib/discovery/types.js';
import { ROOT, tempDir } from '../helpers/fixtures.js';

let root: { dir: string; cleanup: () => void };
beforeEach(() => {
  root = tempDir();
});
afterEach(() => root.cleanup());

/** Make `<base>/<name>/<file>` with a script body and mode. */
function makeExecutor(base: string, name: string, file = `ao-${name}-exec`, mode = 0o755): string {
  mkdirSync(join(base, name), { recursive: true });
  const path = join(base, name, file);
  writeFileSync(path, '#!/bin/sh\ncat >/dev/null\n');
  chmodSync(path, mode);
  return path;
}

const flagDir = (dir: string): SearchDir => ({ dir, source: 'flag' });

describe('discoverExecutors', () => {
  it('finds an executor folder with one executable ao-*-exec, reading executor.json', () => {
    const path = makeExecutor(root.dir, 'echo');
    writeFileSync(join(root.dir, 'echo', 'executor.json'), JSON.stringify({ description: 'Echoes', version: '2.1', capabilities: { resume: false } }));
    const { executors, searched } = discoverExecutors([flagDir(root.dir)]);
    expect(executors).toEqual([
      {
        name: 'echo',
        dir: join(root.dir, 'echo'),
        path,
        source_dir: root.dir,
        source: 'flag',
        description: 'Echoes',
        version: '2.1',
        capabilities: { resume: false },
        env: [],
        problems: [],
        overrides: [],
      },
    ]);
    expect(searched).toEqual([{ dir: root.dir, source: 'flag', exists: true }]);
  });

  it('reports every broken folder with the reason, never skipping it', () => {
    mkdirSync(join(root.dir, 'empty'));
    makeExecutor(root.dir, 'twice', 'ao-a-exec');
    makeExecutor(root.dir, 'twice', 'ao-b-exec');
    makeExecutor(root.dir, 'no-run-bit', 'ao-x-exec', 0o644);
    mkdirSync(join(root.dir, 'dangling'));
    symlinkSync(join(root.dir, 'nowhere'), join(root.dir, 'dangling', 'ao-dangling-exec'));
    makeExecutor(root.dir, 'bad-json');
    writeFileSync(join(root.dir, 'bad-json', 'executor.json'), '{ nope');
    makeExecutor(root.dir, 'bad-field');
    writeFileSync(join(root.dir, 'bad-field', 'executor.json'), JSON.stringify({ description: 7, capabilities: { resume: 'yes' } }));
    makeExecutor(root.dir, 'bad-env');
    writeFileSync(join(root.dir, 'bad-env', 'executor.json'), JSON.stringify({ env: ['GOOD', 'PREFIX_*', 'bad-name', 7, '*', '*X'] }));
    makeExecutor(root.dir, 'env-not-array');
    writeFileSync(join(root.dir, 'env-not-array', 'executor.json'), JSON.stringify({ env: 'ANTHROPIC_*' }));
    makeExecutor(root.dir, 'unreadable-json');
    mkdirSync(join(root.dir, 'unreadable-json', 'executor.json'));
    mkdirSync(join(root.dir, 'dir-exec', 'ao-dir-exec'), { recursive: true });

    const problems = Object.fromEntries(discoverExecutors([flagDir(root.dir)]).executors.map((e) => [e.name, e.problems]));
    expect(problems).toEqual({
      'bad-field': ['executor.json: description must be a string', 'executor.json: capabilities.resume must be true or false'],
      'bad-env': [
        'executor.json: env[2] "bad-name" is not an environment variable name or a prefix ending in *',
        'executor.json: env[3] must be a string',
        'executor.json: env[4] "*" would pass the whole environment; name the variables or prefixes',
        'executor.json: env[5] "*X" is not an environment variable name or a prefix ending in *',
      ],
      'env-not-array': ['executor.json: env must be an array of environment variable names or prefixes ending in *'],
      'bad-json': [expect.stringMatching(/^executor\.json is not valid JSON: /)],
      dangling: [`ao-dangling-exec is a broken symlink (to ${join(root.dir, 'nowhere')})`],
      'dir-exec': ['ao-dir-exec is a directory, not an executable file'],
      empty: ['no ao-*-exec file in the folder'],
      'no-run-bit': [`ao-x-exec is not executable (mode 644); run: chmod +x ${join(root.dir, 'no-run-bit', 'ao-x-exec')}`],
      twice: ['several ao-*-exec files (ao-a-exec, ao-b-exec); keep exactly one'],
      'unreadable-json': ['executor.json cannot be read (EISDIR)'],
    });
  });

  it('ignores hidden folders and loose files, follows a symlinked executor folder', () => {
    makeExecutor(root.dir, '.hidden');
    writeFileSync(join(root.dir, 'README.md'), 'notes');
    const elsewhere = join(root.dir, 'elsewhere');
    makeExecutor(elsewhere, 'linked');
    const search = join(root.dir, 'search');
    mkdirSync(search);
    symlinkSync(join(elsewhere, 'linked'), join(search, 'linked'));
    writeFileSync(join(search, 'README.md'), 'notes');
    expect(discoverExecutors([flagDir(search)]).executors.map((e) => [e.name, e.problems])).toEqual([['linked', []]]);
  });

  it('lets a later search dir override an earlier one by name, and says what it overrides', () => {
    const a = join(root.dir, 'a');
    const b = join(root.dir, 'b');
    const c = join(root.dir, 'c');
    makeExecutor(a, 'shared');
    makeExecutor(a, 'only-a');
    makeExecutor(b, 'shared');
    makeExecutor(c, 'shared');
    const { executors } = discoverExecutors([
      { dir: a, source: 'cwd' },
      { dir: join(root.dir, 'missing'), source: 'env' },
      { dir: b, source: 'env' },
      { dir: c, source: 'flag' },
    ]);
    const shared = executors.find((e) => e.name === 'shared')!;
    expect(shared.source_dir).toBe(c);
    expect(shared.overrides).toEqual([join(a, 'shared'), join(b, 'shared')]);
    expect(executors.find((e) => e.name === 'only-a')?.source_dir).toBe(a);
  });
});

describe('executorSearchDirs', () => {
  it('orders package, ./executors, AGENT_RUNNER_EXECUTORS_PATH entries, then --executors-dir, without repeats', () => {
    const dirs = executorSearchDirs({
      cwd: root.dir,
      env: { [EXECUTORS_PATH_ENV]: `/opt/one::rel:/opt/one` },
      extraDirs: ['flagged', '/opt/two'],
    });
    expect(dirs).toEqual([
      { dir: join(ROOT, 'executors'), source: 'package' },
      { dir: join(root.dir, 'executors'), source: 'cwd' },
      { dir: '/opt/one', source: 'env' },
      { dir: join(root.dir, 'rel'), source: 'env' },
      { dir: join(root.dir, 'flagged'), source: 'flag' },
      { dir: '/opt/two', source: 'flag' },
    ]);
  });
});

describe('resolving one executor', () => {
  it('resolves a name, and for an unknown one lists the names and a close match', () => {
    makeExecutor(root.dir, 'claude-code');
    makeExecutor(root.dir, 'test-executor');
    const discovery = discoverExecutors([flagDir(root.dir)]);
    expect(resolveExecutorByName('claude-code', discovery).path).toBe(join(root.dir, 'claude-code', 'ao-claude-code-exec'));
    expect(() => resolveExecutorByName('claude-cod', discovery)).toThrow(
      `unknown executor "claude-cod". Available: claude-code, test-executor. Did you mean "claude-code"? (looked in ${root.dir})`,
    );
    expect(() => resolveExecutorByName('zzz', discovery)).toThrow(/^unknown executor "zzz". Available: claude-code, test-executor. \(looked in/);
  });

  it('refuses an executor with problems, saying which', () => {
    makeExecutor(root.dir, 'broken', 'ao-broken-exec', 0o600);
    const discovery = discoverExecutors([flagDir(root.dir)]);
    expect(() => resolveExecutorByName('broken', discovery)).toThrow(ExecutorResolutionError);
    expect(() => resolveExecutorByName('broken', discovery)).toThrow(/cannot be used: ao-broken-exec is not executable \(mode 600\)/);
  });

  it('resolves --executor-path to a file, named after its folder, and explains a bad path', () => {
    const path = makeExecutor(root.dir, 'mine');
    expect(resolveExecutorPath(path)).toMatchObject({ name: 'mine', path, source: 'flag', problems: [] });
    expect(() => resolveExecutorPath(join(root.dir, 'nope'))).toThrow(`--executor-path ${join(root.dir, 'nope')}: nope does not exist`);
  });
});

describe('closestMatch', () => {
  it.each([
    ['tset-executor', 'test-executor'],
    ['claude', 'claude-code'],
    ['sh', 'sh-echo'],
    ['python', 'python-echo'],
    ['banana', undefined],
  ])('%s → %s', (input, expected) => {
    expect(closestMatch(input, ['claude-code', 'test-executor', 'sh-echo', 'python-echo'])).toBe(expected);
  });
});
