import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freshDatabase, STORE_KINDS } from '../coordinator/helpers.js';
import { spawnCoordinator, type SpawnedCoordinator } from '../coordinator/spawn-coordinator.js';
import { executorLauncher } from '../../lib/process/native-spawn.js';
import { BIN, WAIT_MS } from '../helpers/fixtures.js';
import { freePort, useRunnerKit, type LogLine } from '../runner/runner-kit.js';

const COORDINATOR_BIN = fileURLToPath(new URL('../../bin/agent-coordinator', import.meta.url));
/** The start of a pretty line: local time to the millisecond, then the level. */
const PRETTY = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) /;
const EMBEDDED = 'no --coordinator-url: started a coordinator in-process';

/** Run a binary to its end, with `env` on top of ours (no terminal: stdio are pipes). */
const runBin = (bin: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, VITEST: undefined, ...env }, timeout: WAIT_MS });

const lines = (stderr: string) => stderr.split('\n').filter((l) => l !== '');

describe('readable logs: agent-runner --log-format / AGENT_RUNNER_LOG_FORMAT', () => {
  const kit = useRunnerKit();

  /** Start the daemon with an embedded coordinator, wait for its registration, stop it; its stderr lines. */
  async function daemonLines(args: string[], env: NodeJS.ProcessEnv, registered: (l: LogLine) => boolean): Promise<{ lines: string[]; port: string }> {
    const port = String(await freePort());
    const daemon = kit().spawnCli(['-x', 'sh-echo', ...args], { env: { AGENT_RUNNER_LOCAL_PORT: port, ...env } });
    await daemon.waitForLog(registered, 'the runner to register');
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    return { lines: lines(daemon.stderr()), port };
  }

  it('--log-format pretty: one human line per record, the embedded coordinator\'s (url, database) first', async () => {
    const { lines: out, port } = await daemonLines(['--log-format', 'pretty'], {}, (l) => l.msg?.includes('registered with the coordinator') === true);
    for (const line of out) expect(line).toMatch(PRETTY);
    expect(out[0]).toMatch(new RegExp(`^\\S+ \\S+ INFO  \\[coordinator\\] ${EMBEDDED} url=http://127\\.0\\.0\\.1:${port} console=http://127\\.0\\.0\\.1:${port}/ store=sqlite database=\\S+/coordinator\\.db agents=0 workflows=0$`));
    expect(out).toContainEqual(expect.stringMatching(new RegExp(` INFO  registered with the coordinator runner=rnr_\\w+ executors=\\[sh-echo\\] tags=\\[\\] concurrency=4 launcher=${executorLauncher()}$`)));
  });

  it('AGENT_RUNNER_LOG_FORMAT=pretty does the same; --log-format json wins over it', async () => {
    const pretty = await daemonLines([], { AGENT_RUNNER_LOG_FORMAT: 'pretty' }, (l) => l.msg?.includes('registered with the coordinator') === true);
    expect(pretty.lines[0]).toMatch(PRETTY);
    const json = await daemonLines(['--log-format', 'json'], { AGENT_RUNNER_LOG_FORMAT: 'pretty' }, (l) => l.msg === 'registered with the coordinator');
    expect(json.lines.map((l) => JSON.parse(l) as LogLine)[0]).toMatchObject({ msg: EMBEDDED, url: `http://127.0.0.1:${json.port}`, store: 'sqlite', database: expect.stringMatching(/coordinator\.db$/) });
  });

  it('logs JSON lines when stderr is not a terminal and nothing is asked; the embedded coordinator\'s line is still first', async () => {
    const { lines: out, port } = await daemonLines([], {}, (l) => l.msg === 'registered with the coordinator');
    const records = out.map((l) => JSON.parse(l) as LogLine);
    expect(records[0]).toMatchObject({ level: 30, msg: EMBEDDED, component: 'coordinator', url: `http://127.0.0.1:${port}` });
  });

  it('refuses a malformed format with exit 2, naming the flag or the variable, before starting anything', () => {
    const flag = runBin(BIN, ['--log-format', 'xml'], { AGENT_RUNNER_LOCAL_PORT: '1' });
    expect(flag.status).toBe(2);
    expect(flag.stderr).toBe('agent-runner: --log-format: "xml" is not a log format (use json or pretty)\n');
    const empty = runBin(BIN, ['--log-format', ''], { AGENT_RUNNER_LOCAL_PORT: '1' });
    expect([empty.status, empty.stderr]).toEqual([2, 'agent-runner: --log-format: "" is not a log format (use json or pretty)\n']);
    const env = runBin(BIN, [], { AGENT_RUNNER_LOG_FORMAT: 'pretty\x1b]0;owned\x07', AGENT_RUNNER_LOCAL_PORT: '1' });
    expect(env.status).toBe(2);
    expect(env.stderr).toBe('agent-runner: AGENT_RUNNER_LOG_FORMAT: "pretty\\x1b]0;owned\\x07" is not a log format (use json or pretty)\n');
    // `run` logs (its in-process runner's warnings): the same variable, the same refusal.
    const run = runBin(BIN, ['run', '-x', 'sh-echo', 'hi'], { AGENT_RUNNER_LOG_FORMAT: 'yaml' });
    expect([run.status, run.stderr]).toEqual([2, 'agent-runner: AGENT_RUNNER_LOG_FORMAT: "yaml" is not a log format (use json or pretty)\n']);
  });

  it('lists --log-format in the help', () => {
    expect(runBin(BIN, ['--help']).stdout).toContain('--log-format <format>');
  });
});

