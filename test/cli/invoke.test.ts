import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectStateDir } from '../../lib/state/state-dir.js';
import { fixture, tempDir } from '../helpers/fixtures.js';
import { runCli, startCli } from '../helpers/cli.js';

let cwd: { dir: string; cleanup: () => void };
beforeEach(() => {
  cwd = tempDir();
});
afterEach(() => cwd.cleanup());

const jsonLines = (stdout: string) => stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, any>);

describe('agent-runner invoke', () => {
  it('starts a session with the test executor and prints its events readably', async () => {
    const { code, stdout } = await runCli(['invoke', '-x', 'test-executor', '--prompt', 'hello world', '--session-id', 'ses_cli1'], { cwd: cwd.dir });
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^▶ test-executor {2}session ses_cli1 \(start\) {2}\/.*ao-test-exec$/);
    expect(lines.slice(1, -1)).toEqual([
      '  bind        executor session test-ses_cli1',
      '  assistant   Echo: hello world',
      '  usage       11 in / 17 out tokens, $0.0000',
      '  result      Echo: hello world',
    ]);
    expect(lines.at(-1)).toMatch(/^✔ succeeded in \d+ ms \(exit 0\)$/);
  });

  it('resumes the executor session the start run bound (remembered in the project\'s state folder)', async () => {
    const start = await runCli(['invoke', '-x', 'sh-echo', '--prompt', 'first', '--json'], { cwd: cwd.dir });
    const sessionId = jsonLines(start.stdout).at(-1)!.session_id as string;
    expect(sessionId).toMatch(/^ses_[0-9a-z]{16}$/); // the coordinator's format
    const saved = JSON.parse(readFileSync(join(projectStateDir(cwd.dir), 'invoke-sessions.json'), 'utf8'));
    expect(saved[sessionId]).toMatchObject({ executor: 'sh-echo', executor_session_id: `sh-${sessionId}` });

    const resume = await runCli(['invoke', '-x', 'sh-echo', '--mode', 'resume', '--session-id', sessionId, '--prompt', 'second', '--json'], { cwd: cwd.dir });
    expect(resume.code).toBe(0);
    const events = jsonLines(resume.stdout);
    expect(events.map((e) => e.type)).toEqual(['bind', 'message', 'result', 'outcome']);
    expect(events[1]!.text).toBe(`Resumed executor session sh-${sessionId}. Echo (sh): second`);
    expect(events.at(-1)).toMatchObject({ type: 'outcome', kind: 'succeeded', exit_code: 0, session_id: sessionId, executor: 'sh-echo' });
  });

  it('sends a blueprint file as agent_blueprint, the prompt from stdin with --prompt -, and --project-dir as cwd', async () => {
    const blueprint = { name: 'reviewer', system_prompt: 'Be brief.', model: 'any' };
    writeFileSync(join(cwd.dir, 'bp.json'), JSON.stringify(blueprint));
    const { code, stdout } = await runCli(
      ['invoke', '--executor-path', fixture('report-env'), '--prompt', '-', '--blueprint', 'bp.json', '-p', '/tmp', '--json'],
      { cwd: cwd.dir, input: 'from stdin' },
    );
    expect(code).toBe(0);
    const data = jsonLines(stdout)[0]!.result_data;
    expect(data.cwd).toBe('/tmp');
    expect(JSON.parse(data.stdin)).toMatchObject({ prompt: 'from stdin', project_dir: '/tmp', agent_blueprint: blueprint });
  });

  it.each([
    ['0', 0],
    ['1', 1],
    ['2', 2],
    ['75', 75],
    ['9', 1],
  ])('exits with the code for the outcome when the executor exits %s', async (exitCode, expected) => {
    const { code } = await runCli(['invoke', '--executor-path', fixture('exit-with'), '--prompt', 'x'], { cwd: cwd.dir, env: { EXIT_CODE: exitCode } });
    expect(code).toBe(expected);
  });

  it('exits 124 on --timeout', async () => {
    const { code, stdout } = await runCli(['invoke', '--executor-path', fixture('slow-echo'), '--prompt', 'x', '--timeout', '300ms'], { cwd: cwd.dir });
    expect(code).toBe(124);
    expect(stdout).toMatch(/✘ timed out after 300 ms in \d+ ms/);
  });

  it('cancels the executor on Ctrl-C (SIGINT) and exits 130, leaving no process behind', async () => {
    const child = startCli(['invoke', '--executor-path', fixture('slow-echo'), '--prompt', 'x', '--json'], { cwd: cwd.dir });
    let output = '';
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('"progress"')) resolve();
      });
    });
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    const outcome = jsonLines(String(result.stdout)).at(-1)!;
    expect(outcome).toMatchObject({ type: 'outcome', kind: 'cancelled' });
    expect(String(result.stdout)).toContain('got SIGTERM');
  });

  it.each([
    [['--mode', 'sideways'], 'agent-runner: --mode: "sideways" is not a mode (use start or resume)'],
    [['--mode', 'resume'], 'agent-runner: --mode resume needs --session-id (the session printed by the start run)'],
    [['--timeout', 'soon'], 'agent-runner: --timeout: "soon" is not a duration (use e.g. 500ms, 30s, 5m, 1h30m)'],
    [['--grace', '0s'], 'agent-runner: --grace: "0s" must be longer than 0'],
    [['--blueprint', 'missing.json'], 'agent-runner: --blueprint missing.json: cannot read a JSON document (ENOENT)'],
    [['--blueprint', 'bad.json'], 'agent-runner: --blueprint bad.json: name: is required (string); mcp_servers.o.url: url is required for a http MCP server'],
    [['--session-id', ''], 'agent-runner: invalid invocation: session_id: session_id must not be empty'],
  ])('rejects %j with exit 2 and a message naming the flag or field', async (args, message) => {
    writeFileSync(join(cwd.dir, 'bad.json'), JSON.stringify({ mcp_servers: { o: { type: 'http' } } }));
    const { code, stderr } = await runCli(['invoke', '-x', 'test-executor', '--prompt', 'x', ...args], { cwd: cwd.dir });
    expect(stderr).toBe(`${message}\n`);
    expect(code).toBe(2);
  });

  it('requires --prompt', async () => {
    const { code, stderr } = await runCli(['invoke', '-x', 'test-executor'], { cwd: cwd.dir });
    expect(code).toBe(2);
    expect(stderr).toContain("error: required option '--prompt <text>' not specified");
  });
});

