import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAEMON_MALLOC_ARENAS, limitMallocArenas } from '../../lib/process/malloc-arenas.js';
import { loadAddon } from '../../lib/process/native-addon.js';
import { ROOT } from '../helpers/fixtures.js';
import { useRunnerKit } from '../runner/runner-kit.js';

// The daemons cap glibc's malloc arenas (lib/process/malloc-arenas.ts, native/spawn.c's limitMallocArenas)
// before their modules load. Arenas are counted from /proc/<pid>/maps: glibc makes each thread arena in a
// 64 MiB-aligned reservation of 64 MiB, its used part read-write and the rest inaccessible.
const addon = loadAddon();
/** The C library's glibc version, from Node's diagnostic report (undefined on musl and elsewhere). */
const glibcVersion = () => (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;
const glibcLinux = process.platform === 'linux' && addon?.limitMallocArenas !== undefined && glibcVersion() !== undefined;

const ARENA = 64n << 20n;

/** Thread arenas in the text of a /proc/<pid>/maps (the main arena, on the brk heap, is not counted). */
function countThreadArenas(mapsText: string): number {
  const maps = mapsText
    .trim()
    .split('\n')
    .map((line) => {
      const [range, perm] = line.split(' ') as [string, string];
      const [start, end] = range.split('-').map((hex) => BigInt(`0x${hex}`)) as [bigint, bigint];
      return { start, end, perm };
    });
  return maps.filter((m, i) => {
    const rest = maps[i + 1];
    return m.start % ARENA === 0n && m.perm === 'rw-p' && rest !== undefined && rest.start === m.end && rest.perm === '---p' && rest.end - m.start === ARENA;
  }).length;
}

const threadArenas = (pid: number) => countThreadArenas(readFileSync(`/proc/${pid}/maps`, 'utf8'));

/** Env for a child without any malloc setting of the operator's (the runner of the tests may have one). */
const cleanEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, MALLOC_ARENA_MAX: undefined, GLIBC_TUNABLES: undefined, VITEST: undefined, ...extra });

/**
 * A plain Node process (the built module, no loader that would start threads first) that caps its arenas
 * or not, then has three worker threads allocate: each uncapped one makes an arena of its own. Its maps
 * before and after, counted here.
 */
function arenasAroundWorkers(cap: boolean): { limited: boolean; before: number; after: number } {
  const script = [
    `import { limitMallocArenas } from ${JSON.stringify(join(ROOT, 'dist', 'lib', 'process', 'malloc-arenas.js'))};`,
    "import { readFileSync } from 'node:fs';",
    "import { Worker } from 'node:worker_threads';",
    `const limited = ${cap} ? limitMallocArenas() : false;`,
    "const before = readFileSync('/proc/self/maps', 'utf8');",
    "const work = () => new Promise((resolve, reject) => { const w = new Worker(\"const a = []; for (let i = 0; i < 2e5; i++) a.push({ i, s: 'x' + i }); JSON.stringify(a);\", { eval: true }); w.once('exit', resolve); w.once('error', reject); });",
    'await Promise.all([work(), work(), work()]);',
    "console.log(JSON.stringify({ limited, before, after: readFileSync('/proc/self/maps', 'utf8') }));",
  ].join('\n');
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: cleanEnv(), encoding: 'utf8' })) as { limited: boolean; before: string; after: string };
  return { limited: out.limited, before: countThreadArenas(out.before), after: countThreadArenas(out.after) };
}

describe('limitMallocArenas', () => {
  it('leaves the operator\'s setting alone: MALLOC_ARENA_MAX, or arena_max in GLIBC_TUNABLES', () => {
    expect(limitMallocArenas({ MALLOC_ARENA_MAX: '4' })).toBe(false);
    expect(limitMallocArenas({ MALLOC_ARENA_MAX: '' })).toBe(false);
    expect(limitMallocArenas({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=8' })).toBe(false);
    expect(limitMallocArenas({ GLIBC_TUNABLES: 'glibc.malloc.tcache_count=0:glibc.malloc.arena_max=2' })).toBe(false);
  });

  it.runIf(glibcLinux)('sets the cap where other tunables are set, or none', () => {
    expect(DAEMON_MALLOC_ARENAS).toBe(1);
    expect(limitMallocArenas({ GLIBC_TUNABLES: 'glibc.malloc.tcache_count=0' })).toBe(true);
    expect(limitMallocArenas({})).toBe(true);
  });

  it.runIf(glibcLinux)('once set, threads started later make no arena of their own; without it each makes one', () => {
    const capped = arenasAroundWorkers(true);
    expect(capped.limited).toBe(true);
    expect(capped.after).toBe(capped.before);
    const uncapped = arenasAroundWorkers(false);
    expect(uncapped.after).toBeGreaterThan(uncapped.before);
  });

  it.runIf(glibcLinux)('the addon refuses a count that is not a whole number from 1 to 1024', () => {
    const limit = addon!.limitMallocArenas! as (count?: unknown) => boolean;
    for (const bad of [0, -1, 2.5, 1025, Number.NaN, '2', null, undefined]) {
      expect(() => limit(bad), String(bad)).toThrow(/expected a whole number of arenas, 1 to 1024/);
    }
  });
});

describe('the daemons cap their arenas before their modules load', () => {
  const kit = useRunnerKit();

  it.runIf(glibcLinux)('agent-coordinator: one arena at most, against several when the operator sets glibc\'s own', async () => {
    const count = async (env: NodeJS.ProcessEnv) => {
      const { url, proc } = await kit().coordinator({ env: cleanEnv(env) });
      for (let i = 0; i < 20; i++) expect((await fetch(`${url}/v1/sessions`)).status).toBe(200);
      const arenas = threadArenas(proc.child.pid!);
      await proc.stop();
      return arenas;
    };
    const capped = await count({});
    const operators = await count({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=8' });
    expect(capped).toBeLessThanOrEqual(1);
    expect(operators).toBeGreaterThan(capped);
  });

  it.runIf(glibcLinux)('agent-runner (the daemon, with its embedded coordinator): one arena at most, against several uncapped', async () => {
    const count = async (env: NodeJS.ProcessEnv) => {
      const daemon = await kit().daemon(['-x', 'sh-echo'], cleanEnv(env));
      const arenas = threadArenas(daemon.pid);
      daemon.child.kill('SIGTERM');
      expect((await daemon.exited).code).toBe(0);
      return arenas;
    };
    const capped = await count({});
    const operators = await count({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=8' });
    expect(capped).toBeLessThanOrEqual(1);
    expect(operators).toBeGreaterThan(capped);
  });
});
