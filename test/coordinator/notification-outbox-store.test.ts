import { afterEach, describe, expect, it } from 'vitest';
import { parseNotifyConfig } from '../../coordinator/notify/notify-config.js';
import { outboxPlanOf } from '../../coordinator/notify/outbox-routes.js';
import { openFreshStore, STORE_KINDS } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const config = parseNotifyConfig(
  JSON.stringify({ targets: [{ name: 'a', type: 'webhook', url: 'http://127.0.0.1:1/a' }, { name: 't', type: 'telegram', bot_token: { env: 'T' }, chat_ids: [1, 2], events: ['question.asked'] }] }),
  'n.json',
  { T: 'tok:en' },
);

describe.each(STORE_KINDS)('the notification outbox in the store (%s)', (kind) => {
  it('enqueues per target and chat once per key, claims due rows once within a lease, settles, prunes', async () => {
    const { store, close } = await openFreshStore(kind);
    cleanups.push(close);
    // No plan: nothing stored.
    expect(await store.enqueueNotification({ event: 'question.asked', dedupeKey: 'q:1', occurredAt: 1, data: {} }, 1_000)).toBe(0);
    store.setOutboxPlan(outboxPlanOf(config));
    expect(await store.enqueueNotification({ event: 'question.asked', dedupeKey: 'q:1', occurredAt: 1, data: { question_id: 'q1' } }, 1_000)).toBe(3);
    expect(await store.enqueueNotification({ event: 'question.asked', dedupeKey: 'q:1', occurredAt: 1, data: { question_id: 'q1' } }, 1_000)).toBe(0);
    expect(await store.enqueueNotification({ event: 'runner.offline', dedupeKey: 'r:1', occurredAt: 1, data: {} }, 1_000)).toBe(1);

    const claimed = await store.claimNotifications('t', 2_000, 10, 5_000);
    expect(claimed.map((n) => [n.recipient, n.attempts, n.next_attempt_at])).toEqual([['1', 1, 7_000], ['2', 1, 7_000]]);
    // Claimed: not due again within the lease, due after it.
    expect(await store.claimNotifications('t', 6_999, 10, 5_000)).toEqual([]);
    await store.markNotificationsDelivered([claimed[0]!.seq], 3_000);
    const again = await store.claimNotifications('t', 7_000, 10, 5_000);
    expect(again.map((n) => [n.recipient, n.attempts])).toEqual([['2', 2]]);
    // The old claim no longer settles it; the new one does.
    expect(await store.settleNotification(claimed[1]!, { delivered: false, error: 'x', retryAt: 9_000 }, 7_001)).toBe(false);
    expect(await store.settleNotification(again[0]!, { delivered: false, error: 'HTTP 500', retryAt: null }, 7_001)).toBe(true);

    const page = await store.listNotifications({}, { limit: 10, before: null });
    expect(page.notifications.map((n) => [n.target, n.recipient, n.status, n.attempts, n.last_error])).toEqual([
      ['a', null, 'pending', 0, null],
      ['t', '2', 'failed', 2, 'HTTP 500'],
      ['t', '1', 'delivered', 1, null],
      ['a', null, 'pending', 0, null],
    ]);
    expect((await store.listNotifications({ status: 'failed' }, { limit: 10, before: null })).notifications).toHaveLength(1);
    expect(await store.pruneNotifications(7_002, 100)).toBe(2);
    expect((await store.listNotifications({}, { limit: 10, before: null })).notifications.map((n) => n.status)).toEqual(['pending', 'pending']);
  });
});
