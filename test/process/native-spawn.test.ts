import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { executorLauncher, type LaunchedChild, launchDetached } from '../../lib/process/native-spawn.js';
import { openFds, ROOT, runModuleSnippet, shipped, tempDir, waitUntil } from '../helpers/fixtures.js';

// The native launcher (native/spawn.c, lib/process/native-spawn.ts) must start a child exactly as
// node:child_process with `detached` did: everything else (process groups, termination, the no-orphan
// sweeps) was built and proven on that. The whole suite runs on it on Linux; these tests pin its contract.
const linux = process.platform === 'linux';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

/** Start `file` and collect everything it reports until 'close'. */
async function launch(file: string, options: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string } = {}) {
  const child: LaunchedChild = launchDetached(file, { cwd: options.cwd ?? ROOT, env: options.env ?? { PATH: process.env.PATH } });
  cleanups.push(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {}
  });
  const chunks: Buffer[] = [];
  const errors: Buffer[] = [];
  const events: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
  child.stdin.on('error', () => {});
  child.stdin.end(options.stdin ?? '');
  child.once('exit', (code, signal) => events.push(`exit ${code} ${signal}`));
  const closed = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  events.push('close');
  return { pid: child.pid!, ...closed, stdout: Buffer.concat(chunks).toString(), stderr: Buffer.concat(errors).toString(), events };
}

function script(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  chmodSync(path, 0o755);
  return path;
}

/**
 * The fds open now that were not open (on the same thing) at `before`: those the launcher leaked. Counting
 * them instead would also see fds that other code of this worker closed meanwhile, and never settle.
 */
function fdsOpenedSince(before: Map<string, string>): string[] {
  return [...openFds()].filter(([fd, target]) => before.get(fd) !== target).map(([fd, target]) => `${fd} → ${target}`);
}

