import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { apiClient, type Api, eventually } from '../coordinator/helpers.js';
import { spawnCoordinator, type SpawnedCoordinator } from '../coordinator/spawn-coordinator.js';
import { BIN, FIXTURE_EXECUTORS, freePort, tempDir, WAIT_MS } from '../helpers/fixtures.js';

export { freePort } from '../helpers/fixtures.js';

/** One JSON log line of a process (pino), or `{msg: line}` for any other line. */
export type LogLine = Record<string, unknown> & { msg?: string };

/** A process of ours (`agent-runner` or `agent-coordinator`) and what it logged on stderr. */
export interface Proc {
  child: ChildProcess;
  pid: number;
  logs: LogLine[];
  stderr: () => string;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolve with the first log line (already written or to come) that matches. */
  waitForLog: (match: (line: LogLine) => boolean, what: string, timeoutMs?: number) => Promise<LogLine>;
}

function watchProcess(child: ChildProcess): Proc {
  const logs: LogLine[] = [];
  let stderr = '';
  let stdout = '';
  let partial = '';
  const waiters = new Set<{ match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const text of lines) {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { msg: text };
      }
      logs.push(line);
      for (const w of waiters) if (w.match(line)) (waiters.delete(w), w.resolve(line));
    }
  });
  return {
    child,
    pid: child.pid!,
    logs,
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
    waitForLog(match, what, timeoutMs = WAIT_MS) {
      const found = logs.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve: (l: LogLine) => (clearTimeout(timer), resolve(l)) };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`timed out waiting for ${what}; stderr so far:\n${stderr.slice(-3000)}`));
        }, timeoutMs);
        waiters.add(waiter);
        void exited.then(({ code, signal }) => {
          if (!waiters.has(waiter)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          reject(new Error(`process exited (${code ?? signal}) before ${what}; stderr:\n${stderr.slice(-3000)}`));
        });
      });
    },
  };
}

const alive = (p: Proc) => p.child.exitCode === null && p.child.signalCode === null;

