/**
 * Pieces of the fleet-scale bench: a coordinator with a group of `agent-runner` processes joined to it
 * (one or fifty), frozen while another group is measured, batches of runs submitted over HTTP and
 * their timestamps read back, and every process ended however the bench ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinatorError } from '../lib/client/coordinator-error.js';
import { CoordinatorHttp } from '../lib/client/http-client.js';
import { RunnerListSchema } from '../protocol/runners.js';
import { RunViewSchema, SessionPageSchema, SessionStartedSchema } from '../protocol/sessions.js';
import type { StoreKind } from '../test/coordinator/helpers.js';
import { BIN, ROOT } from '../test/helpers/fixtures.js';
import { BENCH_NODE_ARGS } from '../test/coordinator/spawn-coordinator.js';
import { benchCoordinator } from './coordinator-kit.js';

/** The executor every run uses: read the invocation, print one result (bench/executors/trivial-sh). */
export const EXECUTOR = 'trivial-sh';
/** Clients creating sessions at once (as bench/runner.bench.ts). */
export const SUBMITTERS = 16;
/** How often the bench asks the coordinator whether a batch is done (the figures come from timestamps, not from this). */
const PROGRESS_POLL_MS = 50;
/** Tries of one bench request that got no answer (reset, timed out). */
const CALL_ATTEMPTS = 3;

export const work = mkdtempSync(join(tmpdir(), 'fleet-bench-'));

/** Every process this bench started and the groups not yet stopped, so none outlives it. */
const started = new Set<number>();
const groups = new Set<RunnerGroup>();
// Last resort (the groups' stop did not run): kill what is left; a frozen process dies of SIGKILL too.
process.on('exit', () => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (process.env.FLEET_KEEP_WORK === undefined) rmSync(work, { recursive: true, force: true });
  else console.log(`runner logs kept in ${work}`);
});
// Ctrl-C or a kill: stop the groups properly (their PostgreSQL schemas are dropped), then exit.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void Promise.allSettled([...groups].map((group) => group.stop())).then(() => process.exit(130)));
}

/**
 * CPU time a process used so far in user and in system mode, in ms (Linux clock ticks of 10 ms), and its
 * minor page faults (each fork leaves the parent's pages copy-on-write: its next write to each faults).
 */
export function cpuMs(pid: number): { user: number; sys: number; minorFaults: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) * 10, sys: Number(fields[12]) * 10, minorFaults: Number(fields[7]) };
}

