import type { ChangeMessage } from '../../protocol/changes.js';
import type { StoreChange } from '../store/store-changes.js';
import { frameSseComment, frameSseMessage } from './sse-frame.js';
import { CHANGES_TOPIC, type WakeHub } from './wake-hub.js';

/** Ids kept per kind in one message: past it the message says `more: true` and a reader reads everything again. */
export const MAX_CHANGE_IDS = 500;

/**
 * At most one message per this interval: under a steady stream of changes (a busy fleet) a reader gets
 * ten summaries a second, not one per transaction. The first change after a quiet spell goes at once.
 */
export const CHANGES_INTERVAL_MS = 100;

/** What changed since the last message, by kind. */
export class ChangeSet {
  sessions = new Set<string>();
  trees = new Set<string>();
  workflowRuns = new Set<string>();
  questions = new Set<string>();
  more = false;

  add(changes: readonly StoreChange[]): void {
    for (const change of changes) {
      if (change.kind === 'events') this.#put(this.sessions, change.session_id);
      else if (change.kind === 'tree') this.#put(this.trees, change.root_session_id);
      else if (change.kind === 'workflow') this.#put(this.workflowRuns, change.workflow_run_id);
      else if (change.kind === 'question') {
        this.#put(this.questions, change.question_id);
        this.#put(this.sessions, change.session_id);
      }
    }
  }

  #put(set: Set<string>, id: string): void {
    if (set.size < MAX_CHANGE_IDS) set.add(id);
    else this.more = true;
  }

  get empty(): boolean {
    return this.sessions.size + this.trees.size + this.workflowRuns.size + this.questions.size === 0 && !this.more;
  }

  toJSON(): ChangeMessage {
    return { sessions: [...this.sessions], trees: [...this.trees], workflow_runs: [...this.workflowRuns], questions: [...this.questions], more: this.more };
  }
}

/** One framed SSE chunk of the feed, the same bytes for every follower. */
export type FeedChunk = Uint8Array;

const encoder = new TextEncoder();

/** The message a follower that fell behind gets instead of the ones it missed: read everything again. */
export const READ_EVERYTHING_AGAIN: FeedChunk = encoder.encode(
  frameSseMessage({ event: 'change', data: JSON.stringify({ sessions: [], trees: [], workflow_runs: [], questions: [], more: true } satisfies ChangeMessage) }),
);

const KEEP_ALIVE: FeedChunk = encoder.encode(frameSseComment('keep-alive'));

/**
 * The store's committed changes, summed up once for every follower of `GET /v1/changes`: one set of
 * pending ids, cut into one message at most every `intervalMs` and sent as the same bytes to each
 * follower (fifty open pages cost one summary, not fifty). A keep-alive comment goes to everyone when
 * no message went for `keepAliveMs`.
 *
 * `version` counts the cuts: every follower has been told of every change committed before the cut
 * that made the current version, and of none after it. So an answer computed while the version stays
 * the same has everything any follower may be reading again for (followed-fragment.ts shares it).
 * The feed listens to the store only while someone follows it.
 */
export class ChangesFeed {
  readonly #hub: WakeHub;
  readonly #intervalMs: number;
  readonly #keepAliveMs: number;
  readonly #followers = new Set<(chunk: FeedChunk) => void>();
  #pending = new ChangeSet();
  #unsubscribe: (() => void) | null = null;
  #cutTimer: NodeJS.Timeout | null = null;
  #keepAliveTimer: NodeJS.Timeout | null = null;
  #lastCut = 0;
  #version = 0;

  constructor(hub: WakeHub, options: { intervalMs?: number; keepAliveMs: number }) {
    this.#hub = hub;
    this.#intervalMs = options.intervalMs ?? CHANGES_INTERVAL_MS;
    this.#keepAliveMs = options.keepAliveMs;
  }

  /** Grows with each message cut, and when the feed starts or stops listening to the store. */
  get version(): number {
    return this.#version;
  }

  /** Whether anyone follows the feed (only then does `version` say what followers were told). */
  get followed(): boolean {
    return this.#followers.size > 0;
  }

  /** Call `send` with each message and keep-alive until the returned function is called. */
  follow(send: (chunk: FeedChunk) => void): () => void {
    if (this.#followers.size === 0) this.#start();
    this.#followers.add(send);
    return () => {
      if (this.#followers.delete(send) && this.#followers.size === 0) this.#stop();
    };
  }

  #start(): void {
    this.#version += 1;
    this.#unsubscribe = this.#hub.subscribe([CHANGES_TOPIC], (_topic, payload) => this.#add(payload as readonly StoreChange[]));
    this.#armKeepAlive();
  }

  #stop(): void {
    this.#version += 1;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#cutTimer !== null) clearTimeout(this.#cutTimer);
    if (this.#keepAliveTimer !== null) clearTimeout(this.#keepAliveTimer);
    this.#cutTimer = this.#keepAliveTimer = null;
    this.#pending = new ChangeSet();
  }

  #add(changes: readonly StoreChange[]): void {
    this.#pending.add(changes);
    if (this.#pending.empty || this.#cutTimer !== null) return;
    // What comes in until the timer fires joins this message.
    this.#cutTimer = setTimeout(() => this.#cut(), Math.max(0, this.#lastCut + this.#intervalMs - Date.now()));
    this.#cutTimer.unref();
  }

  #cut(): void {
    this.#cutTimer = null;
    if (this.#pending.empty) return;
    const message = this.#pending;
    this.#pending = new ChangeSet();
    this.#version += 1;
    this.#lastCut = Date.now();
    this.#broadcast(encoder.encode(frameSseMessage({ event: 'change', data: JSON.stringify(message) })));
    this.#armKeepAlive();
  }

  /** A keep-alive once `keepAliveMs` pass without a message (refresh() starts the wait again). */
  #armKeepAlive(): void {
    if (this.#keepAliveTimer !== null) return void this.#keepAliveTimer.refresh();
    const timer = setTimeout(() => {
      this.#broadcast(KEEP_ALIVE);
      if (this.#keepAliveTimer === timer) timer.refresh();
    }, this.#keepAliveMs);
    this.#keepAliveTimer = timer.unref();
  }

  #broadcast(chunk: FeedChunk): void {
    for (const send of [...this.#followers]) send(chunk);
  }
}
