import { join } from 'node:path';
import type { Logger } from 'pino';
import { CoordinatorError } from '../client/coordinator-error.js';
import type { Assignment, Registration, RunnerApi } from '../client/runner-api.js';
import type { ResolvedExecutor } from '../discovery/resolve-executor.js';
import type { ExecutorEvent } from '../events/schema.js';
import type { AgentBlueprint } from '../invocation/schema.js';
import type { RunOutcome } from '../process/run-outcome.js';
import { DEFAULT_GRACE_MS } from '../process/terminate/graceful-kill.js';
import { backoffDelay, RUNNER_BACKOFF, sleep } from '../retry/backoff.js';
import { registerWithRetry } from './register-runner.js';
import { BlueprintCache } from './blueprint-cache.js';
import { ReportOutbox } from './report-outbox.js';
import { sendReports } from './run-reports.js';
import { executeRun, outcomeWithoutProcess } from './execute-run.js';
import type { RunnerConfig } from './runner-config.js';

export interface RunnerDaemonOptions {
  config: RunnerConfig;
  executors: readonly ResolvedExecutor[];
  api: RunnerApi;
  logger: Logger;
  /** Folder for the event spool file. */
  stateDir: string;
  defaultExecutor: string;
  mcpUrl?: string;
  decorateBlueprint?: (blueprint: AgentBlueprint | undefined, sessionId: string) => AgentBlueprint | undefined;
}

/** After a shutdown's drain and cancel, how long outcomes and events may still wait for the coordinator. */
export const REPORT_DEADLINE_MS = 15_000;

/** What a runner exited without delivering. */
export interface Undelivered {
  runs: string[];
  events: number;
}

interface ActiveRun {
  sessionId: string;
  controller: AbortController;
  /** Its executor has ended (the run waits for its report to be delivered). */
  ended: boolean;
  done: Promise<void>;
}

/**
 * The runner: registers with the coordinator, long-polls for runs its executors can serve (up to the
 * concurrency), heartbeats on the timings it was given, cancels runs it is told to stop, and reports
 * each outcome after every event of the run was delivered. Survives coordinator restarts: it keeps its
 * executors running, buffers their events, retries with backoff and re-registers if forgotten.
 */
export class RunnerDaemon {
  readonly #o: RunnerDaemonOptions;
  readonly #active = new Map<string, ActiveRun>();
  readonly #shutdown = new AbortController();
  /** Aborted when a shutdown stops waiting for an unreachable coordinator. */
  readonly #giveUp = new AbortController();
  readonly #outbox: ReportOutbox;
  readonly #blueprints: BlueprintCache;
  #slotFreed: (() => void) | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #loop: Promise<void> | undefined;
  #registering: Promise<Registration> | undefined;
  /** Set by a second signal: stop waiting for the coordinator REPORT_DEADLINE_MS after the grace. */
  #forcedGiveUp: NodeJS.Timeout | undefined;
  #undelivered: Undelivered | undefined;

  constructor(options: RunnerDaemonOptions) {
    this.#o = options;
    this.#blueprints = new BlueprintCache((name, etag) => options.api.agent(name, etag));
    this.#outbox = new ReportOutbox({
      send: (batch) => sendReports(options.api, options.logger, batch),
      spoolPath: join(options.stateDir, `events-${process.pid}.spool.jsonl`),
      onRetry: (error, attempt, delayMs) =>
        options.logger.warn({ err: (error as Error).message, attempt, retry_in_ms: delayMs, pending: this.#outbox.pending }, 'reports not delivered; will retry'),
    });
  }

  /** Set when stop() gave up delivering (the coordinator did not answer): what was left behind. */
  get undelivered(): Undelivered | undefined {
    return this.#undelivered;
  }

