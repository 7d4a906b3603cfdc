import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { invocation, isRunning, shipped, tempDir, waitUntil } from '../helpers/fixtures.js';
import { resultOf, runExecutor, startExecutor } from './run-executor.js';

const SHELL = shipped('shell', 'ao-shell-exec');

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('shell-exec-');
});
afterEach(() => tmp.cleanup());

const shell = (prompt: string, extra: Record<string, unknown> = {}) => invocation({ prompt, project_dir: tmp.dir, ...extra });

describe('the shell executor', () => {
  it('runs the prompt with /bin/sh in project_dir: stdout lines are messages, stderr lines warn logs, the tail is the result', async () => {
    const { code, events } = await runExecutor(SHELL, shell('pwd; echo one; echo oops >&2; printf "two\\r\\nthree"'));
    expect(code).toBe(0);
    const dir = realpathSync(tmp.dir);
    // stdout and stderr are read concurrently: their order against each other is not fixed.
    expect(events.filter((e) => e.type === 'message')).toEqual([dir, 'one', 'two', 'three'].map((text) => ({ type: 'message', role: 'assistant', text })));
    expect(events.filter((e) => e.type === 'log')).toEqual([{ type: 'log', level: 'warn', stream: 'stderr', message: 'oops' }]);
    expect(events.at(-1)).toEqual({
      type: 'result',
      result_text: `${dir}\none\ntwo\nthree`,
      result_data: { exit_code: 0, signal: null, stdout: `${dir}\none\ntwo\nthree`, stderr: 'oops' },
    });
  });

  it('fails with exit 1 on a non-zero exit, keeping the exit code and both tails in the result', async () => {
    const { code, events, stderr } = await runExecutor(SHELL, shell('seq 1 30; echo bad >&2; exit 7'));
    expect(code).toBe(1);
    expect(stderr).toContain('exited with code 7');
    const lines = Array.from({ length: 20 }, (_, i) => String(i + 11)).join('\n');
    expect(resultOf(events)).toEqual({
      type: 'result',
      result_text: lines,
      result_data: { exit_code: 7, signal: null, stdout: lines, stderr: 'bad' },
      is_error: true,
    });
  });

  it('caps huge output: long lines are cut, streaming stops after a count, the tail stays 20 lines', async () => {
    // A 64 MiB line without a newline, then 100,000 short lines.
    const { code, events } = await runExecutor(SHELL, shell('head -c 67108864 /dev/zero | tr "\\0" x; echo; seq 1 100000'));
    expect(code).toBe(0);
    const messages = events.filter((e) => e.type === 'message');
    expect(messages.length).toBe(2000);
    expect(messages[0]).toEqual({ type: 'message', role: 'assistant', text: 'x'.repeat(8192), truncated: true });
    expect(events.filter((e) => e.type === 'log')).toEqual([
      expect.objectContaining({ level: 'info', message: expect.stringContaining('more than 2000 lines') as string }),
    ]);
    const result = resultOf(events)!;
    expect(result.result_text).toBe(Array.from({ length: 20 }, (_, i) => String(99_981 + i)).join('\n'));
    expect(JSON.stringify(events).length).toBeLessThan(200_000);
  });

  it('passes metadata.inputs as INPUT_* variables, never as command text', async () => {
    const marker = join(tmp.dir, 'pwned');
    const inputs = {
      'repo-name': `x$(touch ${marker})\`touch ${marker}\`;touch ${marker}\n'"`,
      'weird name!\n': 'ok',
      count: 3,
      flags: { a: [1, 'b'] },
      none: null,
    };
    const prompt = 'printf "%s|" "$INPUT_REPO_NAME" "$INPUT_WEIRD_NAME__" "$INPUT_COUNT" "$INPUT_FLAGS" "$INPUT_NONE"';
    const { code, events } = await runExecutor(SHELL, shell(prompt, { metadata: { inputs } }));
    expect(code).toBe(0);
    expect(resultOf(events)!.result_text).toBe(`${inputs['repo-name']}|ok|3|{"a":[1,"b"]}|null|`);
    expect(existsSync(marker)).toBe(false);
  });

  it('passes the environment it was given and adds nothing of its own', async () => {
    const env = { PATH: process.env.PATH, AGENT_SESSION_ID: 'ses_x' };
    const { events } = await runExecutor(SHELL, shell('env | sort', { metadata: { inputs: { a: 'b' } } }), { env });
    const names = (resultOf(events)!.result_text as string).split('\n').map((l) => l.split('=')[0]);
    expect(names.filter((n) => !['PWD', 'SHLVL', '_', 'OLDPWD'].includes(n!))).toEqual(['AGENT_SESSION_ID', 'INPUT_A', 'PATH']);
  });

  it('on SIGTERM ends the command and everything it started, and still reports the result', async () => {
    const pids = join(tmp.dir, 'pids');
    // A background grandchild, a grandchild in a new session of its own, and the foreground sleep.
    const prompt = `sleep 1000 & echo $! >> ${pids}; sh -c 'sleep 1000 & echo $! >> ${pids}; wait' & echo started; wait`;
    const run = startExecutor(SHELL, shell(prompt));
    await run.waitForEvent((e) => e.text === 'started');
    await waitUntil(() => existsSync(pids) && readFileSync(pids, 'utf8').trim().split('\n').length === 2, 'both sleeps started');
    const sleeps = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(sleeps.every(isRunning)).toBe(true);
    process.kill(run.child.pid!, 'SIGTERM');
    const end = await run.ended;
    expect(end.code).toBe(1);
    expect(run.stderr()).toContain('cancelled by SIGTERM');
    expect(resultOf(run.events)).toMatchObject({ result_text: 'started', result_data: { exit_code: null, signal: 'SIGTERM' } });
    await waitUntil(() => !sleeps.some(isRunning), 'no sleep left');
  });

  it('kills a command that ignores SIGTERM after its grace', async () => {
    const pidFile = join(tmp.dir, 'pid');
    const run = startExecutor(SHELL, shell(`trap "" TERM; sleep 1000 & echo $! > ${pidFile}; echo started; wait`));
    await run.waitForEvent((e) => e.text === 'started');
    const sleep = Number(readFileSync(pidFile, 'utf8'));
    process.kill(run.child.pid!, 'SIGTERM');
    const end = await run.ended;
    expect(end.code).toBe(1);
    expect(resultOf(run.events)).toMatchObject({ result_data: { signal: 'SIGKILL' } });
    await waitUntil(() => !isRunning(sleep), 'the sleep is gone');
  });

  it('kills what the command leaves running when it exits, and says so', async () => {
    const pidFile = join(tmp.dir, 'pid');
    const { code, events } = await runExecutor(SHELL, shell(`sleep 1000 >/dev/null 2>&1 & echo $! > ${pidFile}`));
    expect(code).toBe(0);
    expect(events).toContainEqual({ type: 'log', level: 'warn', message: 'the command left processes running; they were killed' });
    const sleep = Number(readFileSync(pidFile, 'utf8'));
    await waitUntil(() => !isRunning(sleep), 'the sleep is gone');
  });

  it('ends even when a process that left its group holds the output open', async () => {
    const pidFile = join(tmp.dir, 'pid');
    const { code, events } = await runExecutor(SHELL, shell(`setsid sh -c 'echo $$ > ${pidFile}.tmp; mv ${pidFile}.tmp ${pidFile}; exec sleep 1000' & while [ ! -s ${pidFile} ]; do sleep 0.01; done; echo done`));
    const escaped = Number(readFileSync(pidFile, 'utf8'));
    try {
      expect(code).toBe(0);
      expect(resultOf(events)).toMatchObject({ result_text: 'done', result_data: { exit_code: 0 } });
    } finally {
      process.kill(escaped, 'SIGKILL');
    }
  });

  it('uses its working directory without project_dir', async () => {
    writeFileSync(join(tmp.dir, 'here.txt'), '');
    const { events } = await runExecutor(SHELL, invocation({ prompt: 'ls' }), { cwd: tmp.dir });
    expect(resultOf(events)!.result_text).toBe('here.txt');
  });

  it.each([
    ['empty stdin', '', 'no input on stdin'],
    ['not JSON', '{nope', 'not valid JSON'],
    ['another schema', JSON.stringify({ ...invocation(), schema_version: '9.9' }), 'schema_version: expected "2.0", got "9.9"'],
    ['resume', JSON.stringify(invocation({ mode: 'resume', metadata: { executor_session_id: 'x' } })), 'mode: "resume" is not supported'],
    ['no prompt', JSON.stringify({ ...invocation(), prompt: undefined }), 'prompt: expected a string'],
    ['a NUL in the command', JSON.stringify(invocation({ prompt: 'echo a\u0000b' })), 'prompt: contains a NUL'],
    ['inputs not an object', JSON.stringify(invocation({ metadata: { inputs: [1] } })), 'metadata.inputs: expected an object'],
    ['a NUL in an input', JSON.stringify(invocation({ metadata: { inputs: { a: 'x\u0000' } } })), 'metadata.inputs["a"]: contains a NUL'],
    ['two inputs, one variable', JSON.stringify(invocation({ metadata: { inputs: { 'a-b': 1, a_b: 2 } } })), 'metadata.inputs["a_b"]: becomes INPUT_A_B, as does input "a-b"'],
    ['a huge input', JSON.stringify(invocation({ metadata: { inputs: { big: 'x'.repeat(200_000) } } })), 'metadata.inputs["big"]: is larger than'],
    ['a missing project_dir', JSON.stringify(invocation({ project_dir: '/nonexistent/dir' })), 'project_dir: /nonexistent/dir cannot be used (ENOENT)'],
  ])('rejects %s with exit 2, naming the field', async (_what, stdinText, reason) => {
    const { code, stderr, events } = await runExecutor(SHELL, null, { stdinText });
    expect(code).toBe(2);
    expect(stderr).toContain(reason);
    expect(events).toEqual([]);
  });
});