/** Kill a process group, ignoring one that is gone. */
function killGroup(pid: number): void {
  // Never our own group (an executor a bug left in the runner's group shares the test's).
  if (pid === processGroupOf(process.pid)) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/**
 * Everything one test starts: temp folders, coordinators, runner daemons, and executors that record
 * their pid in `pidDir`. `cleanup()` (registered by `useRunnerKit` in afterEach) kills and removes all
 * of it, whatever state the test left behind.
 */
export class RunnerKit {
  readonly #procs: Proc[] = [];
  readonly #afterCleanup: Array<() => Promise<void>> = [];
  readonly #coordinators: SpawnedCoordinator[] = [];
  readonly #dirs: Array<() => void> = [];
  /** Executors started with PID_DIR set write their pid here; cleanup kills their process groups. */
  readonly pidDir: string;
  /** A scratch folder for the test (markers, go-files, agents, databases). */
  readonly dir: string;

  constructor() {
    this.dir = this.tempDir();
    this.pidDir = join(this.dir, 'pids');
    mkdirSync(this.pidDir);
  }

  tempDir(): string {
    const t = tempDir('runner-it-');
    this.#dirs.push(t.cleanup);
    return t.dir;
  }

  /** Start `bin/agent-coordinator` (a SQLite file under this kit's folder unless given) and an API client. */
  async coordinator(options: { port?: number; database?: string; args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<{ url: string; api: Api; proc: SpawnedCoordinator; database: string }> {
    const database = options.database ?? join(this.dir, 'coordinator.db');
    const agentsDir = join(this.dir, 'agents');
    mkdirSync(agentsDir, { recursive: true });
    const args = ['--database-url', database, '--agents-dir', agentsDir, ...(options.args ?? [])];
    if (options.port !== undefined) args.push('--port', String(options.port));
    const proc = await spawnCoordinator(args, options.env);
    this.#coordinators.push(proc);
    return { url: proc.url, api: apiClient(proc.url), proc, database };
  }

  /**
   * Start `bin/agent-runner` with `args` in its own temp cwd (AGENT_RUNNER_LOCAL_PORT set to a free port,
   * fixture executors on the path, PID_DIR set). Resolves once it logged its registration.
   */
  async daemon(args: string[], env: NodeJS.ProcessEnv = {}, options: { waitForRegistration?: boolean } = {}): Promise<Proc & { cwd: string }> {
    const cwd = this.tempDir();
    const proc = this.spawnCli(args, { cwd, env: { AGENT_RUNNER_LOCAL_PORT: String(await freePort()), ...env } });
    if (options.waitForRegistration ?? true) await proc.waitForLog((l) => l.msg === 'registered with the coordinator', 'the runner to register');
    return { ...proc, cwd };
  }

  /** Start `bin/agent-runner` with any arguments; the process is killed at cleanup. */
  spawnCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Proc {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? this.tempDir(),
      env: {
        ...process.env,
        VITEST: undefined,
        NO_COLOR: '1',
        AGENT_RUNNER_EXECUTORS_PATH: FIXTURE_EXECUTORS,
        PID_DIR: this.pidDir,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = watchProcess(child);
    this.#procs.push(proc);
    return proc;
  }

  /** Run `bin/agent-runner` to the end. */
  async cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const proc = this.spawnCli(args, options);
    const { code } = await proc.exited;
    return { code, stdout: proc.stdout(), stderr: proc.stderr() };
  }

  /** Pids of executors that wrote themselves into `pidDir` (files named after their pid). */
  executorPids(): number[] {
    return readdirSync(this.pidDir).filter((f) => /^\d+$/.test(f)).map(Number);
  }

  /** Pids written into files of `pidDir` (e.g. the grandchild fixture's `$PID_FILE`). */
  #pidsInFiles(): number[] {
    return readdirSync(this.pidDir)
      .filter((f) => !/^\d+$/.test(f))
      .map((f) => Number(readFileSync(join(this.pidDir, f), 'utf8').trim()))
      .filter((pid) => Number.isInteger(pid) && pid > 0);
  }

  async cleanup(): Promise<void> {
    for (const p of this.#procs) if (alive(p)) p.child.kill('SIGKILL');
    await Promise.all(this.#procs.map((p) => p.exited));
    await Promise.all(this.#coordinators.map((c) => c.stop('SIGKILL')));
    for (const pid of this.executorPids()) killGroup(pid);
    for (const pid of this.#pidsInFiles()) {
      try {
        killGroup(processGroupOf(pid));
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    for (const remove of this.#dirs.reverse()) remove();
    // Only now that no coordinator or runner is left: a PostgreSQL schema dropped under a live coordinator
    // can deadlock with its queries (seen beside stress-ng).
    for (const finish of this.#afterCleanup.splice(0).reverse()) await finish();
  }

  /** Run `finish` (dropping a test database) at cleanup, after every process of the kit has ended. */
  afterCleanup(finish: () => Promise<void>): void {
    this.#afterCleanup.push(finish);
  }
}

/** A fresh RunnerKit for each test of the file, cleaned up after it even when it failed. */
export function useRunnerKit(): () => RunnerKit {
  let kit: RunnerKit | undefined;
  afterEach(async () => {
    await kit?.cleanup();
    kit = undefined;
  });
  return () => (kit ??= new RunnerKit());
}

export interface SessionView {
  session_id: string;
  status: string;
  runner_id: string | null;
  last_run_id: string;
  result: { result_text?: string; result_data?: unknown } | null;
  [key: string]: unknown;
}

/** Create a session over HTTP; returns its ids. */
export async function createSession(api: Api, body: Record<string, unknown>): Promise<{ session_id: string; run_id: string }> {
  const res = await api('POST', '/v1/sessions', body);
  if (res.status !== 201) throw new Error(`create session: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Wait until the session reaches one of `statuses` (checked over HTTP every 10 ms). */
export async function waitForSession(api: Api, id: string, statuses: string[], timeoutMs = WAIT_MS): Promise<SessionView> {
  try {
    return await eventually(async () => {
      const res = await api('GET', `/v1/sessions/${id}`);
      return statuses.includes(res.body.status) ? (res.body as SessionView) : undefined;
    }, timeoutMs);
  } catch {
    const res = await api('GET', `/v1/sessions/${id}`);
    throw new Error(`session ${id} did not become ${statuses.join('|')}: ${JSON.stringify(res.body)}`);
  }
}

/** Every stored event of a session, in order. */
export async function allEvents(api: Api, id: string): Promise<Array<{ seq: number; run_id: string; run_seq: number; type: string; event: Record<string, unknown> }>> {
  const events = [];
  for (let after = 0; ; ) {
    const res = await api('GET', `/v1/sessions/${id}/events?after=${after}&limit=1000`);
    if (res.status !== 200) throw new Error(`events: ${res.status} ${JSON.stringify(res.body)}`);
    if (res.body.events.length === 0) return events;
    events.push(...res.body.events);
    after = res.body.next_after;
  }
}

/** Wait until the session has an event matching `match`. */
export async function waitForEvent(api: Api, id: string, match: (e: { type: string; event: Record<string, unknown> }) => boolean, timeoutMs = WAIT_MS) {
  return eventually(async () => (await allEvents(api, id)).find(match), timeoutMs);
}

/** Process ids whose process group is `pgid` (from /proc), zombies excluded. */
export function processesInGroup(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[2]) === pgid) pids.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

/** The process group of a process. */
export function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}