  /** Runs being executed now. */
  get activeRuns(): string[] {
    return [...this.#active.keys()];
  }

  /**
   * Add an event to the run of `sessionId` executing here, as if its executor had printed it (the MCP
   * endpoint's report_progress and report_result). @returns the run's id, or undefined if none runs here.
   */
  appendSessionEvent(sessionId: string, event: ExecutorEvent): string | undefined {
    for (const [runId, run] of this.#active) {
      if (run.sessionId === sessionId && !run.ended && !run.controller.signal.aborted) {
        this.#outbox.append(runId, event);
        return runId;
      }
    }
    return undefined;
  }

  /** Register (retrying until the coordinator answers) and start claiming runs. */
  async start(): Promise<Registration> {
    const registration = await this.#register();
    if (this.#shutdown.signal.aborted) {
      // stop() came while registering: leave no registration behind, start nothing.
      await this.#o.api.deregister().catch(() => undefined);
      throw new Error('the runner was stopped while it was starting');
    }
    this.#loop = this.#pollLoop();
    this.#scheduleHeartbeat(registration.heartbeat_interval_ms);
    return registration;
  }

  /**
   * Stop claiming, let running executors finish within the drain timeout, cancel what is left, report,
   * deregister. Calling it again (a second Ctrl-C) cancels the remaining runs at once. Once cancelled,
   * runs get at most the grace plus REPORT_DEADLINE_MS to report; then it returns without them (see
   * `undelivered`; their events stay in the spool file).
   */
  async stop(): Promise<void> {
    if (this.#shutdown.signal.aborted) {
      this.#force('second shutdown signal');
      return;
    }
    this.#shutdown.abort();
    this.#slotFreed?.();
    clearTimeout(this.#heartbeatTimer);
    await this.#loop;
    const { drainTimeoutMs, graceMs } = this.#o.config;
    const drained = this.#allDone();
    const timer = setTimeout(() => this.#cancelAll(`drain timeout (${drainTimeoutMs} ms)`), drainTimeoutMs);
    // An unreachable coordinator must not hold the shutdown forever: undelivered events stay in the spool.
    const giveUp = setTimeout(() => this.#stopWaiting(), drainTimeoutMs + (graceMs ?? DEFAULT_GRACE_MS) + REPORT_DEADLINE_MS);
    await drained;
    clearTimeout(timer);
    clearTimeout(giveUp);
    clearTimeout(this.#forcedGiveUp);
    try {
      if (this.#o.api.isRegistered) await this.#o.api.deregister();
    } catch (error) {
      this.#o.logger.warn({ err: (error as Error).message }, 'could not deregister');
    }
    this.#outbox.close();
    await this.#o.api.close();
  }

  /** Runs whose executor has not ended yet (what the concurrency limits). */
  #executing(): number {
    let n = 0;
    for (const run of this.#active.values()) if (!run.ended) n += 1;
    return n;
  }

  #allDone(): Promise<void> {
    return Promise.all([...this.#active.values()].map((a) => a.done)).then(() => undefined);
  }

  /** Cancel every run now, and stop waiting for the coordinator the grace plus REPORT_DEADLINE_MS later. */
  #force(why: string): void {
    this.#cancelAll(why);
    this.#forcedGiveUp ??= setTimeout(() => this.#stopWaiting(), (this.#o.config.graceMs ?? DEFAULT_GRACE_MS) + REPORT_DEADLINE_MS).unref();
  }

  /** Give up delivering to a coordinator that does not answer, noting what is left behind. */
  #stopWaiting(): void {
    if (this.#giveUp.signal.aborted) return;
    if (this.#active.size > 0) {
      this.#undelivered = { runs: this.activeRuns, events: this.#outbox.pending };
      this.#o.logger.error(this.#undelivered, 'exiting without delivering the events and outcomes of these runs: the coordinator does not answer (events stay in the spool file)');
    }
    this.#giveUp.abort();
  }

  #cancelAll(why: string): void {
    if (this.#active.size > 0) this.#o.logger.warn({ runs: this.activeRuns }, `cancelling running executors: ${why}`);
    for (const run of this.#active.values()) run.controller.abort();
  }

  async #register(): Promise<Registration> {
    this.#registering ??= this.#registerWithRetry().finally(() => (this.#registering = undefined));
    return this.#registering;
  }

  #registerWithRetry(): Promise<Registration> {
    const { config, executors, api, logger } = this.#o;
    return registerWithRetry(api, { executors: executors.map((e) => e.name), tags: config.tags, concurrency: config.concurrency }, logger, this.#shutdown.signal);
  }

  async #pollLoop(): Promise<void> {
    const { api, config, logger } = this.#o;
    let failures = 0;
    while (!this.#shutdown.signal.aborted) {
      if (this.#executing() >= config.concurrency) {
        await new Promise<void>((resolve) => (this.#slotFreed = resolve));
        this.#slotFreed = undefined;
        continue;
      }
      let answer;
      try {
        answer = await api.nextRun(config.concurrency - this.#executing(), this.#shutdown.signal);
        if (failures > 0) {
          logger.info('the coordinator answers again');
          this.#outbox.retryNow();
        }
        failures = 0;
      } catch (error) {
        if (this.#shutdown.signal.aborted) break;
        if (error instanceof CoordinatorError && error.status === 401) {
          logger.warn('the coordinator does not know this runner; registering again');
          await this.#register().catch(() => undefined);
          continue;
        }
        failures += 1;
        const delay = backoffDelay(failures, RUNNER_BACKOFF);
        logger.warn({ err: (error as Error).message, retry_in_ms: delay }, 'long-poll failed; will retry');
        await sleep(delay, this.#shutdown.signal);
        continue;
      }
      for (const runId of answer.stop) this.#cancel(runId, 'stop requested');
      for (const assignment of answer.runs) this.#launch(assignment);
    }
  }

  #scheduleHeartbeat(intervalMs: number): void {
    this.#heartbeatTimer = setTimeout(async () => {
      try {
        const { stop } = await this.#o.api.heartbeat(this.activeRuns);
        for (const runId of stop) this.#cancel(runId, 'stop requested (heartbeat)');
      } catch (error) {
        if (error instanceof CoordinatorError && error.status === 401) await this.#register().catch(() => undefined);
        else this.#o.logger.warn({ err: (error as Error).message }, 'heartbeat failed');
      }
      if (!this.#shutdown.signal.aborted) this.#scheduleHeartbeat(this.#o.api.registration.heartbeat_interval_ms);
    }, intervalMs);
  }

  #cancel(runId: string, why: string): void {
    const run = this.#active.get(runId);
    if (run === undefined || run.ended || run.controller.signal.aborted) return; // an ended run has nothing to stop
    this.#o.logger.info({ run: runId }, `cancelling: ${why}`);
    run.controller.abort();
  }

  #launch(assignment: Assignment): void {
    const runId = assignment.run.run_id;
    const controller = new AbortController();
    const { config, logger } = this.#o;
    const context = {
      executors: new Map(this.#o.executors.map((e) => [e.name, e])),
      defaultExecutor: this.#o.defaultExecutor,
      blueprints: this.#blueprints,
      outbox: this.#outbox,
      projectDir: config.projectDir,
      runTimeoutMs: config.runTimeoutMs,
      graceMs: config.graceMs,
      allowedEnv: config.blueprintEnv,
      mcpUrl: this.#o.mcpUrl,
      ...(this.#o.decorateBlueprint === undefined ? {} : { decorateBlueprint: this.#o.decorateBlueprint }),
      logger,
    };
    const active: ActiveRun = { sessionId: assignment.run.session_id, controller, ended: false, done: Promise.resolve() };
    this.#active.set(runId, active);
    const done = executeRun(assignment, context, controller.signal)
      .catch((error: Error) => outcomeWithoutProcess('infra_failed', `runner error: ${error.message}`))
      .then(async (outcome) => {
        // The slot is free once the executor ended; the run stays active until its report is delivered.
        active.ended = true;
        this.#slotFreed?.();
        this.#outbox.finished(runId, outcome);
        await this.#outbox.delivered(runId, this.#giveUp.signal);
        if (this.#giveUp.signal.aborted) logger.error({ run: runId, kind: outcome.kind }, 'shutting down: the coordinator is unreachable; the outcome was not reported');
      })
      .finally(() => {
        // Unless the run was claimed again meanwhile (a later attempt, now the active one).
        if (this.#active.get(runId) !== active) return;
        this.#active.delete(runId);
        this.#outbox.endRun(runId);
      });
    active.done = done;
  }
}
