import { execFileSync, spawnSync } from 'node:child_process';
import { execa } from 'execa';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { bashScript } from '../../lib/cli/completion/bash-script.js';
import { allCommands, commandSpec, optionFlags } from '../../lib/cli/completion/command-spec.js';
import { fishScript } from '../../lib/cli/completion/fish-script.js';
import { buildProgram } from '../../lib/cli/main.js';
import { startTestCoordinator } from '../coordinator/helpers.js';
import { runCli } from '../helpers/cli.js';
import { BIN, FIXTURE_EXECUTORS, tempDir, WAIT_MS } from '../helpers/fixtures.js';

const hasShell = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
const spec = commandSpec(buildProgram());

// `agent-runner completion bash|zsh|fish`: scripts generated from the program, checked by running them
// in the real shells (zsh and fish when installed), with names from a real coordinator and the fixtures.
describe('agent-runner completion', { timeout: 120_000 }, () => {
  let coordinator: Awaited<ReturnType<typeof startTestCoordinator>>;
  let sessionId: string;
  const folder = tempDir('completion-');
  const scripts: Record<string, string> = {};
  let env: Record<string, string>;

  beforeAll(async () => {
    const skills = join(folder.dir, 'skills');
    mkdirSync(join(skills, 'pdf-forms'), { recursive: true });
    writeFileSync(join(skills, 'pdf-forms', 'SKILL.md'), '---\nname: pdf-forms\ndescription: Fill PDF forms\n---\n');
    coordinator = await startTestCoordinator('sqlite', { skillsDir: skills });
    await coordinator.api('PUT', '/v1/agents/reviewer', { executor: 'sh-echo' });
    await coordinator.api('PUT', '/v1/agents/writer', {});
    sessionId = (await coordinator.api('POST', '/v1/sessions', { executor: 'parked', prompt: 'hi' })).body.session_id;
    env = { ...(process.env as Record<string, string>), AGENT_COORDINATOR_URL: coordinator.url, AGENT_RUNNER_EXECUTORS_PATH: FIXTURE_EXECUTORS };
    mkdirSync(join(folder.dir, 'agents'));
    writeFileSync(join(folder.dir, 'agents', 'from-file.json'), '{}');
    mkdirSync(join(folder.dir, 'some-dir'));
    for (const shell of ['bash', 'zsh', 'fish']) {
      const res = await runCli(['completion', shell]);
      expect({ shell, code: res.code, stderr: res.stderr }).toEqual({ shell, code: 0, stderr: '' });
      scripts[shell] = res.stdout;
      writeFileSync(join(folder.dir, `completion.${shell}`), res.stdout);
    }
  });
  afterAll(async () => {
    await coordinator?.stop();
    folder.cleanup();
  });

  /** Run a shell script in the folder (not blocking: the coordinator the scripts ask runs in this process). */
  const shell = async (command: string, args: string[], extraEnv: Record<string, string> = {}) =>
    (await execa(command, args, { cwd: folder.dir, env: { ...env, ...extraEnv }, timeout: WAIT_MS })).stdout;

  /** What bash completes for the words typed (the last one being completed). */
  const bash = async (words: string[], extraEnv: Record<string, string> = {}) => {
    const script = `source completion.bash
COMP_WORDS=(${[BIN, ...words].map((w) => `'${w}'`).join(' ')}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
_agent_runner
printf '%s\\n' "\${COMPREPLY[@]}"`;
    return (await shell('bash', ['-c', script], extraEnv)).split('\n').filter(Boolean).sort();
  };

  it('bash: commands, subcommands, flags, fixed values, folders', async () => {
    expect(await bash([''])).toEqual(['agents', 'answer', 'completion', 'credentials', 'executor', 'inbox', 'invoke', 'notifications', 'run', 'runners', 'say', 'sessions', 'skills', 'status', 'workflow']);
    expect(await bash(['se'])).toEqual(['sessions']);
    expect(await bash(['sessions', ''])).toEqual(['delete', 'events', 'help', 'list', 'prune', 'result', 'resume', 'retry', 'show', 'stop', 'tree', 'wait']);
    expect(await bash(['sessions', 'list', '--st'])).toEqual(['--status']);
    expect(await bash(['sessions', 'list', '--status', ''])).toEqual(['cancelled', 'failed', 'idle', 'queued', 'running']);
    expect(await bash(['sessions', 'list', '--status', '=', 'i'])).toEqual(['idle']); // --status=i (bash splits at =)
    expect(await bash(['sessions', 'prune', '--status', ''])).toEqual(['cancelled', 'failed', 'idle']);
    expect(await bash(['completion', ''])).toEqual(['bash', 'fish', 'zsh']);
    expect(await bash(['invoke', '--mode', ''])).toEqual([]); // a value without a fixed list: nothing to offer
    expect(await bash(['run', '-p', 'some-'])).toEqual(['some-dir']);
    // Flags taking a value are skipped with their value when finding the command.
    expect(await bash(['-c', 'http://x', 'sessions', '-v', 'wa'])).toEqual(['wait']);
    expect(await bash(['run', '--json', '-'])).toContain('--agent');
  });

  it('bash: executor names from discovery, agent and session names from the coordinator, agent files without one', async () => {
    expect(await bash(['run', '-x', 'sh'])).toEqual(['sh-echo', 'shell']);
    expect(await bash(['--executor', 'py'])).toEqual(['python-echo']);
    expect(await bash(['executor', 'check', 'test-'])).toEqual(['test-executor']);
    expect(await bash(['run', '--agent', ''])).toEqual(['reviewer', 'writer']);
    expect(await bash(['sessions', 'list', '--agent', 'w'])).toEqual(['writer']);
    expect(await bash(['sessions', 'show', ''])).toEqual([sessionId]);
    expect(await bash(['skills', 'show', ''])).toEqual(['pdf-forms']);
    expect(await bash(['sessions', 'resume', sessionId, ''])).toEqual([]); // the prompt
    // No coordinator answering: agents are the files of ./agents, sessions none. The port is held by a
    // server that drops every connection: a port merely found free could meanwhile go to another test
    // file's coordinator (seen: its agents completed instead).
    const dropping: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
    try {
      const nothing = { AGENT_COORDINATOR_URL: `http://127.0.0.1:${(dropping.address() as { port: number }).port}` };
      expect(await bash(['run', '--agent', ''], nothing)).toEqual(['from-file']);
      expect(await bash(['sessions', 'show', ''], nothing)).toEqual([]);
    } finally {
      await new Promise((resolve) => dropping.close(resolve));
    }
  });

  it('the scripts follow the program: every command and flag of it, nothing else', () => {
    const probe = allCommands(spec)
      .map((c) => `_agent_runner_spec '${c.path}'; echo "${c.path}|$cmds|$opts"`)
      .join('\n');
    const out = execFileSync('bash', ['-c', `source completion.bash\n${probe}`], { cwd: folder.dir, encoding: 'utf8' });
    const seen = out.trimEnd().split('\n');
    expect(seen).toEqual(allCommands(spec).map((c) => `${c.path}|${c.commands.map((s) => s.name).join(' ')}|${c.options.flatMap(optionFlags).join(' ')}`));
    expect(seen).toContain('sessions prune||-c --coordinator-url --json -v --verbose --older-than --status -h --help');
    for (const shell of ['zsh', 'fish']) {
      for (const c of allCommands(spec)) for (const flag of c.options.flatMap(optionFlags)) expect(scripts[shell]).toContain(flag.replace(/^--?/, ''));
    }
    expect(scripts.bash).not.toContain("'__complete')"); // the hidden command is not offered
  });

  it.skipIf(!hasShell('zsh'))('zsh: the script parses and completes (compsys functions stubbed to print what they are given)', async () => {
    expect(spawnSync('zsh', ['-n', 'completion.zsh'], { cwd: folder.dir }).status).toBe(0);
    const script = `compdef() { :; }
compadd() { if [[ $1 == -a ]]; then print -rl -- "\${(P@)2}"; else print -rl -- "$@"; fi }
_describe() { local arr=\${@[-1]}; print -rl -- "\${(@)\${(P@)arr}%%:*}"; }
_files() { print -r -- "<files $*>"; }
compset() { :; }
source ./completion.zsh
t() { words=("$@"); CURRENT=\${#words}; print -r -- "== $*"; _agent_runner; }
t ${BIN} ''
t ${BIN} sessions list --status ''
t ${BIN} sessions list --status=
t ${BIN} run -x ''
t ${BIN} run --agent ''
t ${BIN} sessions show ''
t ${BIN} run -p ''
t ${BIN} completion ''`;
    const out = await shell('zsh', ['-f', '-c', script]);
    const answers = Object.fromEntries(out.split(/^== /m).filter(Boolean).map((block) => {
      const [line, ...rest] = block.trimEnd().split('\n');
      return [line!.slice(BIN.length + 1), rest.sort()];
    }));
    expect(answers['']).toEqual(['agents', 'answer', 'completion', 'credentials', 'executor', 'inbox', 'invoke', 'notifications', 'run', 'runners', 'say', 'sessions', 'skills', 'status', 'workflow']);
    expect(answers['sessions list --status ']).toEqual(['cancelled', 'failed', 'idle', 'queued', 'running']);
    expect(answers['sessions list --status=']).toEqual(['cancelled', 'failed', 'idle', 'queued', 'running']);
    expect(answers['run -x ']).toEqual(expect.arrayContaining(['sh-echo', 'test-executor', 'ticker']));
    expect(answers['run --agent ']).toEqual(['reviewer', 'writer']);
    expect(answers['sessions show ']).toEqual([sessionId]);
    expect(answers['run -p ']).toEqual(['<files -/>']);
    expect(answers['completion ']).toEqual(['bash', 'fish', 'zsh']);
  });

  it.skipIf(!hasShell('fish'))('fish: the script parses and `complete -C` completes with it', async () => {
    expect(spawnSync('fish', ['--no-execute', 'completion.fish'], { cwd: folder.dir }).status).toBe(0);
    const lines = ['', 'sessions ', 'sessions list --st', 'sessions list --status ', 'sessions prune --status ', 'run -x sh', 'run --agent ', 'sessions show ', 'completion ', '-c x run --executor py'];
    const script = `source ./completion.fish
for line in ${lines.map((l) => `'${l}'`).join(' ')}
  echo "== $line"
  complete -C"agent-runner $line" | string split -f1 \\t
end`;
    const out = await shell('fish', ['-c', script], { PATH: `${join(BIN, '..')}:${env.PATH}` });
    const answers = Object.fromEntries(out.split(/^== /m).filter(Boolean).map((block) => {
      const [line, ...rest] = block.split('\n');
      return [line!, rest.filter(Boolean).sort()];
    }));
    expect(answers['']).toEqual(['agents', 'answer', 'completion', 'credentials', 'executor', 'inbox', 'invoke', 'notifications', 'run', 'runners', 'say', 'sessions', 'skills', 'status', 'workflow']);
    expect(answers['sessions ']).toEqual(['delete', 'events', 'help', 'list', 'prune', 'result', 'resume', 'retry', 'show', 'stop', 'tree', 'wait']);
    expect(answers['sessions list --st']).toEqual(['--status']);
    expect(answers['sessions list --status ']).toEqual(['cancelled', 'failed', 'idle', 'queued', 'running']);
    expect(answers['sessions prune --status ']).toEqual(['cancelled', 'failed', 'idle']);
    expect(answers['run -x sh']).toEqual(['sh-echo', 'shell']);
    expect(answers['run --agent ']).toEqual(['reviewer', 'writer']);
    expect(answers['sessions show ']).toEqual([sessionId]);
    expect(answers['completion ']).toEqual(['bash', 'fish', 'zsh']);
    expect(answers['-c x run --executor py']).toEqual(['python-echo']);
  });

  it('completes commands added later by what their arguments are: an agent name under agents, files for a variadic list', async () => {
    const program = new Command('agent-runner');
    const agents = program.command('agents');
    agents.command('show').argument('<name>');
    agents.command('validate').argument('<files...>');
    writeFileSync(join(folder.dir, 'completion-later.bash'), bashScript(commandSpec(program)));
    const complete = async (words: string[]) => {
      const script = `source completion-later.bash
COMP_WORDS=(${[BIN, ...words].map((w) => `'${w}'`).join(' ')}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
_agent_runner
printf '%s\\n' "\${COMPREPLY[@]}"`;
      return (await shell('bash', ['-c', script])).split('\n').filter(Boolean).sort();
    };
    expect(await complete(['agents', 'show', ''])).toEqual(['reviewer', 'writer']);
    expect(await complete(['agents', 'show', 'reviewer', ''])).toEqual([]);
    expect(await complete(['agents', 'validate', 'some-'])).toEqual(['some-dir']);
    expect(await complete(['agents', 'validate', 'a.json', 'b.json', 'some-'])).toEqual(['some-dir']);
    expect(fishScript(commandSpec(program))).toContain(`-n '__agent_runner_arg_from "agents validate" 0' -r -F`);
  });

  it('refuses an unknown shell naming the choices; __complete is quiet for what it cannot answer', async () => {
    const tcsh = await runCli(['completion', 'tcsh']);
    expect(tcsh).toMatchObject({ code: 2, stdout: '' });
    expect(tcsh.stderr).toContain("'tcsh' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish.");
    expect((await runCli(['completion'])).code).toBe(2);
    expect(await runCli(['__complete', 'secrets'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await runCli(['__complete', 'sessions'], { env: { AGENT_COORDINATOR_URL: 'not a url' } })).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await runCli(['--help'])).stdout).not.toContain('__complete');
  });

  it('__complete gives up on a coordinator that accepts but never answers, and falls back to ./agents', async () => {
    const sockets: Array<import('node:net').Socket> = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const res = await runCli(['__complete', 'agents'], { cwd: folder.dir, env: { AGENT_COORDINATOR_URL: `http://127.0.0.1:${port}` } });
      expect(res).toMatchObject({ code: 0, stdout: 'from-file\n', stderr: '' });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
    expect(existsSync(join(folder.dir, '.agent-runner'))).toBe(false);
  });
});