describe.runIf(linux)('native executor launcher', () => {
  it('is the launcher on Linux: the addon was built at install (npm ci) and loads', () => {
    expect(executorLauncher()).toBe('posix_spawn');
  });

  it('starts the child as node:child_process with detached does: own session and group, default signals, the same fds, the cwd and env given', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const probe = script(
      dir,
      'probe',
      [
        '#!/bin/sh',
        // First, with builtins only: once the shell forks it blocks every signal around each fork.
        'while read -r key value; do case $key in SigBlk:|SigIgn:) echo "$key $value";; esac; done < /proc/$$/status',
        // stat fields after the command name: state ppid pgrp session
        'set -- $(sed "s/.*) //" /proc/$$/stat)',
        'echo "ppid=$2 pgrp=$3 sid=$4"',
        'echo "cwd=$(pwd)"',
        // the fds it was given: stdio as sockets, and whatever this process holds without close-on-exec
        // (listed to a file by ls, so the shell holds no pipe of its own while it is listed)
        'ls -l /proc/$$/fd > fds.txt',
        'sed -n "s/.* \\([0-9]*\\) -> \\([a-z]*\\).*/fd \\1 \\2/p" fds.txt',
        'env | sort',
        'cat',
      ].join('\n'),
    );
    const env = { PATH: '/usr/bin:/bin', ONE: 'a b', EMPTY: '', GONE: undefined };
    const result = await launch(probe, { cwd: dir, env, stdin: 'from stdin\n' });
    expect(result).toMatchObject({ code: 0, signal: null, stderr: '' });
    expect(result.events).toEqual(['exit 0 null', 'close']);
    expect(result.stdout).toContain(`ppid=${process.pid} pgrp=${result.pid} sid=${result.pid}`);
    // Node ignores SIGPIPE and SIGXFSZ, glibc keeps two signals for itself: the child gets all at their default.
    expect(result.stdout).toContain('SigBlk: 0000000000000000');
    expect(result.stdout).toContain('SigIgn: 0000000000000000');
    expect(result.stdout).toContain(`cwd=${dir}`);
    const lines = result.stdout.split('\n');
    expect(lines.slice(lines.indexOf('EMPTY='), lines.indexOf('EMPTY=') + 4)).toEqual(['EMPTY=', 'ONE=a b', 'PATH=/usr/bin:/bin', `PWD=${dir}`]);
    expect(result.stdout).not.toContain('GONE');
    expect(result.stdout.endsWith('from stdin\n')).toBe(true);

    // What node:child_process gives the same probe (its group and session aside: spawnSync has no detached).
    const reference = spawnSync(probe, [], { cwd: dir, env, input: 'from stdin\n', encoding: 'utf8' });
    const fdLines = (text: string) => text.split('\n').filter((line) => line.startsWith('fd ') || line.startsWith('Sig'));
    expect(fdLines(result.stdout)).toEqual(fdLines(reference.stdout));
    // (the shell points its fd 1 at fds.txt while ls lists it)
    expect(fdLines(result.stdout)).toEqual(expect.arrayContaining(['fd 0 socket', 'fd 2 socket']));
  });

  it('reports the exit code, and the signal by name', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    expect(await launch(script(dir, 'three', '#!/bin/sh\nexit 3\n'))).toMatchObject({ code: 3, signal: null });
    expect(await launch(script(dir, 'killed', '#!/bin/sh\nkill -KILL $$\n'))).toMatchObject({ code: null, signal: 'SIGKILL' });
    expect(await launch(script(dir, 'termed', '#!/bin/sh\nkill -TERM $$\nsleep 5\n'))).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  it("'close' waits for all output: 8 MB on stdout and 1 MB on stderr after the child exited", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const big = script(dir, 'big', '#!/bin/sh\nhead -c 8388608 /dev/zero | tr "\\0" x\nhead -c 1048576 /dev/zero | tr "\\0" y >&2\n');
    const result = await launch(big);
    expect(result.stdout.length).toBe(8 * 1024 * 1024);
    expect(result.stderr.length).toBe(1024 * 1024);
    expect(result.events.at(-1)).toBe('close');
  });

  it('throws what Node gives when the child cannot start (ENOENT, EACCES, ENOEXEC, a missing cwd), and leaks no fd', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const notExecutable = join(dir, 'plain');
    writeFileSync(notExecutable, '#!/bin/sh\necho hi\n');
    const garbage = script(dir, 'garbage', '\x7fELF not really\n');
    const before = openFds();
    const attempt = (file: string, cwd = dir) => {
      try {
        launchDetached(file, { cwd, env: {} });
      } catch (error) {
        return error as NodeJS.ErrnoException;
      }
      throw new Error(`${file} started`);
    };
    expect(attempt(join(dir, 'missing'))).toMatchObject({ code: 'ENOENT', syscall: 'spawn', path: join(dir, 'missing') });
    expect(attempt(notExecutable)).toMatchObject({ code: 'EACCES', path: notExecutable });
    expect(attempt(garbage)).toMatchObject({ code: 'ENOEXEC' });
    expect(attempt(shipped('test-executor', 'ao-test-exec'), join(dir, 'no-such-folder'))).toMatchObject({ code: 'ENOENT' });
    expect(fdsOpenedSince(before)).toEqual([]);
  });

  it('starts the child niceIncrement levels below this process (nice 19 at most), the group it starts with it', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    // The child's nice and its own child's (field 19 of stat), started once stdin is read (as an executor
    // reads its invocation first): what it starts in the instant before the lowering may keep ours.
    const probe = script(dir, 'nice', ['#!/bin/sh', 'read -r go', 'sleep 5 & s=$!', 'set -- $(sed "s/.*) //" /proc/$$/stat)', 'echo "${17}"', 'set -- $(sed "s/.*) //" /proc/$s/stat)', 'echo "${17}"', 'kill $s'].join('\n'));
    const own = (await import('node:os')).getPriority();
    const fds = openFds();
    const run = async (niceIncrement: number) => {
      const child = launchDetached(probe, { cwd: dir, env: { PATH: process.env.PATH }, niceIncrement });
      cleanups.push(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {}
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.stdin.end('go\n');
      await new Promise((resolve) => child.once('close', resolve));
      return out.trim().split('\n').map(Number);
    };
    expect(await run(0)).toEqual([own, own]);
    expect(await run(5)).toEqual([Math.min(19, own + 5), Math.min(19, own + 5)]);
    expect(await run(39)).toEqual([19, 19]);
    // The last child's pidfd is closed on the loop's next turn after its 'close': gone before the next test counts fds.
    await waitUntil(() => fdsOpenedSince(fds).length === 0, 'the fds the children used to be closed');
  });

  it('refuses a niceIncrement that is not a whole number from 0 to 39', () => {
    for (const niceIncrement of [-1, 40, 1.5]) {
      expect(() => launchDetached('/bin/true', { cwd: ROOT, env: {}, niceIncrement }), String(niceIncrement)).toThrow(/niceIncrement must be a whole number from 0 to 39/);
    }
  });

  it('refuses a NUL inside the environment rather than cut the value short', () => {
    expect(() => launchDetached('/bin/true', { cwd: ROOT, env: { SNEAKY: 'a\0PATH=/tmp' } })).toThrow(/NUL/);
  });

  it('leaves no fd and no zombie behind after 200 children', async () => {
    const before = openFds();
    for (let i = 0; i < 200; i++) await launch('/bin/true');
    // The last child's pidfd is closed on the loop's next turn after its 'close'.
    await waitUntil(() => fdsOpenedSince(before).length === 0, 'the fds the children used to be closed');
    expect(fdsOpenedSince(before)).toEqual([]);
    const zombies = execFileSync('ps', ['-o', 'stat=', '--ppid', String(process.pid)], { encoding: 'utf8' }).split('\n').filter((s) => s.startsWith('Z'));
    expect(zombies).toEqual([]);
  });
});

