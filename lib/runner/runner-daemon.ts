import { profileSummary } from '../credentials/credentials-file.js';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { CoordinatorError } from '../client/coordinator-error.js';
import type { RunnerApi } from '../client/runner-api.js';
import type { Assignment, Registration } from '../../protocol/runners.js';
import type { ResolvedExecutor } from '../discovery/resolve-executor.js';
import type { ExecutorEvent } from '../../protocol/executor-event.js';
import type { AgentBlueprint } from '../../protocol/invocation.js';
import { passedEnv } from '../process/executor-env.js';
import { DEFAULT_GRACE_MS } from '../process/terminate/graceful-kill.js';
import { backoffDelay, RUNNER_BACKOFF, sleep } from '../retry/backoff.js';
import { ActiveRuns } from './active-runs.js';
import { registerWithRetry } from './register-runner.js';
import { BlueprintCache } from './blueprint-cache.js';
import { SkillCache } from './skill-cache.js';
import { ReportOutbox } from './report-outbox.js';
import { logRefusedReports, sendReports, toRunReports } from './run-reports.js';
import { executeRun, outcomeWithoutProcess, type RunContext, type RunObservations } from './execute-run.js';
import type { RunOutcome } from '../process/run-outcome.js';
import type { RunnerConfig } from './runner-config.js';
import { RunnerShutdown, type Undelivered } from './runner-shutdown.js';
import type { ServedTrees } from './served-trees.js';
import { heartbeatNeeded, idlePollTimeoutMs } from './idle-poll.js';
import { forgetSpoolOwner, newSpoolPath, recordSpoolOwner, replayEarlierSpools } from './spool-replay.js';
import { guardExecutors } from './watchdog.js';
import { startTracing, type SpanSink } from '../trace/tracing.js';
import { attemptSpan } from './attempt-span.js';

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
  /** Claim only runs of these session trees (the in-process runner of a client command); absent: any run. */
  trees?: ServedTrees | undefined;
}

/**
 * The runner: registers with the coordinator, long-polls for runs its executors can serve (up to the
 * concurrency), heartbeats on the timings it was given, cancels runs it is told to stop, and reports
 * each outcome after every event of the run was delivered. Survives coordinator restarts: it keeps its
 * executors running, buffers their events, retries with backoff and re-registers if forgotten.
 */
export class RunnerDaemon {
  readonly #options: RunnerDaemonOptions;
  readonly #active = new ActiveRuns();
  readonly #shutdown: RunnerShutdown;
  readonly #outbox: ReportOutbox;
  /** What every run needs from this runner (executors, blueprints, outbox, limits). */
  readonly #runContext: RunContext;
  /** Set while the claim loop waits for a free slot: wakes it up. */
  #slotFreed: (() => void) | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  /** When the long-poll on its way or parked at the coordinator now was sent (undefined: none is). */
  #pollSentAt: number | undefined;
  /** Set once the runner left the coordinator: no more heartbeats. */
  #left = false;
  #claimLoop: Promise<void> | undefined;
  /** Where the spans of the attempts run here go (tracing.ts); null while tracing is off. */
  #spans: SpanSink | null = null;
  #registering: Promise<Registration> | undefined;

