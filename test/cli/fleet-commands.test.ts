import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunnerListSchema } from '../../protocol/runners.js';
import { SessionPageSchema } from '../../protocol/sessions.js';
import { SystemStatusSchema } from '../../protocol/status.js';
import type { Api } from '../coordinator/helpers.js';
import { BIN } from '../helpers/fixtures.js';
import { createSession, RunnerKit, waitForSession } from '../runner/runner-kit.js';

const TIME = /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/;
const ESC = '\x1b';

// runners, status and the sessions commands, through the real CLI against a coordinator process with a
// runner daemon serving the fixture executors. One coordinator for the file: each test makes its own sessions.
describe('fleet and session commands', { timeout: 180_000 }, () => {
  const kit = new RunnerKit();
  let url: string;
  let api: Api;
  let daemonPid: number;
  const goFile = join(kit.dir, 'go');

  beforeAll(async () => {
    ({ url, api } = await kit.coordinator());
    const daemon = await kit.daemon(['-c', url, '-n', '4', '-t', 'fleet'], { EXIT_CODE: '3', GO_FILE: goFile });
    daemonPid = daemon.pid;
  });
  afterAll(() => kit.cleanup());

  /** `agent-runner ARGS -c URL` (TZ=UTC, so times read the same everywhere). */
  const cli = (...args: string[]) => kit.cli([...args, '-c', url], { env: { TZ: 'UTC' } });
  /** A session run to its end through the daemon. */
  const finished = async (body: Record<string, unknown>) => {
    const { session_id } = await createSession(api, body);
    return waitForSession(api, session_id, ['idle', 'failed', 'cancelled']);
  };

  it('runners: the fleet with its slots, heartbeat and state; offline ones only with --all', async () => {
    const { session_id } = await createSession(api, { executor: 'slow-echo', prompt: 'hold a slot' });
    await waitForSession(api, session_id, ['running']);
    const table = await cli('runners');
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^RUNNER\s+NAME\s+HOST\s+TAGS\s+SLOTS\s+HEARTBEAT\s+STATE\s+EXECUTORS$/);
    const row = table.stdout.split('\n').find((l) => l.includes(`${hostname()}:${daemonPid}`))!;
    expect(row).toMatch(new RegExp(`^rnr_\\w+\\s+${hostname()}:${daemonPid}\\s+${hostname()}\\s+fleet\\s+1/4\\s+\\S+ ago\\s+online\\s+\\S*test-executor`));
    const json = RunnerListSchema.parse(JSON.parse((await cli('runners', '--json')).stdout));
    expect(json.runners).toEqual([expect.objectContaining({ name: `${hostname()}:${daemonPid}`, slots_used: 1, capacity: 4, tags: ['fleet'], status: 'online' })]);
    expect((await cli('sessions', 'stop', session_id, '--wait')).code).toBe(0);

    // A second runner that deregisters is offline: left out unless --all.
    const second = await kit.daemon(['-c', url, '-x', 'sh-echo']);
    second.child.kill('SIGTERM');
    await second.exited;
    const after = await cli('runners');
    expect(after.stdout).not.toContain(`:${second.pid}`);
    expect(after.stdout).toContain('1 offline runner not shown (--all lists them)');
    const all = await cli('runners', '--all');
    expect(all.stdout.split('\n').find((l) => l.includes(`:${second.pid}`))).toMatch(/-\s+0\/4\s+\S+ ago\s+offline\s+sh-echo$/);
    expect(JSON.parse((await cli('runners', '--json', '--all')).stdout).runners).toHaveLength(2);
  });

  it('status: one screen of the coordinator, runners, runs, queue, last hour and sessions; --json the same facts', async () => {
    await finished({ executor: 'test-executor', prompt: 'counted' });
    const screen = await cli('status');
    expect(screen.code).toBe(0);
    const lines = screen.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(/\s{2,}/)[0])).toEqual(['coordinator', 'runners', 'runs', 'queue', 'last hour', 'sessions']);
    expect(lines[0]).toMatch(new RegExp(`^coordinator\\s+${url} · agent-runner \\d+\\.\\d+\\.\\d+\\S* · sqlite · up \\S+$`));
    expect(lines[1]).toMatch(/^runners\s+1 online \(\d\/4 slots busy\), 0 stale, \d+ offline$/);
    expect(lines[4]).toMatch(/^last hour\s+\d+ runs? ended: \d+ succeeded, \d+ failed, \d+ cancelled, \d+ timed out · [\d.]+% succeeded$/);
    const json = JSON.parse((await cli('status', '--json')).stdout);
    expect(json.url).toBe(url);
    const status = SystemStatusSchema.parse(json);
    expect(status.runners).toMatchObject({ online: 1, slots_total: 4 });
    expect(status.last_hour.succeeded).toBeGreaterThanOrEqual(1);
  });

  it('sessions list: --agent, --parent, --status and --limit, with agent, executor, parent, duration and cost columns', async () => {
    expect((await api('PUT', '/v1/agents/lister', { executor: 'test-executor' })).status).toBe(201);
    const first = await finished({ agent: 'lister', prompt: 'first' });
    const second = await finished({ agent: 'lister', prompt: `second ${ESC}]0;pwned\x07title` });
    const child = await finished({ executor: 'test-executor', prompt: 'the child', parent_session_id: first.session_id });
    const failed = await finished({ executor: 'exit-with', prompt: 'fails' });

    const byAgent = await cli('sessions', 'list', '--agent', 'lister');
    expect(byAgent.code).toBe(0);
    const [header, ...rows] = byAgent.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^SESSION\s+STATUS\s+AGENT\s+EXECUTOR\s+PARENT\s+CREATED\s+DURATION\s+COST\s+PROMPT$/);
    expect(rows.map((r) => r.split(/\s+/)[0])).toEqual([second.session_id, first.session_id]);
    expect(rows[1]).toMatch(new RegExp(`^${first.session_id}\\s+idle\\s+lister\\s+test-executor\\s+-\\s+${TIME.source}\\s+\\S+s\\s+\\$0\\.0000\\s+first$`));
    expect(byAgent.stdout).not.toContain(ESC);
    expect(rows[0]).toContain('second ');

    const byParent = await cli('sessions', 'list', '--parent', first.session_id);
    expect(byParent.stdout.trimEnd().split('\n').slice(1)).toEqual([expect.stringMatching(new RegExp(`^${child.session_id}\\s+idle\\s+-\\s+test-executor\\s+${first.session_id}\\s`))]);
    const byStatus = SessionPageSchema.parse(JSON.parse((await cli('sessions', 'list', '--status', 'failed', '--json')).stdout));
    expect(byStatus.sessions.map((s) => s.session_id)).toContain(failed.session_id);
    expect(byStatus.sessions.every((s) => s.status === 'failed')).toBe(true);

    const page = await cli('sessions', 'list', '--agent', 'lister', '--limit', '1');
    const more = /more: (agent-runner sessions list .*)$/m.exec(page.stdout)![1]!;
    expect(more).toBe(`agent-runner sessions list -c ${url} --agent lister --limit 1 --cursor ${more.split(' ').at(-1)}`);
    const next = await kit.cli(more.split(' ').slice(1), { env: { TZ: 'UTC' } });
    expect(next.stdout.trimEnd().split('\n').slice(1).map((r) => r.split(/\s+/)[0])).toEqual([first.session_id]);

    for (const [args, message] of [
      [['--limit', '0'], '--limit: "0" must be a whole number from 1 to 1000'],
      [['--limit', '5x'], '--limit: "5x" must be a whole number from 1 to 1000'],
      [['--status', 'bogus'], '--status: "bogus" is not a session status (one of queued, running, idle, failed, cancelled)'],
      [['--status', `idle${ESC}[2J`], '--status: "idle" is not a session status'], // the escape sequence is not printed
      [['--agent', ''], '--agent: must not be empty'],
      [['--parent', ' '], '--parent: must not be empty'],
    ] as const) {
      const res = await cli('sessions', 'list', ...args);
      expect({ args, code: res.code, stdout: res.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(res.stderr).toContain(message);
    }
  });

  it('sessions show: the run, runner, outcome, exit code, error, usage and result data, in list\'s time format, escaped', async () => {
    const failed = await finished({ executor: 'exit-with', prompt: 'fails' });
    const show = await cli('sessions', 'show', failed.session_id);
    expect(show.code).toBe(0);
    const field = (name: string) => show.stdout.split('\n').find((l) => l.startsWith(`${name.padEnd(12)}`))?.slice(12);
    expect(field('status')).toBe('failed');
    expect(field('run')).toBe(`${failed.last_run_id} (start, failed, attempt 1 of 3)`);
    expect(field('runner')).toMatch(new RegExp(`^rnr_\\w+ \\(${hostname()}:${daemonPid}\\)$`));
    expect(field('outcome')).toMatch(/^failed, ran \S+$/);
    expect(field('exit code')).toBe('3');
    expect(field('error')).toBe('exited with code 3: failing on purpose with 3');
    expect(field('result')).toBe('-');
    const listed = (await cli('sessions', 'list', '--status', 'failed')).stdout.split('\n').find((l) => l.startsWith(failed.session_id))!;
    expect(field('created')).toMatch(new RegExp(`^${TIME.source}$`));
    expect(listed).toContain(field('created'));

    const echoed = await finished({ executor: 'test-executor', prompt: 'count me' });
    const usage = (await cli('sessions', 'show', echoed.session_id)).stdout;
    expect(usage).toMatch(/^usage {7}8 in \/ 14 out tokens, \$0\.0000$/m);
    expect(usage).toMatch(/^last run {4}8 in \/ 14 out tokens, \$0\.0000$/m);
    expect(usage).not.toMatch(/^tree usage/m);
    expect(usage).toMatch(/^exit code {3}0$/m);
    // Under a child, a session shows its tree's usage too (its own runs' and its descendants').
    await finished({ executor: 'test-executor', prompt: 'count me too', parent_session_id: echoed.session_id });
    const withChild = (await cli('sessions', 'show', echoed.session_id)).stdout;
    expect(withChild).toMatch(/^usage {7}8 in \/ 14 out tokens, \$0\.0000$/m);
    expect(withChild).toMatch(/^tree usage {2}20 in \/ 32 out tokens, \$0\.0000 \(2 sessions\)$/m);

    const data = await finished({ executor: 'report-env', prompt: 'data' });
    const shown = (await cli('sessions', 'show', data.session_id)).stdout;
    expect(shown).toMatch(/^result_data {\n {14}"cwd": "/m);
    const json = JSON.parse((await cli('sessions', 'show', failed.session_id, '--json')).stdout);
    expect(json).toMatchObject({ session_id: failed.session_id, status: 'failed', last_run: { run_id: failed.last_run_id, outcome: { kind: 'failed', exit_code: 3 } } });

    const hostile = await finished({ executor: 'escapes', prompt: `show ${ESC}[2J me` });
    const text = (await cli('sessions', 'show', hostile.session_id)).stdout;
    expect(text).not.toContain(ESC);
    // The carriage return that would draw over the line is shown as text.
    expect(text).toMatch(/^result {6}done\\x0d✔ succeeded\n {12}line two$/m);
  });

  it('sessions wait exits as run would (124 when --timeout passes); sessions result prints only the result', async () => {
    const failed = await finished({ executor: 'exit-with', prompt: 'fails' });
    const waitFailed = await cli('sessions', 'wait', failed.session_id);
    expect(waitFailed).toMatchObject({ code: 1, stdout: `✘ ${failed.session_id} failed: exited with code 3: failing on purpose with 3\n` });
    expect(JSON.parse((await cli('sessions', 'wait', failed.session_id, '--json')).stdout)).toMatchObject({ status: 'failed', last_run: { status: 'failed' } });

    const { session_id: ticking } = await createSession(api, { executor: 'ticker', prompt: 'until go' });
    await waitForSession(api, ticking, ['running']);
    const waiting = kit.spawnCli(['sessions', 'wait', ticking, '-c', url]);
    writeFileSync(goFile, '');
    expect(await waiting.exited).toEqual({ code: 0, signal: null });
    expect(waiting.stdout()).toBe(`✔ ${ticking} succeeded\n`);
    const ticks = await cli('sessions', 'result', ticking);
    expect(ticks.stdout).toMatch(/^ticks \d+$/); // exactly the text: no newline added when stdout is not a terminal

    const { session_id: slow } = await createSession(api, { executor: 'slow-echo', prompt: 'never ends' });
    await waitForSession(api, slow, ['running']);
    const timedOut = await cli('sessions', 'wait', slow, '--timeout', '1s');
    expect(timedOut).toMatchObject({ code: 124, stdout: '' });
    expect(timedOut.stderr).toContain(`${slow} is still running after 1s (--timeout)`);
    const noResult = await cli('sessions', 'result', slow);
    expect(noResult).toMatchObject({ code: 1, stdout: '' });
    expect(noResult.stderr).toContain(`${slow} is running: no result yet (wait for it: agent-runner sessions wait ${slow})`);
    await cli('sessions', 'stop', slow, '--wait');
    expect((await cli('sessions', 'wait', slow)).code).toBe(130);

    const bad = await cli('sessions', 'wait', slow, '--timeout', '5x');
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toContain('--timeout: "5x" is not a duration');
    expect((await cli('sessions', 'wait', 'ses_nope')).stderr).toContain('session ses_nope not found');

    const escapes = await finished({ executor: 'escapes', prompt: 'raw' });
    const raw = await cli('sessions', 'result', escapes.session_id);
    expect(raw).toMatchObject({ code: 0, stdout: `done${ESC}]0;pwned\x07\r${ESC}[2K${ESC}[32m✔ succeeded${ESC}[0m\nline two` });
    expect(JSON.parse((await cli('sessions', 'result', escapes.session_id, '--json')).stdout)).toEqual({ result_text: `done${ESC}]0;pwned\x07\r${ESC}[2K${ESC}[32m✔ succeeded${ESC}[0m\nline two` });
    const data = await finished({ executor: 'report-env', prompt: 'data' });
    expect(JSON.parse((await cli('sessions', 'result', data.session_id)).stdout)).toMatchObject({ stdin: expect.stringContaining('"prompt":"data"') });
    const none = await cli('sessions', 'result', failed.session_id);
    expect(none).toMatchObject({ code: 1, stdout: '' });
    expect(none.stderr).toContain(`${failed.session_id} ended failed without a result`);

    // On a terminal the text is made safe and ends with a newline (script(1) gives the command a pty).
    if (existsSync('/usr/bin/script')) {
      const command = [BIN, 'sessions', 'result', escapes.session_id, '-c', url].map((w) => `'${w}'`).join(' ');
      const tty = await execa('script', ['-qec', command, '/dev/null'], { env: { NO_COLOR: '1' }, reject: false });
      expect(tty.exitCode).toBe(0);
      expect(tty.stdout).not.toContain(ESC);
      expect(tty.stdout.replace(/\r\n/g, '\n')).toBe('done\\x0d✔ succeeded\nline two');
    }
  });

  it('sessions stop says "stop requested" and --wait waits for the tree; delete and prune', async () => {
    const { session_id: parent } = await createSession(api, { executor: 'slow-echo', prompt: 'parent' });
    const { session_id: child } = await createSession(api, { executor: 'slow-echo', prompt: 'child', parent_session_id: parent });
    await waitForSession(api, parent, ['running']);
    await waitForSession(api, child, ['running']);

    const refused = await cli('sessions', 'delete', parent);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toContain(`session ${parent} is running; stop it before deleting it`);

    const stop = await cli('sessions', 'stop', parent, '--wait');
    expect(stop.code).toBe(0);
    const lines = stop.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^stop requested: ${parent} \\(run run_\\w+ is running on rnr_\\w+; its runner cancels it`));
    expect(lines[1]).toMatch(new RegExp(`^  descendant ${child}: stop requested \\(run run_\\w+\\)$`));
    expect(lines.at(-1)).toBe(`✔ ${parent} ended: cancelled (and 1 descendant)`);
    expect((await api('GET', `/v1/sessions/${child}`)).body.status).toBe('cancelled');
    expect((await cli('sessions', 'stop', parent)).stdout).toContain(`${parent} had already ended: cancelled`);

    expect(await cli('sessions', 'delete', parent)).toMatchObject({ code: 0, stdout: `deleted ${parent} and 1 descendant\n` });
    expect((await api('GET', `/v1/sessions/${child}`)).status).toBe(404);
    expect((await cli('sessions', 'delete', parent)).stderr).toContain(`session ${parent} not found`);

    const badTimeout = await cli('sessions', 'stop', parent, '--wait', '--timeout', '10 s');
    expect(badTimeout).toMatchObject({ code: 2, stdout: '' });
    expect(badTimeout.stderr).toContain('--timeout: "10 s" is not a duration');
    expect((await cli('sessions', 'delete', 'ses_a/../b')).stderr).toContain('session ses_a/../b not found');
    expect((await cli('sessions', 'delete', `ses_${ESC}[2J`)).stderr).not.toContain(ESC);

    const failed = await finished({ executor: 'exit-with', prompt: 'to prune' });
    const failedBefore = (await api('GET', '/v1/sessions?status=failed&limit=1000')).body.sessions.length;
    expect(await cli('sessions', 'prune', '--older-than', '1w')).toMatchObject({ code: 0, stdout: 'pruned 0 sessions (ended more than 1w ago)\n' });
    const pruned = `pruned ${failedBefore} session${failedBefore === 1 ? '' : 's'} (failed)\n`;
    expect(await cli('sessions', 'prune', '--older-than', '0', '--status', 'failed')).toMatchObject({ code: 0, stdout: pruned });
    expect((await api('GET', `/v1/sessions/${failed.session_id}`)).status).toBe(404);
    expect(JSON.parse((await cli('sessions', 'prune', '--older-than', '7d', '--json')).stdout)).toEqual({ deleted: 0 });
    for (const [args, message] of [
      [['--older-than', '5x'], '--older-than: "5x" is not an age (use e.g. 30m, 12h, 7d, 2w)'],
      [['--older-than', '1d', '--status', 'running'], '--status: running sessions are in flight; prune deletes only ended sessions: idle, failed, cancelled'],
      [['--older-than', '1d', '--status', 'idle,bogus'], '--status: "bogus" is not a session status'],
      [['--older-than', '1d', '--status', ','], '--status: name at least one status'],
      [[], "required option '--older-than <age>' not specified"],
    ] as const) {
      const res = await cli('sessions', 'prune', ...args);
      expect({ args, code: res.code, stdout: res.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(res.stderr).toContain(message);
    }
  });
});