describe('node:child_process fallback', () => {
  it('AGENT_RUNNER_NATIVE_SPAWN=0 starts executors with node:child_process, and runs still succeed', () => {
    // A process of its own: the launcher is chosen once per process.
    const out = runModuleSnippet(
      [
        "import { executorLauncher } from './lib/process/native-spawn.ts';",
        "import { spawnExecutor } from './lib/process/spawn-executor.ts';",
        `const child = spawnExecutor({ executable: ${JSON.stringify(shipped('test-executor', 'ao-test-exec'))}, invocation: { schema_version: '2.0', session_id: 's', prompt: 'hi', mode: 'start' } });`,
        'const outcome = await child.outcome;',
        'console.log(JSON.stringify({ launcher: executorLauncher(), kind: outcome.kind, result: outcome.result }));',
      ],
      { ...process.env, AGENT_RUNNER_NATIVE_SPAWN: '0' },
    );
    expect(JSON.parse(out)).toEqual({ launcher: 'node:child_process', kind: 'succeeded', result: { type: 'result', result_text: 'Echo: hi' } });
  });

  it.runIf(linux)('AGENT_RUNNER_NATIVE_SPAWN=0: niceIncrement lowers the child\'s priority as well', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const probe = script(dir, 'nice', ['#!/bin/sh', 'cat > /dev/null', 'set -- $(sed "s/.*) //" /proc/$$/stat)', 'echo "${17}"'].join('\n'));
    const out = runModuleSnippet(
      [
        "import { getPriority } from 'node:os';",
        "import { launchDetached } from './lib/process/native-spawn.ts';",
        `const child = launchDetached(${JSON.stringify(probe)}, { cwd: ${JSON.stringify(dir)}, env: { PATH: process.env.PATH }, niceIncrement: 3 });`,
        "let out = ''; child.stdout.setEncoding('utf8').on('data', (c) => (out += c)); child.stdin.end();",
        "await new Promise((resolve) => child.once('close', resolve));",
        'console.log(JSON.stringify({ own: getPriority(), child: Number(out.trim()) }));',
      ],
      { ...process.env, AGENT_RUNNER_NATIVE_SPAWN: '0' },
    );
    const { own, child } = JSON.parse(out) as { own: number; child: number };
    expect(child).toBe(Math.min(19, own + 3));
  });
});