// Each check starts the executor eight times (python-echo's interpreter included): seconds on a quiet
// machine, far more on a busy one. Every wait here is on a process ending, so the budget costs nothing.
describe('agent-runner executor check', { timeout: 90_000 }, () => {
  it.each(['test-executor', 'sh-echo', 'python-echo'])('passes on the shipped %s', async (name) => {
    const { code, stdout } = await runCli(['executor', 'check', name, '--json'], { cwd: cwd.dir });
    const report = JSON.parse(stdout);
    expect(report.checks.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
      ['accepts-seed-payload', 'pass'],
      ['handles-resume', 'pass'],
      ['rejects-malformed-invocation', 'pass'],
      ['ends-on-sigterm', 'pass'],
      ['emits-only-valid-events', 'pass'],
      ['leaves-no-process-behind', 'pass'],
    ]);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
  });

  // --timeout bounds each probe: ignores-sigterm never ends on its own, so each of its probes lasts that
  // long (keep it short); the others end by themselves, and a roomy one keeps a slow start on a busy
  // machine from turning their probes into timeouts.
  it.each([
    ['accepts-garbage', 'rejects-malformed-invocation', /^empty stdin: succeeded \(expected exit 2\); not JSON: succeeded \(expected exit 2\);/, '20s'],
    ['bad-events', 'emits-only-valid-events', /invalid message event: role: role must be "assistant", "user" or "system"; unknown event type "teleport"/, '20s'],
    ['leaves-child', 'leaves-no-process-behind', /^2 of 8 runs left processes running after the executor exited; they were terminated$/, '20s'],
    ['ignores-sigterm', 'ends-on-sigterm', /^still running 300 ms after SIGTERM; it had to be killed with SIGKILL$/, '1s'],
  ])('fails on %s, naming the broken rule (%s) and why', async (name, failedCheck, reason, timeout) => {
    const { code, stdout } = await runCli(['executor', 'check', fixture(name), '--grace', '300ms', '--timeout', timeout, '--json'], { cwd: cwd.dir });
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.ok).toBe(false);
    const check = report.checks.find((c: { id: string }) => c.id === failedCheck);
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(reason);
  });

  it('fails the start of an executor whose executor.json claims resume but that never binds, and its resume (nothing to resume)', async () => {
    const { code, stdout } = await runCli(['executor', 'check', fixture('claims-resume-no-bind'), '--json'], { cwd: cwd.dir });
    expect(code).toBe(1);
    const checks = Object.fromEntries(JSON.parse(stdout).checks.map((c: { id: string }) => [c.id, c]));
    expect(checks['accepts-seed-payload']).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^exit 0, 1 event \(result\), \d+ ms, but no bind event: executor\.json claims capabilities\.resume, and a resume can continue only the executor_session_id a bind reports$/),
    });
    expect(checks['handles-resume']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^the start run reported no bind event, so there is no executor session to resume/) });
    expect(Object.values(checks).filter((c) => (c as { status: string }).status === 'fail')).toHaveLength(2);
  });

  it('requires a bind for the resume check of an executor that claims nothing; its start passes', async () => {
    const { code, stdout } = await runCli(['executor', 'check', fixture('no-bind'), '--json'], { cwd: cwd.dir });
    expect(code).toBe(1);
    const checks = JSON.parse(stdout).checks.map((c: { id: string; status: string }) => [c.id, c.status]);
    expect(checks).toEqual([
      ['accepts-seed-payload', 'pass'],
      ['handles-resume', 'fail'],
      ['rejects-malformed-invocation', 'pass'],
      ['ends-on-sigterm', 'pass'],
      ['emits-only-valid-events', 'pass'],
      ['leaves-no-process-behind', 'pass'],
    ]);
  });

  it('says whether a resume bound its session again (both pass)', async () => {
    // sh-echo binds on resume again with the same id; test-executor too: the detail says so.
    const { stdout } = await runCli(['executor', 'check', 'sh-echo', '--json'], { cwd: cwd.dir });
    const resume = JSON.parse(stdout).checks.find((c: { id: string }) => c.id === 'handles-resume');
    expect(resume).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^exit 0 resuming executor session sh-ses_abc123, bound it again, 3 events \(bind, message, result\)$/) });
  });

  it('prints a readable pass/fail line per check', async () => {
    const { code, stdout } = await runCli(['executor', 'check', fixture('bad-events')], { cwd: cwd.dir });
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`executor check: bad-events  ${fixture('bad-events')}`);
    // Between the header and the checks: what the executor receives from the environment (issue 11, item 14).
    expect(lines.slice(1, 7).map((l) => l.slice(0, 16).trimEnd())).toEqual(['  environment (n', '    base', '    declared', '    operator', '    set per run', '    receives now']);
    expect(lines.slice(7, -1).map((l) => l.slice(0, 45).trimEnd())).toEqual([
      '  ✔ accepts the seed payload',
      '  ✔ handles resume',
      '  ✔ rejects malformed invocations',
      '  ✔ ends on SIGTERM within the grace period',
      '  ✘ emits only valid events',
      '  ✔ leaves no process behind',
    ]);
    expect(lines.at(-1)).toBe('bad-events breaks the contract: 1 of 6 checks failed');
  });

  it('rejects a bad --grace and an unknown executor with exit 2', async () => {
    expect((await runCli(['executor', 'check', 'sh-echo', '--grace', 'x'], { cwd: cwd.dir })).code).toBe(2);
    const unknown = await runCli(['executor', 'check', 'sh-ech'], { cwd: cwd.dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Did you mean "sh-echo"?');
  });
});
