import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixture, invocation, tempDir } from '../helpers/fixtures.js';
import { resultOf, runExecutor, startExecutor } from './run-executor.js';

const SCRIPTED = fixture('scripted');

let tmp: ReturnType<typeof tempDir>;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  tmp = tempDir('scripted-exec-');
  env = { PATH: process.env.PATH, SCRIPTED_LOG: join(tmp.dir, 'log.jsonl'), SCRIPTED_STATE_DIR: join(tmp.dir, 'state') };
});
afterEach(() => tmp.cleanup());

const scripted = (inputs: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) =>
  invocation({ prompt: 'do it', metadata: { ...(inputs === undefined ? {} : { inputs }), ...extra } });
const logLines = () => readFileSync(env.SCRIPTED_LOG!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the scripted test executor', () => {
  it('answers "ok: <prompt>" by default, and logs the invocation', async () => {
    const { code, events, pid } = await runExecutor(SCRIPTED, scripted(undefined), { env });
    expect(code).toBe(0);
    expect(resultOf(events)).toEqual({ type: 'result', result_text: 'ok: do it' });
    expect(logLines()).toEqual([{ session_id: 'ses_test01', prompt: 'do it', inputs: null, workflow: null, pid, attempt: 1 }]);
  });

  it('reports result_data, result_text and cost_usd from inputs, or from a JSON prompt without inputs', async () => {
    const script = { result_data: { files: ['a', 'b'] }, result_text: 'planned', cost_usd: 0.25 };
    for (const inv of [scripted(script), invocation({ prompt: JSON.stringify(script) })]) {
      const { code, events } = await runExecutor(SCRIPTED, inv, { env });
      expect(code).toBe(0);
      expect(events).toContainEqual({ type: 'usage', cost_usd: 0.25 });
      expect(resultOf(events)).toEqual({ type: 'result', result_text: 'planned', result_data: { files: ['a', 'b'] } });
    }
  });

  it('fail: true exits 1 after the result', async () => {
    const { code, events } = await runExecutor(SCRIPTED, scripted({ fail: true, result_data: { x: 1 } }), { env });
    expect(code).toBe(1);
    expect(resultOf(events)).toMatchObject({ result_data: { x: 1 }, is_error: true });
  });

  it('fail_attempts counts attempts per workflow run, job and task in SCRIPTED_STATE_DIR', async () => {
    const job = (task: string) => ({ workflow: { workflow_run_id: 'wr_1', job: 'build', task } });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await runExecutor(SCRIPTED, scripted({ fail_attempts: 2 }, job('a')), { env })).code);
    expect(codes).toEqual([1, 1, 0]);
    // Another matrix instance counts from 1.
    expect((await runExecutor(SCRIPTED, scripted({ fail_attempts: 2 }, job('b')), { env })).code).toBe(1);
    expect(logLines().map((l) => l.attempt)).toEqual([1, 2, 3, 1]);
  });

  it('fail_attempts follows metadata.workflow.attempt when the engine sends it', async () => {
    const at = (attempt: number) => scripted({ fail_attempts: 1 }, { workflow: { workflow_run_id: 'wr_1', job: 'j', attempt } });
    expect((await runExecutor(SCRIPTED, at(1), { env })).code).toBe(1);
    expect((await runExecutor(SCRIPTED, at(2), { env })).code).toBe(0);
  });

  it('concurrent invocations of one job get distinct attempts', async () => {
    const inv = scripted({}, { workflow: { workflow_run_id: 'wr_2', job: 'j' } });
    await Promise.all(Array.from({ length: 8 }, () => runExecutor(SCRIPTED, inv, { env })));
    expect(logLines().map((l) => l.attempt).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('wait_for holds the job until the file exists', async () => {
    const release = join(tmp.dir, 'gates', 'release');
    const run = startExecutor(SCRIPTED, scripted({ wait_for: release }), { env });
    await run.waitForEvent((e) => e.type === 'progress');
    expect(resultOf(run.events)).toBeUndefined();
    writeFileSync(release, '');
    expect((await run.ended).code).toBe(0);
    expect(resultOf(run.events)).toEqual({ type: 'result', result_text: 'ok: do it' });
  });

  it('ends on SIGTERM while waiting', async () => {
    const run = startExecutor(SCRIPTED, scripted({ wait_for: join(tmp.dir, 'never') }), { env });
    await run.waitForEvent((e) => e.type === 'progress');
    process.kill(run.child.pid!, 'SIGTERM');
    expect((await run.ended).code).toBe(1);
  });

  it.each([
    [{ result_data: [1] }, 'result_data: expected an object'],
    [{ result_text: 5 }, 'result_text: expected a string'],
    [{ fail: 'yes' }, 'fail: expected true or false'],
    [{ fail_attempts: -1 }, 'fail_attempts: expected a whole number'],
    [{ wait_for: 'relative/file' }, 'wait_for: expected an absolute path'],
    [{ cost_usd: 'free' }, 'cost_usd: expected a number'],
  ])('rejects the script %j with exit 2', async (inputs, reason) => {
    const { code, stderr } = await runExecutor(SCRIPTED, scripted(inputs), { env });
    expect(code).toBe(2);
    expect(stderr).toContain(reason);
  });

  it('declares SCRIPTED_LOG and SCRIPTED_STATE_DIR, so a runner passes them through', async () => {
    const { code, stdout } = await runCli(['invoke', '--executor-path', SCRIPTED, '--prompt', 'via invoke', '--json'], {
      env: { SCRIPTED_LOG: env.SCRIPTED_LOG!, SCRIPTED_STATE_DIR: env.SCRIPTED_STATE_DIR!, UNDECLARED: 'x' },
    });
    expect(code).toBe(0);
    expect(stdout).toContain('ok: via invoke');
    expect(logLines()).toEqual([expect.objectContaining({ prompt: 'via invoke', attempt: 1 })]);
  });
});
