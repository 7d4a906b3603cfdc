import type { Logger } from 'pino';
import { backoffDelay } from '../../lib/retry/backoff.js';
import type { NotificationRecord, Store } from '../store/store.js';
import type { ResolvedNotifyConfig, ResolvedTarget } from './notify-config.js';
import { sendRequest } from './send-request.js';
import { discordRequest } from './targets/discord.js';
import type { DeliveryInput, OutgoingRequest } from './targets/outgoing-request.js';
import { slackRequest } from './targets/slack.js';
import { telegramRequest } from './targets/telegram.js';
import { webhookRequest } from './targets/webhook.js';

/** How often a worker looks for due rows when it found none (each look is one statement per target). */
export const NOTIFY_POLL_MS = 250;
/**
 * A claimed row is due again this long after its delivery's timeout if its worker did not settle it (the
 * coordinator was killed): long enough that a live worker always settles first.
 */
export const CLAIM_MARGIN_MS = 5_000;

/** How long delivered and failed notifications are kept (GET /v1/notifications shows them meanwhile). */
export const NOTIFY_RETENTION_MS = 7 * 24 * 3_600_000;
/** How often older ones are deleted, at most PRUNE_BATCH at a time. */
export const PRUNE_INTERVAL_MS = 3_600_000;
const PRUNE_BATCH = 5_000;

export interface DeliveryWorkerOptions {
  store: Store;
  config: ResolvedNotifyConfig;
  logger: Logger;
  pollMs?: number;
  claimMarginMs?: number;
  /** The backoff's jitter source (tests fix it to 1 for exact delays). */
  random?: () => number;
}

/** The request a target sends for a row. Pure. */
export function requestFor(target: ResolvedTarget, row: Pick<NotificationRecord, 'id' | 'event' | 'occurred_at' | 'data' | 'recipient'>): OutgoingRequest {
  const n: DeliveryInput = { id: row.id, event: row.event, occurredAt: row.occurred_at, data: row.data, recipient: row.recipient };
  switch (target.type) {
    case 'webhook':
      return webhookRequest(target.url, target.secret, n);
    case 'slack':
      return slackRequest(target.url, n);
    case 'discord':
      return discordRequest(target.url, n);
    case 'telegram':
      return telegramRequest(target.url, target.secret!, target.parseMode, n);
  }
}

/** Replace each secret of the config found in `text` (a target's answer may echo a URL or token). Pure. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '' && secret !== '/') out = out.split(secret).join('[redacted]');
  return out;
}

/**
 * Deliver the outbox: per target, claim due rows up to its concurrency, POST each off the request path,
 * settle it (delivered; retry after an exponential backoff with full jitter; `failed` after max_attempts or a
 * refusal). A slow target holds only its own slots. `stop` aborts deliveries in flight: their rows stay
 * claimed and are delivered again once their claim runs out (at least once).
 */
export function startDeliveryWorker(options: DeliveryWorkerOptions): { stop: () => Promise<void>; kick: () => void } {
  const { store, config, logger } = options;
  const pollMs = options.pollMs ?? NOTIFY_POLL_MS;
  const margin = options.claimMarginMs ?? CLAIM_MARGIN_MS;
  const abort = new AbortController();
  const wakers = new Set<() => void>();
  const kick = () => {
    for (const wake of wakers) wake();
  };
  const loops = config.targets.map(async (target) => {
    const inFlight = new Set<Promise<void>>();
    let wake: (() => void) | null = null;
    // A kick while this loop was claiming (not waiting) is kept for its next wait.
    let kicked = false;
    const waker = () => {
      kicked = true;
      wake?.();
    };
    wakers.add(waker);
    // Deliveries that succeeded in one turn of the event loop are marked in one statement.
    let delivered: { seqs: number[]; done: Promise<void> } | null = null;
    const markDelivered = (seq: number): Promise<void> => {
      if (delivered === null) {
        const batch: { seqs: number[]; done: Promise<void> } = { seqs: [], done: Promise.resolve() };
        batch.done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
          delivered = null;
          return store.markNotificationsDelivered(batch.seqs, Date.now());
        });
        delivered = batch;
      }
      delivered.seqs.push(seq);
      return delivered.done;
    };
    const settleOne = async (row: NotificationRecord) => {
      const result = await sendRequest(requestFor(target, row), target.timeoutMs, abort.signal);
      if (abort.signal.aborted) return;
      const now = Date.now();
      if (result.ok) {
        await markDelivered(row.seq);
        return;
      }
      const error = redactSecrets(result.error, config.secrets);
      const last = result.permanent || row.attempts >= target.maxAttempts;
      const delay = Math.min(target.backoff.maxMs, Math.max(result.retryAfterMs ?? 0, backoffDelay(row.attempts, target.backoff, options.random)));
      await store.settleNotification(row, { delivered: false, error, retryAt: last ? null : now + delay }, now);
      logger[last ? 'warn' : 'debug']({ target: target.name, notification: row.id, event: row.event, attempt: row.attempts, error }, last ? 'notification failed' : 'notification delivery failed; will retry');
    };
    // Claims are batched: a claim is a transaction, so one is made when half the slots (or all) are free.
    const batch = Math.max(1, Math.ceil(target.concurrency / 2));
    while (!abort.signal.aborted) {
      const free = target.concurrency - inFlight.size;
      let claimed: NotificationRecord[] = [];
      if (free >= batch || (free > 0 && inFlight.size === 0)) {
        try {
          claimed = await store.claimNotifications(target.name, Date.now(), free, target.timeoutMs + margin);
        } catch (error) {
          if (!abort.signal.aborted) logger.error({ err: error, target: target.name }, 'claiming notifications failed');
        }
        for (const row of claimed) {
          const p: Promise<void> = settleOne(row)
            .catch((error: unknown) => logger.error({ err: error, target: target.name, notification: row.id }, 'settling a notification failed'))
            .finally(() => {
              inFlight.delete(p);
              wake?.();
            });
          inFlight.add(p);
        }
      }
      // A full batch may have more behind it; otherwise wait for a free slot, a kick, or the poll interval.
      if (claimed.length > 0 && claimed.length === free) continue;
      if (kicked && free - claimed.length >= batch) {
        kicked = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pollMs);
        function done() {
          kicked = false;
          clearTimeout(timer);
          abort.signal.removeEventListener('abort', done);
          wake = null;
          resolve();
        }
        wake = done;
        abort.signal.addEventListener('abort', done);
      });
    }
    await Promise.allSettled([...inFlight]);
    wakers.delete(waker);
  });
  const pruning = setInterval(() => {
    store.pruneNotifications(Date.now() - NOTIFY_RETENTION_MS, PRUNE_BATCH).catch((error: unknown) => logger.warn({ err: error }, 'pruning old notifications failed'));
  }, PRUNE_INTERVAL_MS);
  pruning.unref();
  return {
    kick,
    stop: async () => {
      clearInterval(pruning);
      abort.abort();
      await Promise.allSettled(loops);
    },
  };
}
