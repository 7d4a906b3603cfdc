import type { Logger } from 'pino';
import { isTerminalRunStatus } from '../../protocol/statuses.js';
import { NO_PARENT_SPAN, parseTraceparent } from '../../protocol/trace-context.js';
import { runSpanId } from '../../lib/trace/trace-ids.js';
import { spanAttributes } from '../../lib/trace/span-attributes.js';
import type { FinishedSpan, SpanSink } from '../../lib/trace/tracing.js';
import type { StoreChange } from '../store/store-changes.js';
import type { Store } from '../store/store.js';
import type { RunRecord, SessionRecord } from '../types.js';

/**
 * The span of a run as the coordinator knows it: from queued to its end, over every attempt. Its id is
 * derived from the run id, its parent is what the session's traceparent names (the parent session's run
 * span, a caller's span, or none for a root). Null when the session has no trace context or the run has
 * not ended. Pure.
 */
export function runSpan(run: RunRecord, session: SessionRecord): FinishedSpan | null {
  const context = parseTraceparent(session.traceparent);
  if (context === null || run.finished_at === null) return null;
  // A run's own usage (summed by the coordinator), else the session's latest when this run is its latest.
  const usage = run.usage ?? (session.last_run_id === run.id ? (session.usage as Record<string, unknown> | null) : null);
  const failed = run.status !== 'succeeded';
  return {
    name: `run ${session.agent ?? run.executor ?? 'session'}`,
    traceId: context.traceId,
    spanId: runSpanId(run.id),
    parentSpanId: context.parentSpanId === NO_PARENT_SPAN ? null : context.parentSpanId,
    flags: context.flags,
    startMs: run.queued_at,
    endMs: run.finished_at,
    attributes: spanAttributes(
      {
        session_id: session.id, run_id: run.id, root_session_id: session.root_session_id, parent_session_id: session.parent_session_id,
        depth: session.depth, agent: session.agent, executor: run.executor, runner_id: run.runner_id, mode: run.mode,
        attempts: run.attempt, status: run.status, outcome: run.outcome?.kind,
        queue_ms: run.started_at === null ? null : Math.max(0, run.started_at - run.queued_at),
        model: run.model, kind: session.kind,
      },
      usage,
      run.model,
    ),
    error: failed ? (run.error ?? run.outcome?.message ?? run.status) : undefined,
  };
}

/**
 * Exports a span for each run this coordinator ends (it hears the run's terminal `run_status` event from
 * the transaction that stored it); the exporter sends them in batches (otlp-span-sink.ts), and at close. Replicas each
 * export the runs they ended. `close` waits for the spans on their way and shuts the exporter down.
 */
export class RunSpans {
  readonly #store: Store;
  readonly #sink: SpanSink;
  readonly #logger: Pick<Logger, 'warn'>;
  readonly #pending = new Set<Promise<void>>();

  constructor(store: Store, sink: SpanSink, logger: Pick<Logger, 'warn'>) {
    this.#store = store;
    this.#sink = sink;
    this.#logger = logger;
  }

  /** Hear committed changes (the store's change listener): export the runs that ended in them. */
  hear(changes: readonly StoreChange[]): void {
    for (const change of changes) {
      if (change.kind !== 'events') continue;
      for (const event of change.events ?? []) {
        if (event.type === 'run_status' && isTerminalRunStatus(String(event.data.status))) this.#track(this.#export(event.run_id));
      }
    }
  }

  async #export(runId: string): Promise<void> {
    const run = await this.#store.getRun(runId);
    const session = run === null ? null : await this.#store.getSession(run.session_id);
    const span = run === null || session === null ? null : runSpan(run, session);
    if (span !== null) this.#sink.record(span);
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: Error) => this.#logger.warn({ err: error.message }, 'trace spans: a run span was not exported'));
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  /** Wait for the spans on their way (before the store closes), then send what is left and stop. */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  async close(): Promise<void> {
    await this.drain();
    await this.#sink.shutdown();
  }
}