/** One field of /proc/<pid>/status in MB (VmRSS, RssAnon, RssFile, …). */
export function statusMb(pid: number, field: string): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** Send `signal` to `pid` unless the process is gone. */
function signalIfAlive(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export interface SubmittedBatch {
  runIds: string[];
  /** Runs claimed or running each time the bench checked on the batch (every PROGRESS_POLL_MS). */
  inFlight: number[];
}

/** Time a process's main thread spent on a CPU and waiting for one so far, in ms (/proc/<pid>/schedstat). */
export function schedMs(pid: number): { onCpu: number; waiting: number } {
  const [onCpu, waiting] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ').map(Number);
  return { onCpu: onCpu! / 1e6, waiting: waiting! / 1e6 };
}

/** A run's timestamps (ms since the epoch; NaN where the run has none) and its attempt. */
export interface RunTimes {
  created: number;
  claimed: number;
  started: number;
  finished: number;
  attempt: number;
}

/**
 * A coordinator on a fresh database of `kind` and `runners` agent-runner processes of `slots` each
 * joined to it. `freeze` stops the coordinator (SIGSTOP) while another group is measured, so its parked
 * long-polls cost nothing: on PostgreSQL every coordinator of the database hears every other's NOTIFY.
 */
export class RunnerGroup {
  readonly label: string;
  readonly runners: ChildProcess[] = [];
  /** Set when a runner exited on its own: the batch in progress fails with it. */
  failure: Error | undefined;
  readonly #coordinator: Awaited<ReturnType<typeof benchCoordinator>>;
  readonly #http: CoordinatorHttp;
  readonly #logs: string[] = [];
  #stopping = false;
  #frozen = false;

  private constructor(label: string, coordinator: Awaited<ReturnType<typeof benchCoordinator>>) {
    this.label = label;
    this.#coordinator = coordinator;
    this.#http = new CoordinatorHttp(coordinator.url, undefined, SUBMITTERS + 4);
  }

  /** Start the coordinator and the runners, and resolve once the coordinator lists them all online and idle. */
  static async start(kind: StoreKind, runners: number, slots: number): Promise<RunnerGroup> {
    const coordinator = await benchCoordinator(kind);
    const group = new RunnerGroup(`${runners}×${slots}`, coordinator);
    groups.add(group);
    started.add(coordinator.pid);
    coordinator.child.once('exit', (code, signal) => {
      started.delete(coordinator.pid);
      if (group.#stopping) return;
      group.failure ??= new Error(`the coordinator of ${group.label} exited (code ${code}, signal ${signal}); its last log lines:\n${coordinator.stderrTail()}`);
    });
    try {
      for (let i = 0; i < runners; i++) group.#spawnRunner(i, slots);
      await group.untilIdle();
    } catch (error) {
      await group.stop();
      throw error;
    }
    return group;
  }

  get coordinatorPid(): number {
    return this.#coordinator.pid;
  }

  #spawnRunner(index: number, slots: number): void {
    // Its log (and stdout, e.g. of --trace-gc) goes to a file, not through a pipe: fifty pipes read by this
    // process would take CPU from the processes measured.
    const logPath = join(work, `runner-${this.label}-${index}-${process.hrtime.bigint()}.log`);
    const fd = openSync(logPath, 'w');
    const child = spawn(process.execPath, [...BENCH_NODE_ARGS, BIN, '-c', this.#coordinator.url, '-x', EXECUTOR, '-n', String(slots)], {
      cwd: work,
      env: { ...process.env, AGENT_RUNNER_EXECUTORS_PATH: join(ROOT, 'bench', 'executors'), AGENT_RUNNER_LOCAL_PORT: '1' },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    started.add(child.pid!);
    this.runners.push(child);
    this.#logs.push(logPath);
    child.once('exit', (code, signal) => {
      started.delete(child.pid!);
      if (this.#stopping) return;
      const tail = readFileSync(logPath, 'utf8').slice(-4_000);
      this.failure ??= new Error(`an agent-runner of ${this.label} exited (code ${code}, signal ${signal}); its last log lines:\n${tail}`);
    });
  }

  /** Wait until every runner is listed online and its long-poll is parked, with no run queued or in flight. */
  async untilIdle(): Promise<void> {
    const n = this.runners.length;
    for (;;) {
      this.#check();
      const [list, metrics] = await Promise.all([
        this.#call((http) => http.json({ method: 'GET', path: '/v1/runners' }, RunnerListSchema)),
        this.#call((http) => http.send({ method: 'GET', path: '/metrics' })),
      ]);
      const online = list.body.runners.filter((r) => r.status === 'online').length;
      const parked = Number(/agent_coordinator_polls_waiting (\d+)/.exec(metrics.text)?.[1]);
      const busy = ['queued', 'claimed', 'running'].some((state) => !new RegExp(`agent_coordinator_runs\\{state="${state}"\\} 0\\b`).test(metrics.text));
      if (online === n && parked === n && !busy) return;
      await new Promise((resolve) => setTimeout(resolve, PROGRESS_POLL_MS));
    }
  }

  /** Stop the coordinator's process (its runners wait on their requests) until `thaw`. */
  freeze(): void {
    if (this.#frozen) return;
    process.kill(this.#coordinator.pid, 'SIGSTOP');
    this.#frozen = true;
  }

  async thaw(): Promise<void> {
    if (!this.#frozen) return;
    this.#check();
    process.kill(this.#coordinator.pid, 'SIGCONT');
    this.#frozen = false;
    await this.untilIdle();
  }

  /** Runs in each state now (the coordinator's /metrics). */
  async runCounts(): Promise<Record<string, number>> {
    const metrics = await this.text('/metrics');
    return Object.fromEntries([...metrics.matchAll(/agent_coordinator_runs\{state="(\w+)"\} (\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
  }

  /**
   * Create `n` sessions from SUBMITTERS clients at once and wait until all their runs succeeded.
   * @returns their run ids, and the runs in flight (claimed or running) each time the bench checked.
   */
  async submit(n: number): Promise<SubmittedBatch> {
    const before = (await this.runCounts()).succeeded ?? 0;
    const runIds: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: SUBMITTERS }, async () => {
        while (next < n) {
          next += 1;
          runIds.push(await this.#create());
        }
      }),
    );
    return { runIds, inFlight: await this.#untilSucceeded(before + n) };
  }

  /**
   * Create `n` sessions at a steady `perSecond` (each on its own schedule, not waiting for the previous
   * answer) and wait until all their runs succeeded.
   */
  async submitPaced(n: number, perSecond: number): Promise<SubmittedBatch> {
    const before = (await this.runCounts()).succeeded ?? 0;
    const t0 = performance.now();
    const created: Promise<string>[] = [];
    for (let i = 0; i < n; i++) {
      const due = t0 + (i * 1000) / perSecond - performance.now();
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      this.#check();
      created.push(this.#create());
    }
    const runIds = await Promise.all(created);
    return { runIds, inFlight: await this.#untilSucceeded(before + n) };
  }

  async #create(): Promise<string> {
    const res = await this.#call((http) => http.json({ method: 'POST', path: '/v1/sessions', body: { executor: EXECUTOR, prompt: 'hello' } }, SessionStartedSchema));
    return res.body.run_id;
  }

  /** Wait until `total` runs succeeded; @returns the runs in flight at each check. */
  async #untilSucceeded(total: number): Promise<number[]> {
    const inFlight: number[] = [];
    for (;;) {
      this.#check();
      const counts = await this.runCounts();
      if ((counts.failed ?? 0) > 0) throw new Error(`${this.label}: ${counts.failed} runs failed, e.g.\n${await this.#failures()}`);
      if ((counts.succeeded ?? 0) >= total) return inFlight;
      inFlight.push((counts.claimed ?? 0) + (counts.running ?? 0));
      await new Promise((resolve) => setTimeout(resolve, PROGRESS_POLL_MS));
    }
  }

  /** What a few failed runs say about why. */
  async #failures(): Promise<string> {
    const { body } = await this.#call((http) => http.json({ method: 'GET', path: '/v1/sessions?status=failed&limit=3' }, SessionPageSchema));
    const runs = await Promise.all(body.sessions.map((session) => this.#call((http) => http.json({ method: 'GET', path: `/v1/runs/${session.last_run_id}` }, RunViewSchema))));
    return runs.map(({ body: run }) => `${run.run_id} on ${run.runner_id}: ${run.error ?? run.outcome?.message}`).join('\n');
  }

  /** The coordinator's timestamps of each run (ms since the epoch), read after the batch. */
  async runTimes(runIds: readonly string[]): Promise<RunTimes[]> {
    const times: RunTimes[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: SUBMITTERS }, async () => {
        while (next < runIds.length) {
          const runId = runIds[next++]!;
          const { body: run } = await this.#call((http) => http.json({ method: 'GET', path: `/v1/runs/${runId}` }, RunViewSchema));
          const at = (iso: string | null) => (iso === null ? Number.NaN : Date.parse(iso));
          times.push({ created: at(run.created_at), claimed: at(run.claimed_at), started: at(run.started_at), finished: at(run.finished_at), attempt: run.attempt });
        }
      }),
    );
    return times;
  }

  /**
   * Executors the group's runners started so far (their "starting executor" log lines): more than one
   * per run means a run was executed again after its claim was taken back.
   */
  executorStarts(): number {
    let starts = 0;
    for (const path of this.#logs) starts += readFileSync(path, 'utf8').split('"msg":"starting executor"').length - 1;
    return starts;
  }

  /** GET a coordinator path (e.g. /metrics) as text. */
  async text(path: string): Promise<string> {
    return (await this.#call((http) => http.send({ method: 'GET', path }))).text;
  }

  /**
   * A request of the bench's, tried again when it got no answer at all: on a machine this loaded a kept-alive
   * socket can be reset under it. (A create sent twice only adds a run, which the count of runs tolerates.)
   */
  async #call<T>(request: (http: CoordinatorHttp) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(this.#http);
      } catch (error) {
        if (!(error instanceof CoordinatorError && error.status === 0) || attempt === CALL_ATTEMPTS) throw error;
      }
    }
  }

  #check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** End the runners (SIGTERM: they deregister), then the coordinator, and drop its data. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    groups.delete(this);
    // A coordinator that is gone already (it died: the error that stops the bench says why) needs no thawing.
    if (this.#frozen) signalIfAlive(this.#coordinator.pid, 'SIGCONT');
    this.#frozen = false;
    const running = this.runners.filter((child) => child.exitCode === null && child.signalCode === null);
    await Promise.all(
      running.map((child) => {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        return exited;
      }),
    );
    this.#http.close();
    await this.#coordinator.stop();
    started.delete(this.#coordinator.pid);
  }
}
