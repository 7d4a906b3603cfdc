import { timingSafeEqual } from 'node:crypto';
import type { RunnerRecord } from '../types.js';

/**
 * How long a runner token, once checked against the store, is taken without reading the store again.
 * Only a backstop: a deregistration forgets the runner's token at once here, and on the other replicas
 * when they hear of it (a `runner` store change). Idle runners make a request every few seconds each
 * (heartbeats, long-polls), so a minute spares nearly every read.
 */
export const RUNNER_TOKEN_TTL_MS = 60_000;

interface Checked {
  token: Buffer;
  runner: RunnerRecord;
  expiresAt: number;
}

/**
 * Runner tokens checked lately, by runner id: a runner's heartbeats and polls skip the store read
 * (a query, and on PostgreSQL a round trip) that checks its token. Only tokens the store accepted are
 * kept, one per runner; a runner's record here is what it registered with (executors, tags: fixed).
 */
export class RunnerTokens {
  readonly #checked = new Map<string, Checked>();
  readonly #ttlMs: number;
  /** Bumped by every `forget`: a check that began before it must not keep what it read. */
  #epoch = 0;
  #nextPruneAt = 0;

  constructor(ttlMs = RUNNER_TOKEN_TTL_MS) {
    this.#ttlMs = ttlMs;
  }

  /** The runner of `token` if it was checked within the TTL (the caller compares nothing more). */
  get(runnerId: string, token: string, now: number): RunnerRecord | undefined {
    const hit = this.#checked.get(runnerId);
    if (hit === undefined) return undefined;
    if (hit.expiresAt <= now) {
      this.#checked.delete(runnerId);
      return undefined;
    }
    const given = Buffer.from(token);
    return given.length === hit.token.length && timingSafeEqual(given, hit.token) ? hit.runner : undefined;
  }

  /** The epoch to hand to `keep` after reading the store: a `forget` in between makes `keep` a no-op. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Keep a token the store accepted, read since `epoch`. */
  keep(token: string, runner: RunnerRecord, epoch: number, now: number): void {
    if (epoch !== this.#epoch) return;
    this.#checked.set(runner.id, { token: Buffer.from(token), runner, expiresAt: now + this.#ttlMs });
    // Runners that went silent (a runner registers anew under a new id each start) leave nothing behind.
    if (now < this.#nextPruneAt) return;
    this.#nextPruneAt = now + this.#ttlMs;
    for (const [id, entry] of this.#checked) if (entry.expiresAt <= now) this.#checked.delete(id);
  }

  /** The runner deregistered (or changed): its token is checked against the store again. */
  forget(runnerId: string): void {
    this.#epoch += 1;
    this.#checked.delete(runnerId);
  }

  get size(): number {
    return this.#checked.size;
  }
}
