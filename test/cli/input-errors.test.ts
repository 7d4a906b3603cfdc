import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { MAX_PROMPT_CHARS } from '../../protocol/invocation.js';
import { runCli } from '../helpers/cli.js';
import { fixture, ROOT, tempDir, WAIT_MS } from '../helpers/fixtures.js';
import { apiClient } from '../coordinator/helpers.js';
import { spawnCoordinator, type SpawnedCoordinator } from '../coordinator/spawn-coordinator.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let work: ReturnType<typeof tempDir>;
beforeAll(() => {
  work = tempDir('input-errors-');
});
afterAll(() => work.cleanup());
const cli = (args: string[], options: { env?: Record<string, string>; input?: string } = {}) => runCli(args, { cwd: work.dir, ...options });

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('--version', () => {
  it('prints the package version for both programs', async () => {
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    expect(await cli(['-V'])).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    const coordinator = await execa(process.execPath, [join(ROOT, 'bin', 'agent-coordinator'), '--version'], { reject: false, timeout: WAIT_MS });
    expect({ code: coordinator.exitCode, stdout: coordinator.stdout }).toEqual({ code: 0, stdout: VERSION });
  });
});

describe('a reader that stops reading', () => {
  it.each(['agent-runner', 'agent-coordinator'])('%s --help | head -1 ends quietly, without a stack trace', async (bin) => {
    // The pipe's reader exits after one line; the help's later writes then meet a closed pipe (EPIPE).
    const piped = await execa('sh', ['-c', `"${process.execPath}" "${join(ROOT, 'bin', bin)}" --help | head -1`], { reject: false, timeout: WAIT_MS });
    expect(piped.exitCode).toBe(0);
    expect(piped.stdout).toMatch(/^Usage: /);
    expect(piped.stderr).toBe('');
  });
});

describe('unknown commands and options', () => {
  it.each([
    [['sesions', 'list'], "error: unknown command 'sesions'\n(Did you mean sessions?)"],
    [['rnu', '--agent', 'x', 'hello'], "error: unknown command 'rnu'\n(Did you mean run?)"],
    [['agnets'], "error: unknown command 'agnets'\n(Did you mean agents?)"],
    [['frobnicate'], "error: unknown command 'frobnicate'\n(run"],
    [['--verbos'], "error: unknown option '--verbos'\n(Did you mean --verbose?)"],
    [['-c', 'http://127.0.0.1:1', '--concurency=3'], "error: unknown option '--concurency'\n(Did you mean --concurrency?)"],
    [['agents', 'lsit'], "error: unknown command 'lsit'\n(Did you mean list?)"],
    [['sessions', 'shw', 'x'], "error: unknown command 'shw'\n(Did you mean show?)"],
  ])('%j is exit 2 with a suggestion', async (args, message) => {
    const res = await cli(args);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
  });
});

describe('a coordinator URL without a scheme', () => {
  const commands = [['sessions', 'list'], ['sessions', 'show', 'ses_1'], ['sessions', 'events', 'ses_1'], ['agents', 'list'], ['agents', 'show', 'a'], ['agents', 'reload'], ['run', 'hello']];

  it.each(commands)('is exit 2 naming --coordinator-url, with the URL it meant (%s %s)', async (...args) => {
    const res = await cli([...args, '-c', 'localhost:8765']);
    expect(res).toMatchObject({ code: 2, stdout: '', stderr: 'agent-runner: --coordinator-url: "localhost:8765" has no scheme (did you mean http://localhost:8765?)\n' });
  });

  it.each(commands)('is exit 2 naming AGENT_COORDINATOR_URL (%s %s)', async (...args) => {
    const res = await cli(args, { env: { AGENT_COORDINATOR_URL: '127.0.0.1:8765' } });
    expect(res).toMatchObject({ code: 2, stderr: 'agent-runner: AGENT_COORDINATOR_URL: "127.0.0.1:8765" has no scheme (did you mean http://127.0.0.1:8765?)\n' });
  });

  it('is exit 2 for the runner daemon too, and for a URL that is not http', async () => {
    expect(await cli(['-c', 'localhost:8765'])).toMatchObject({ code: 2, stderr: 'agent-runner: --coordinator-url: "localhost:8765" has no scheme (did you mean http://localhost:8765?)\n' });
    expect(await cli(['sessions', 'list', '-c', 'ftp://host/'])).toMatchObject({ code: 2, stderr: 'agent-runner: --coordinator-url: "ftp://host/" must be an http:// or https:// URL\n' });
    expect(await cli(['sessions', 'list', '-c', ''])).toMatchObject({ code: 2, stderr: expect.stringContaining('--coordinator-url: "" is not a URL') });
  });
});