describe('readable logs: agent-coordinator --log-format / AGENT_COORDINATOR_LOG_FORMAT / AGENT_RUNNER_LOG_FORMAT', () => {
  const started: SpawnedCoordinator[] = [];
  const drops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((c) => c.stop('SIGKILL')));
    for (const drop of drops.splice(0)) await drop();
  });

  /** Start agent-coordinator on a fresh database of `kind`; its stderr lines once it listens, then stopped. */
  async function coordinatorLines(kind: (typeof STORE_KINDS)[number], args: string[], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
    const db = await freshDatabase(kind);
    drops.push(db.drop);
    const schema = db.databaseSchema === undefined ? [] : ['--database-schema', db.databaseSchema];
    const coordinator = await spawnCoordinator(['--database-url', db.databaseUrl, ...schema, ...args], env);
    started.push(coordinator);
    const exit = once(coordinator.child, 'exit');
    await coordinator.stop('SIGTERM');
    // Stopped cleanly, even by a signal sent as soon as it said it listens.
    expect(await exit).toEqual([0, null]);
    // The exit can come before the last bytes of the pipe are read.
    const stderr = coordinator.child.stderr!;
    if (!stderr.readableEnded) await once(stderr, 'end');
    return lines(coordinator.stderr());
  }

  for (const kind of STORE_KINDS) {
    it(`${kind}: --log-format pretty writes its lines for people; the listening line has the url, store and (SQLite only) the file`, async () => {
      const out = await coordinatorLines(kind, ['--log-format', 'pretty']);
      for (const line of out) expect(line).toMatch(PRETTY);
      const listening = out.find((l) => l.includes('coordinator listening'))!;
      expect(listening).toMatch(new RegExp(`INFO  coordinator listening url=http://127\\.0\\.0\\.1:(\\d+) console=http://127\\.0\\.0\\.1:\\1/ store=${kind}${kind === 'sqlite' ? ' database=\\S+\\.db' : ''} agents=0 workflows=0$`));
      if (kind === 'postgres') expect(listening).not.toContain('postgres://');
      expect(out.at(-1)).toMatch(/ INFO  coordinator stopped$/);
    });
  }

  it('reads AGENT_COORDINATOR_LOG_FORMAT, then AGENT_RUNNER_LOG_FORMAT; the flag wins over both', async () => {
    expect((await coordinatorLines('sqlite', [], { AGENT_COORDINATOR_LOG_FORMAT: 'pretty' }))[0]).toMatch(PRETTY);
    expect((await coordinatorLines('sqlite', [], { AGENT_RUNNER_LOG_FORMAT: 'pretty' }))[0]).toMatch(PRETTY);
    expect(JSON.parse((await coordinatorLines('sqlite', [], { AGENT_COORDINATOR_LOG_FORMAT: 'json', AGENT_RUNNER_LOG_FORMAT: 'pretty' }))[0]!)).toMatchObject({ msg: 'coordinator listening' });
    expect(JSON.parse((await coordinatorLines('sqlite', ['--log-format', 'json'], { AGENT_COORDINATOR_LOG_FORMAT: 'pretty' }))[0]!)).toMatchObject({ msg: 'coordinator listening' });
    expect(JSON.parse((await coordinatorLines('sqlite', []))[0]!)).toMatchObject({ msg: 'coordinator listening' });
  });

  it('refuses a malformed format with exit 2, naming the flag or the variable it came from', () => {
    const cases: Array<[string[], NodeJS.ProcessEnv, string]> = [
      [['--log-format', 'xml'], {}, '--log-format: "xml" is not a log format (use json or pretty)'],
      [[], { AGENT_COORDINATOR_LOG_FORMAT: 'text' }, 'AGENT_COORDINATOR_LOG_FORMAT: "text" is not a log format'],
      [[], { AGENT_RUNNER_LOG_FORMAT: 'a\nb\x9b' }, 'AGENT_RUNNER_LOG_FORMAT: "a\\nb\\x9b" is not a log format'],
    ];
    for (const [args, env, message] of cases) {
      const res = runBin(COORDINATOR_BIN, ['--database-url', ':memory:', '--port', '0', ...args], env);
      expect({ args, env, status: res.status }).toEqual({ args, env, status: 2 });
      expect(res.stderr).toBe(`agent-coordinator: ${message}${message.endsWith(')') ? '' : ' (use json or pretty)'}\n`);
    }
    expect(runBin(COORDINATOR_BIN, ['--help']).stdout).toContain('--log-format <format>');
  });
});