  constructor(options: RunnerDaemonOptions) {
    this.#options = options;
    const { config } = options;
    this.#outbox = new ReportOutbox({
      send: (batch) => sendReports(options.api, options.logger, batch),
      spoolPath: newSpoolPath(options.stateDir),
      onRetry: (error, attempt, delayMs) =>
        options.logger.warn({ err: (error as Error).message, attempt, retry_in_ms: delayMs, pending: this.#outbox.pending }, 'reports not delivered; will retry'),
    });
    this.#runContext = {
      executors: new Map(options.executors.map((executor) => [executor.name, executor])),
      defaultExecutor: options.defaultExecutor,
      blueprints: new BlueprintCache((name, etag) => options.api.agent(name, etag)),
      skills: new SkillCache((name, etag) => options.api.skill(name, etag), join(options.stateDir, 'skills')),
      outbox: this.#outbox,
      projectDir: config.projectDir,
      runTimeoutMs: config.runTimeoutMs,
      graceMs: config.graceMs,
      executorNice: config.executorNice,
      allowedEnv: config.blueprintEnv,
      executorEnv: config.executorEnv,
      mcpUrl: options.mcpUrl,
      executorBaseEnv: new Map(options.executors.map((executor) => [executor.name, passedEnv(process.env, [...executor.env, ...config.executorEnv])])),
      decorateBlueprint: options.decorateBlueprint,
      credentials: new Map(config.credentials.map((profile) => [profile.name, profile])),
      logger: options.logger,
    };
    this.#shutdown = new RunnerShutdown(
      {
        stopClaiming: () => this.#stopClaiming(),
        runsSettled: () => this.#active.settled(),
        cancelRuns: (why) => this.#cancelRuns(why),
        undelivered: () => (this.#active.size > 0 ? { runs: this.activeRuns, events: this.#outbox.pending } : undefined),
        leave: () => this.#leave(),
      },
      { drainTimeoutMs: config.drainTimeoutMs, graceMs: config.graceMs ?? DEFAULT_GRACE_MS, logger: options.logger },
    );
  }

  /** Set when stop() gave up delivering (the coordinator did not answer): what was left behind. */
  get undelivered(): Undelivered | undefined {
    return this.#shutdown.undelivered;
  }

  /** Runs being executed now. */
  get activeRuns(): string[] {
    return this.#active.ids;
  }

  /**
   * Add an event to the run of `sessionId` executing here, as if its executor had printed it (the MCP
   * endpoint's report_progress and report_result). @returns the run's id, or undefined if none runs here.
   */
  appendSessionEvent(sessionId: string, event: ExecutorEvent): string | undefined {
    const runId = this.#active.executingRunOf(sessionId);
    if (runId !== undefined) this.#outbox.append(runId, event);
    return runId;
  }

  /** Register (retrying until the coordinator answers) and start claiming runs. */
  async start(): Promise<Registration> {
    // Before claiming: end what a dead predecessor left running, and make sure ours end with us.
    this.#runContext.ledger ??= guardExecutors(this.#options.stateDir, this.#options.logger);
    this.#spans ??= await startTracing(process.env, 'agent-runner', this.#options.logger);
    const registration = await this.#register();
    if (this.#shutdown.stopping.aborted) {
      // stop() came while registering: leave no registration behind, start nothing.
      await this.#options.api.deregister().catch(() => undefined);
      throw new Error('the runner was stopped while it was starting');
    }
    this.#claimLoop = this.#claimRuns();
    this.#scheduleHeartbeat(registration.heartbeat_interval_ms);
    void replayEarlierSpools(this.#options.stateDir, this.#outbox.spoolPath, this.#options.api, this.#options.logger);
    return registration;
  }

  /**
   * Stop claiming, let running executors finish within the drain timeout, cancel what is left, report,
   * deregister (runner-shutdown.ts). Calling it again (a second Ctrl-C) cancels the remaining runs at once.
   * Once cancelled, runs get at most the grace plus REPORT_DEADLINE_MS to report; then it returns without
   * them (see `undelivered`; their events stay in the spool file).
   */
  stop(): Promise<void> {
    return this.#shutdown.request();
  }

  /** Heartbeats go on: a draining runner still holds its runs until their outcomes are delivered. */
  async #stopClaiming(): Promise<void> {
    this.#slotFreed?.();
    await this.#claimLoop;
  }

  async #leave(): Promise<void> {
    const { api, logger } = this.#options;
    this.#left = true;
    clearTimeout(this.#heartbeatTimer);
    try {
      if (api.isRegistered) await api.deregister();
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'could not deregister');
    }
    this.#outbox.close();
    forgetSpoolOwner(this.#outbox.spoolPath);
    this.#runContext.ledger?.close();
    await this.#spans?.shutdown();
    await api.close();
  }

  #cancelRuns(why: string): void {
    if (this.#active.size > 0) this.#options.logger.warn({ runs: this.activeRuns }, `cancelling running executors: ${why}`);
    this.#active.cancelAll();
  }

  async #register(): Promise<Registration> {
    this.#registering ??= this.#registerWithRetry()
      .then((registration) => (recordSpoolOwner(this.#outbox.spoolPath, this.#options.api.baseUrl, registration), registration))
      .finally(() => (this.#registering = undefined));
    return this.#registering;
  }

  /**
   * The coordinator refused `asRegistered` (it forgot this runner: a new database behind its address).
   * Register again, once: a poll and a heartbeat refused together share one registration, and a request
   * sent before the runner registered again (a long poll, a heartbeat) is refused too but needs none.
   */
  async #registerAgain(asRegistered: Registration): Promise<void> {
    if (this.#options.api.registration !== asRegistered) return;
    if (this.#registering === undefined) this.#options.logger.warn('the coordinator does not know this runner; registering again');
    await this.#register().catch(() => undefined);
  }

  #registerWithRetry(): Promise<Registration> {
    const { config, executors, api, logger } = this.#options;
    const offer = {
      executors: executors.map((e) => e.name), tags: config.tags, concurrency: config.concurrency,
      // Names, weights and scopes only: a profile's values never leave this process.
      credentialProfiles: config.credentials.map(profileSummary), defaultExecutor: this.#options.defaultExecutor,
    };
    return registerWithRetry(api, offer, logger, this.#shutdown.stopping);
  }

  /** Long-poll for runs while a slot is free, until the shutdown begins. */
  async #claimRuns(): Promise<void> {
    const { api, config, logger } = this.#options;
    const stopping = this.#shutdown.stopping;
    let failures = 0;
    // One id per poll, kept on its retries: a poll whose answer was lost gets its claimed runs back.
    let requestId = randomUUID();
    // After a poll that carried reports failed, the next one carries none: the outbox sends them itself
    // (halving what is too large, dropping what is refused for good) on its own backoff.
    let carry = true;
    while (!stopping.aborted) {
      if (this.#active.executingCount() >= config.concurrency) {
        await this.#untilSlotFreed();
        continue;
      }
      const { trees } = this.#options;
      if (trees !== undefined) {
        await trees.named(stopping);
        if (stopping.aborted) break;
      }
      let answer;
      const asRegistered = api.registration;
      // What the runner has to report on runs that ended goes with the poll (one request, not two).
      const carried = carry && asRegistered.poll_carries_reports === true ? this.#outbox.takeForPoll() : undefined;
      carry = true;
      try {
        const roots = trees === undefined ? undefined : [...trees.roots];
        const timeoutMs = idlePollTimeoutMs(api.registration);
        this.#pollSentAt = Date.now();
        try {
          answer = await api.nextRun(config.concurrency - this.#active.executingCount(), stopping, {
            requestId,
            ...(roots === undefined ? {} : { roots }),
            ...(timeoutMs === undefined ? {} : { timeoutMs }),
            ...(carried === undefined ? {} : { reports: toRunReports(carried.items) }),
          });
        } finally {
          this.#pollSentAt = undefined;
        }
        if (carried !== undefined) {
          logRefusedReports(logger, answer.report_results ?? []);
          this.#outbox.settleCarried(carried, true);
        }
        requestId = randomUUID();
        if (failures > 0) {
          logger.info('the coordinator answers again');
          this.#outbox.retryNow();
        }
        failures = 0;
      } catch (error) {
        if (carried !== undefined) {
          this.#outbox.settleCarried(carried, false);
          carry = false;
          // Refused for what it carried (too large, or a report the coordinator will not take): poll again at once without it.
          if (error instanceof CoordinatorError && error.status >= 400 && error.status < 500 && error.status !== 401 && !stopping.aborted) continue;
        }
        if (stopping.aborted) break;
        if (error instanceof CoordinatorError && error.status === 401) {
          await this.#registerAgain(asRegistered);
          continue;
        }
        failures += 1;
        const delay = backoffDelay(failures, RUNNER_BACKOFF);
        logger.warn({ err: (error as Error).message, retry_in_ms: delay }, 'long-poll failed; will retry');
        await sleep(delay, stopping);
        continue;
      }
      for (const runId of answer.stop) this.#cancel(runId, 'stop requested');
      for (const assignment of answer.runs) this.#launch(assignment);
      // Other runners' polls take new runs meanwhile: wait a little for a run to end, to send its reports with the next poll.
      const hold = asRegistered.poll_carries_reports === true ? (answer.next_poll_hold_ms ?? 0) : 0;
      if (hold > 0 && answer.runs.length > 0 && !stopping.aborted) await this.#untilSlotFreed(hold);
    }
  }

  /** Wait until an executor ends (its slot is free, its reports queued), `ms` passed (when given), or the shutdown began. */
  async #untilSlotFreed(ms?: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.#slotFreed = resolve;
      if (ms !== undefined) timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.#slotFreed = undefined;
  }

  #scheduleHeartbeat(intervalMs: number): void {
    this.#heartbeatTimer = setTimeout(() => void this.#heartbeat(), intervalMs);
  }

  /**
   * One heartbeat (it never throws), then the next one until the runner left: it goes on while the
   * runner drains, cancels and reports, so its runs' lease holds until their outcomes are delivered.
   */
  async #heartbeat(): Promise<void> {
    // An idle runner whose poll is parked need not heartbeat (see idle-poll.ts).
    if (heartbeatNeeded(this.#options.api.registration, this.#active.size > 0, this.#pollSentAt, Date.now())) {
      const asRegistered = this.#options.api.registration;
      try {
        const { stop } = await this.#options.api.heartbeat(this.activeRuns);
        for (const runId of stop) this.#cancel(runId, 'stop requested (heartbeat)');
      } catch (error) {
        if (error instanceof CoordinatorError && error.status === 401) await this.#registerAgain(asRegistered);
        else this.#options.logger.warn({ err: (error as Error).message }, 'heartbeat failed');
      }
    }
    if (!this.#left) this.#scheduleHeartbeat(this.#options.api.registration.heartbeat_interval_ms);
  }

  #cancel(runId: string, why: string): void {
    // An ended run has nothing to stop.
    if (this.#active.cancel(runId)) this.#options.logger.info({ run: runId }, `cancelling: ${why}`);
  }

  /** Export the span of an attempt that ended here (when tracing is on): sent with the next batch, or at shutdown. */
  #exportAttempt(assignment: Assignment, outcome: RunOutcome, startedAt: number, observed: RunObservations): void {
    const span = this.#spans === null ? null : attemptSpan(assignment, outcome, startedAt, Date.now(), observed.usage);
    if (span === null) return;
    this.#spans!.record(span);
  }

  #launch(assignment: Assignment): void {
    const { run_id: runId, attempt } = assignment.run;
    const { logger } = this.#options;
    // The coordinator took the claim back while its answer was on its way (a heartbeat sent before the
    // answer came did not list it) and gave it to us again: the attempt runs here, or its report is on its
    // way and ends it. A second executor would run the same attempt twice, its events numbered again from
    // the same seq (a batch the coordinator refuses whole, with every other run's reports in it).
    if (this.#active.holds(runId, attempt)) {
      logger.warn({ run: runId, attempt }, 'given a run this runner already holds; not starting it again');
      return;
    }
    const gaveUp = this.#shutdown.gaveUp;
    const run = this.#active.add(runId, assignment.run.session_id, attempt);
    const startedAt = Date.now();
    const observed: RunObservations = {};
    run.settled = executeRun(assignment, this.#runContext, run.controller.signal, observed)
      .catch((error: Error) => outcomeWithoutProcess('infra_failed', `runner error: ${error.message}`))
      .then(async (outcome) => {
        // The slot is free once the executor ended; the run stays active until its report is delivered.
        run.executorEnded = true;
        this.#slotFreed?.();
        this.#outbox.finished(runId, outcome);
        this.#exportAttempt(assignment, outcome, startedAt, observed);
        await this.#outbox.delivered(runId, gaveUp);
        if (gaveUp.aborted) logger.error({ run: runId, kind: outcome.kind }, 'shutting down: the coordinator is unreachable; the outcome was not reported');
      })
      .finally(() => {
        if (this.#active.remove(runId, run)) this.#outbox.endRun(runId);
      });
  }
}