describe('an unreachable coordinator', () => {
  it.each([['sessions', 'list'], ['sessions', 'events', 'ses_1', '--follow'], ['agents', 'list'], ['agents', 'delete', 'a'], ['run', 'hello']])(
    'is exit 75 naming the URL, at once (%s %s)',
    async (...args) => {
      const url = `http://127.0.0.1:${await closedPort()}`;
      const res = await cli([...args, '-c', url]);
      expect(res.code).toBe(75);
      expect(res.stderr).toMatch(new RegExp(`^agent-runner: coordinator at ${url} did not answer [A-Z]+ /v1/\\S+ \\(ECONNREFUSED\\)\\n$`));
    },
  );
});

describe('the prompt of run', () => {
  let coordinator: SpawnedCoordinator;
  beforeAll(async () => {
    mkdirSync(join(work.dir, 'agents'));
    coordinator = await spawnCoordinator(['--database-url', join(work.dir, 'coordinator.db'), '--agents-dir', join(work.dir, 'agents')]);
  });
  afterAll(async () => coordinator?.stop());

  /** Submit with --detach and read back the prompt the coordinator stored. */
  const submitted = async (args: string[], input?: string) => {
    const res = await cli(['run', '--detach', '-x', 'test', ...args, '-c', coordinator.url], input === undefined ? {} : { input });
    expect(res).toMatchObject({ code: 0, stderr: '' });
    const session = await apiClient(coordinator.url)('GET', `/v1/sessions/${res.stdout.trim()}`);
    return session.body.prompt as string;
  };

  it('comes from stdin with "-", without its final newline', async () => {
    expect(await submitted(['-'], 'fix the build\n')).toBe('fix the build');
    expect(await submitted(['-'], 'line one\r\nline two\r\n')).toBe('line one\r\nline two');
    expect(await submitted(['-'], 'two newlines keep one\n\n')).toBe('two newlines keep one\n');
  });

  it('comes from --prompt-file, without its final newline', async () => {
    writeFileSync(join(work.dir, 'task.md'), '# Task\n\nDo it.\n');
    expect(await submitted(['--prompt-file', 'task.md'])).toBe('# Task\n\nDo it.');
    expect(await submitted(['--prompt-file', '-'], 'from stdin\n')).toBe('from stdin');
  });

  it('is refused, exit 2, when missing, empty, given twice, unreadable or too long', async () => {
    writeFileSync(join(work.dir, 'blank.txt'), ' \n');
    writeFileSync(join(work.dir, 'huge.txt'), 'x'.repeat(MAX_PROMPT_CHARS + 1));
    const c = ['-c', coordinator.url];
    for (const [args, input, message] of [
      [['run'], undefined, 'agent-runner: no prompt: give the task as the argument (agent-runner run "fix the build"), - to read it from stdin, or --prompt-file FILE\n'],
      [['run', '-'], '', 'agent-runner: stdin: the prompt is empty\n'],
      [['run', '-'], '\n', 'agent-runner: stdin: the prompt is empty\n'],
      [['run', '--prompt-file', 'blank.txt'], undefined, 'agent-runner: --prompt-file blank.txt: the prompt is empty\n'],
      [['run', 'hello', '--prompt-file', 'blank.txt'], undefined, 'agent-runner: give the prompt once: as the argument or with --prompt-file, not both\n'],
      [['run', '--prompt-file', 'missing.txt'], undefined, 'agent-runner: --prompt-file missing.txt: cannot read it (ENOENT)\n'],
      [['run', '--prompt-file', '.'], undefined, 'agent-runner: --prompt-file .: cannot read it (EISDIR)\n'],
      [['run', '--prompt-file', 'huge.txt'], undefined, `agent-runner: --prompt-file huge.txt: the prompt is longer than ${MAX_PROMPT_CHARS} characters\n`],
      [['run', '-'], 'y'.repeat(MAX_PROMPT_CHARS + 1), `agent-runner: stdin: the prompt is longer than ${MAX_PROMPT_CHARS} characters\n`],
    ] as const) {
      const res = await cli([...args, ...c], input === undefined ? {} : { input });
      expect({ args, code: res.code, stderr: res.stderr }).toEqual({ args, code: 2, stderr: message });
    }
    // Nothing was submitted.
    expect((await apiClient(coordinator.url)('GET', '/v1/sessions?limit=1000')).body.sessions.every((s: { prompt: string }) => s.prompt.trim() !== '')).toBe(true);
  });

  it('invoke --prompt - reads stdin the same way', async () => {
    const res = await cli(['invoke', '--executor-path', fixture('report-env'), '--prompt', '-', '--json'], { input: 'from stdin\n' });
    expect(res.code).toBe(0);
    const stdin = JSON.parse(JSON.parse(res.stdout.split('\n')[0]!).result_data.stdin);
    expect(stdin.prompt).toBe('from stdin');
  });
});
