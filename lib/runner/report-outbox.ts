import type { ExecutorEvent } from '../events/schema.js';
import { backoffDelay } from './backoff.js';
import { SpoolFile } from './spool-file.js';

/** Events held in memory before new ones go to the spool file on disk (a coordinator outage). */
export const OUTBOX_MEMORY_EVENTS = 20_000;
/** Most events sent in one request. */
export const OUTBOX_BATCH_EVENTS = 500;

/** One event of one run, numbered per run from 1; the coordinator drops a (run_id, seq) it already has. */
export interface OutboxItem {
  run_id: string;
  seq: number;
  event: ExecutorEvent;
  /** When the runner read it, ISO 8601. */
  ts: string;
}

export interface EventOutboxOptions {
  /** Deliver a batch (events of one or more runs, in order); throw to have it retried later. */
  send: (batch: OutboxItem[]) => Promise<void>;
  /** Where to spill events beyond the memory limit. */
  spoolPath: string;
  maxMemoryEvents?: number;
  maxBatchEvents?: number;
  /** Told about each failed delivery, before the retry. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

interface Waiter {
  seq: number;
  resolve: () => void;
}

/**
 * Everything executors reported, on its way to the coordinator: delivered in order, in batches, as soon
 * as the previous batch was acknowledged (no timer, so an idle outbox sends an event at once). When the
 * coordinator is unreachable it keeps everything (memory first, then a spool file) and retries with
 * jittered backoff; nothing appended is dropped.
 */
export class EventOutbox {
  readonly #options: Required<Omit<EventOutboxOptions, 'onRetry'>> & Pick<EventOutboxOptions, 'onRetry'>;
  readonly #memory: OutboxItem[] = [];
  readonly #spool: SpoolFile<OutboxItem>;
  readonly #nextSeq = new Map<string, number>();
  readonly #acked = new Map<string, number>();
  readonly #waiters = new Map<string, Waiter[]>();
  #sending = false;
  #scheduled = false;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: EventOutboxOptions) {
    this.#options = {
      maxMemoryEvents: OUTBOX_MEMORY_EVENTS,
      maxBatchEvents: OUTBOX_BATCH_EVENTS,
      ...options,
    };
    this.#spool = new SpoolFile(options.spoolPath);
  }

  /** Events not yet acknowledged, in memory and on disk. */
  get pending(): number {
    return this.#memory.length + this.#spool.size;
  }

  /** Events waiting on disk. */
  get spooled(): number {
    return this.#spool.size;
  }

  /** Number a run's events from `firstSeq` (default 1), e.g. to continue after events already stored. */
  beginRun(runId: string, firstSeq = 1): void {
    this.#nextSeq.set(runId, firstSeq);
    this.#acked.set(runId, firstSeq - 1);
  }

  /** Queue an event of a run; returns it with its sequence number. */
  append(runId: string, event: ExecutorEvent): OutboxItem {
    if (this.#closed) throw new Error('the event outbox is closed');
    const seq = this.#nextSeq.get(runId) ?? 1;
    this.#nextSeq.set(runId, seq + 1);
    if (!this.#acked.has(runId)) this.#acked.set(runId, seq - 1);
    const item: OutboxItem = { run_id: runId, seq, event, ts: new Date().toISOString() };
    if (this.#spool.size > 0 || this.#memory.length >= this.#options.maxMemoryEvents) this.#spool.append([item]);
    else this.#memory.push(item);
    this.#schedule();
    return item;
  }

  /** Resolves once every event appended so far for the run is acknowledged (or `signal` aborts). */
  delivered(runId: string, signal?: AbortSignal): Promise<void> {
    const last = (this.#nextSeq.get(runId) ?? 1) - 1;
    if ((this.#acked.get(runId) ?? 0) >= last || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(runId) ?? [];
      waiters.push({ seq: last, resolve });
      this.#waiters.set(runId, waiters);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  /** Forget a run's numbering once it is finished and delivered. */
  endRun(runId: string): void {
    this.#nextSeq.delete(runId);
    this.#acked.delete(runId);
    this.#waiters.delete(runId);
  }

  /**
   * Stop accepting events and retrying. What is still undelivered is written to the spool file, so
   * nothing an executor reported is lost even when the coordinator never came back.
   */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    if (this.#memory.length > 0) {
      // Memory holds the older events; the spool the newer ones. Keep the file in order.
      const spooled = this.#spool.size > 0 ? this.#spool.take(this.#spool.size) : [];
      this.#spool.append([...this.#memory.splice(0), ...spooled]);
    }
  }

  /** Path of the spool file (it exists only while events wait there). */
  get spoolPath(): string {
    return this.#spool.path;
  }

  /** Retry at once instead of waiting out the backoff (e.g. the coordinator answered again). */
  retryNow(): void {
    if (this.#retryTimer === undefined) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || this.#sending || this.#retryTimer !== undefined || this.#closed) return;
    this.#scheduled = true;
    // setImmediate, not a timer: events read from one stdout chunk go out together, with no added delay.
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#sending || this.#closed) return;
    this.#refill();
    if (this.#memory.length === 0) return;
    this.#sending = true;
    const batch = this.#memory.slice(0, this.#options.maxBatchEvents);
    try {
      await this.#options.send(batch);
    } catch (error) {
      this.#sending = false;
      this.#failures += 1;
      const delay = backoffDelay(this.#failures);
      this.#options.onRetry?.(error, this.#failures, delay);
      if (!this.#closed) {
        this.#retryTimer = setTimeout(() => {
          this.#retryTimer = undefined;
          this.#schedule();
        }, delay);
      }
      return;
    }
    this.#failures = 0;
    this.#memory.splice(0, batch.length);
    this.#sending = false;
    this.#acknowledge(batch);
    this.#schedule();
  }

  /** Move events from the spool back into memory once there is room, keeping their order. */
  #refill(): void {
    const room = this.#options.maxMemoryEvents - this.#memory.length;
    if (this.#spool.size > 0 && room >= this.#options.maxBatchEvents) this.#memory.push(...this.#spool.take(room));
  }

  #acknowledge(batch: OutboxItem[]): void {
    for (const item of batch) {
      if (item.seq > (this.#acked.get(item.run_id) ?? 0)) this.#acked.set(item.run_id, item.seq);
    }
    for (const runId of new Set(batch.map((i) => i.run_id))) {
      const waiters = this.#waiters.get(runId);
      if (waiters === undefined) continue;
      const acked = this.#acked.get(runId) ?? 0;
      const ready = waiters.filter((w) => w.seq <= acked);
      this.#waiters.set(runId, waiters.filter((w) => w.seq > acked));
      for (const w of ready) w.resolve();
    }
  }
}
