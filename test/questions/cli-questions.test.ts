import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../protocol/events.js';
import { runCli, startCli } from '../helpers/cli.js';
import { BIN } from '../helpers/fixtures.js';
import { McpTestBed } from '../mcp/harness.js';

const isQuestion = (e: SessionEvent) => e.type === 'question';
const qidOf = (e: SessionEvent) => String((e.event as { question_id?: unknown }).question_id);

/**
 * A command on a pseudo-terminal: python3's pty module gives it a terminal for stdin and stdout and relays
 * what we write (keystrokes) and what it prints. `output()` is everything printed so far.
 */
class PtyProcess {
  readonly child: ChildProcess;
  #out = '';
  #waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: Record<string, string> = {}) {
    const relay = 'import os, pty, sys\nstatus = pty.spawn(sys.argv[1:])\nsys.exit(os.waitstatus_to_exitcode(status))';
    this.child = spawn('python3', ['-c', relay, BIN, ...args], { env: { ...process.env, NO_COLOR: '1', TERM: 'xterm', COLUMNS: '120', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.#out += chunk.toString('utf8');
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    // An exit wakes every wait too (one listener, not one per wait: waits woken by output leave none behind).
    this.child.on('exit', () => {
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  output(): string {
    return this.#out;
  }

  /** Resolve once the output (from `from`) holds `text`. */
  async waitFor(text: string | RegExp, from = 0): Promise<void> {
    const has = () => (typeof text === 'string' ? this.#out.indexOf(text, from) >= 0 : text.test(this.#out.slice(from)));
    while (!has()) {
      if (this.child.exitCode !== null) throw new Error(`exited before printing ${String(text)}:\n${this.#out}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  type(keys: string): void {
    this.child.stdin!.write(keys);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

describe('people answer from the CLI', { timeout: 120_000 }, () => {
  let bed: McpTestBed;
  const ptys: PtyProcess[] = [];
  beforeEach(async () => (bed = await McpTestBed.start()));
  afterEach(async () => {
    for (const p of ptys.splice(0)) p.kill();
    await bed.close();
  });

  const cli = (...args: string[]) => runCli([...args, '-c', bed.coordinator.url], { env: { TZ: 'UTC' } });
  const script = (steps: unknown[]) => JSON.stringify({ steps });

  it('inbox lists open questions oldest first with the exact tool call; answer answers once', async () => {
    const id = await bed.drive([
      { tool: 'ask_user', args: { question: 'Which region?', options: ['eu', 'us'], urgency: 'high' } },
      { tool: 'request_approval', args: { tool: 'Bash', input: { command: 'rm -rf build\u001b[31m' }, reason: 'cleanup' } },
    ]);
    const first = qidOf(await bed.waitForEvent(id, isQuestion));
    const empty = await runCli(['inbox', '--json', '-c', bed.coordinator.url]);
    expect(JSON.parse(empty.stdout).questions.map((q: { question_id: string }) => q.question_id)).toEqual([first]);
    const listed = await cli('inbox');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${first}  question  urgent  session ${id}`);
    expect(listed.stdout).toContain('  Which region?');
    expect(listed.stdout).toContain('  [0] eu\n  [1] us');

    const bad = await cli('answer', first, '--choice', '7');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('choice 7 is out of range');
    const usage = await cli('answer', first, 'text', '--choice', '1');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('give exactly one answer');
    const ok = await cli('answer', first, '--choice', '1');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`^${first} answered: choice 1: us by cli:\\S+@\\S+\\n$`));
    const twice = await cli('answer', first, '--choice', '0');
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/already answered: by cli:\S+ at \d{4}-/);

    let n = 0;
    const approval = qidOf(await bed.waitForEvent(id, (e) => isQuestion(e) && ++n === 2));
    const shown = await cli('inbox');
    expect(shown.stdout).toContain(`${approval}  approval  session ${id}`);
    expect(shown.stdout).toContain('tool call: Bash');
    // The agent's text is escaped: no raw ESC reaches the terminal.
    expect(shown.stdout).toContain('"command": "rm -rf build\\u001b[31m"');
    expect(shown.stdout).not.toContain('\u001b');
    expect(shown.stdout).toContain('cleanup');
    expect((await cli('answer', approval, 'sure')).stderr).toContain('text: an approval is answered with decision');
    expect((await cli('answer', approval, '--deny', '--remember')).stderr).toContain('--remember goes with --allow');
    const denied = await cli('answer', approval, '--deny', '--message', 'use make clean');
    expect(denied.stdout).toContain('answered: deny — use make clean');
    const view = await bed.waitEnded(id);
    const calls = (view.result?.result_data as { calls: { data: any }[] }).calls;
    expect(calls[0]!.data).toMatchObject({ answer: { choice: 1, choice_text: 'us' } });
    expect(calls[1]!.data).toMatchObject({ decision: 'deny', message: 'use make clean' });
    expect(JSON.parse((await cli('inbox', '--json')).stdout)).toEqual({ questions: [] });
    expect((await cli('answer', 'q_nope', 'x')).code).toBe(1);
  });

  it('sessions list, show and tree say waiting_for_input while a question is open', async () => {
    const id = await bed.drive([{ tool: 'ask_user', args: { question: 'Hold on?' } }]);
    const qid = qidOf(await bed.waitForEvent(id, isQuestion));
    expect((await cli('sessions', 'list')).stdout).toMatch(new RegExp(`${id}\\s+waiting_for_input`));
    expect((await cli('sessions', 'show', id)).stdout).toContain('running, waiting_for_input (1 open question: agent-runner inbox)');
    const tree = (await cli('sessions', 'tree', id)).stdout;
    expect(tree).toContain('waiting_for_input');
    expect(tree).toContain('1 waiting for input');
    expect(tree).not.toContain('quiet');
    await cli('answer', qid, 'go on');
    await bed.waitEnded(id);
    expect((await cli('sessions', 'list')).stdout).toMatch(new RegExp(`${id}\\s+idle`));
  });

  it('inbox --follow prints new questions as they come and a line when one is answered', async () => {
    const follower = startCli(['inbox', '--follow', '-c', bed.coordinator.url]);
    let out = '';
    const seen = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => out.includes(text) && resolve();
        follower.stdout!.on('data', (c: Buffer) => ((out += c.toString()), check()));
        check();
      });
    await seen('No open questions; waiting for some');
    const id = await bed.drive([{ tool: 'ask_user', args: { question: 'Follow me?' } }]);
    const qid = qidOf(await bed.waitForEvent(id, isQuestion));
    await seen('Follow me?');
    await cli('answer', qid, 'followed');
    await seen(`${qid} answered: followed by cli:`);
    follower.kill('SIGINT');
    expect((await follower).exitCode).toBe(0);
  });

  it('run without a terminal prints the question and its answer as events, reads nothing, and follows until it is answered', async () => {
    const run = startCli(['run', '-x', 'mcp-driver', '-c', bed.coordinator.url, script([{ tool: 'ask_user', args: { question: 'Piped?', options: ['a', 'b'] } }])], { env: { TZ: 'UTC' } });
    let out = '';
    await new Promise<void>((resolve) => {
      run.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('Piped?')) resolve();
      });
    });
    expect(out).toMatch(/question\s+q_\w+: Piped\? \[0\] a \[1\] b/);
    const [q] = (await bed.user.listQuestions()).questions;
    await bed.user.answerQuestion(q!.question_id, { choice: 0, answered_by: 'gina' });
    const done = await run;
    expect(done.exitCode).toBe(0);
    expect(String(done.stdout)).toMatch(/answer\s+q_\w+ answered: choice 0: a by gina/);
    expect(String(done.stdout)).not.toContain('Your answer');
  });

  it('run: Ctrl-C (a signal, no prompt open) while a question waits stops the tree and cancels the question', async () => {
    const run = startCli(['run', '-x', 'mcp-driver', '-c', bed.coordinator.url, script([{ tool: 'ask_user', args: { question: 'Stop me?' } }])]);
    let out = '';
    await new Promise<void>((resolve) => {
      run.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('Stop me?')) resolve();
      });
    });
    run.kill('SIGINT');
    const done = await run;
    expect(done.exitCode).toBe(130);
    const [q] = (await bed.user.listQuestions({ status: 'all' })).questions;
    expect(q).toMatchObject({ status: 'cancelled', answered_by: 'stop' });
    expect(String(done.stdout)).toMatch(/answer\s+q_\w+ cancelled by stop/);
  });

  it('run asks the question of its tree on a terminal and the agent gets the choice', async () => {
    const pty = new PtyProcess(['run', '-x', 'mcp-driver', '-c', bed.coordinator.url, script([{ tool: 'ask_user', args: { question: 'Ship it?', options: ['no', 'yes'] } }])]);
    ptys.push(pty);
    await pty.waitFor('Your answer:');
    expect(pty.output()).toContain('Ship it?');
    pty.type('\u001b[B'); // down: "yes"
    await pty.waitFor(/❯ yes/);
    pty.type('\r');
    await pty.waitFor('answered: choice 1: yes by cli:');
    expect(await pty.exited).toBe(0);
    expect(pty.output()).toMatch(/✔ succeeded/);
    const [q] = (await bed.user.listQuestions({ status: 'answered' })).questions;
    expect(q).toMatchObject({ question: 'Ship it?', answer: { choice: 1, choice_text: 'yes' } });
  });

  it('run: an approval answered on the terminal with a message', async () => {
    const pty = new PtyProcess(['run', '-x', 'mcp-driver', '-c', bed.coordinator.url, script([{ tool: 'request_approval', args: { tool: 'Bash', input: { command: 'make deploy' } } }])]);
    ptys.push(pty);
    await pty.waitFor('Allow Bash?');
    expect(pty.output()).toContain('"command": "make deploy"');
    pty.type('\u001b[B\u001b[B\u001b[B'); // "deny, with a message…"
    await pty.waitFor(/❯ deny, with a message/);
    pty.type('\r');
    await pty.waitFor('Message for the agent:');
    pty.type('not on Friday\r');
    await pty.waitFor('answered: deny — not on Friday');
    expect(await pty.exited).toBe(0);
    const sessionId = (await bed.user.listQuestions({ status: 'answered' })).questions[0]!.session_id;
    const view = await bed.user.getSession(sessionId);
    expect((view.result?.result_data as { calls: { data: any }[] }).calls[0]!.data).toMatchObject({ decision: 'deny', message: 'not on Friday' });
  });

  it('run: Ctrl-C at the prompt leaves the question unanswered and keeps following; answered elsewhere, run ends', async () => {
    const pty = new PtyProcess(['run', '-x', 'mcp-driver', '-c', bed.coordinator.url, script([{ tool: 'ask_user', args: { question: 'Free text?' } }])]);
    ptys.push(pty);
    await pty.waitFor('Your answer (empty: leave it unanswered):');
    pty.type('\u0003');
    await pty.waitFor('left unanswered (Ctrl-C)');
    const [q] = (await bed.user.listQuestions()).questions;
    expect(q!.status).toBe('open');
    expect((await bed.user.getSession(q!.session_id)).status).toBe('running');
    const mark = pty.output().length;
    await bed.user.answerQuestion(q!.question_id, { text: 'from elsewhere', answered_by: 'eve' });
    await pty.waitFor('answered: from elsewhere by eve', mark);
    expect(await pty.exited).toBe(0);
  });

  it('run: a question answered elsewhere closes its open prompt', async () => {
    const pty = new PtyProcess(['run', '-x', 'mcp-driver', '-c', bed.coordinator.url, script([{ tool: 'ask_user', args: { question: 'Race me?' } }])]);
    ptys.push(pty);
    await pty.waitFor('Your answer (empty: leave it unanswered):');
    const [q] = (await bed.user.listQuestions()).questions;
    await bed.user.answerQuestion(q!.question_id, { text: 'inbox won', answered_by: 'frank' });
    await pty.waitFor('answered: inbox won by frank');
    expect(await pty.exited).toBe(0);
  });
});
