import { afterEach, describe, expect, it } from 'vitest';
import { parseNotifyConfig } from '../../coordinator/notify/notify-config.js';
import { startCoordinator } from '../../coordinator/start-coordinator.js';
import { apiClient, eventually, freshDatabase } from './helpers.js';
import { startReceiver } from '../helpers/notify-receiver.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('notifications on two coordinator replicas of one PostgreSQL database', () => {
  it('deliver each notification once between them (FOR UPDATE SKIP LOCKED claims)', async () => {
    const hook = await startReceiver();
    cleanups.push(hook.close);
    const db = await freshDatabase('postgres');
    cleanups.push(db.drop);
    const notify = parseNotifyConfig(JSON.stringify({ targets: [{ name: 'hook', type: 'webhook', url: hook.url, events: ['session.ended'], concurrency: 8 }] }), 'notify.json', {});
    const replicas = await Promise.all(
      [0, 1].map(() => startCoordinator({ port: 0, agentsDir: null, logLevel: 'silent', databaseUrl: db.databaseUrl, databaseSchema: db.databaseSchema, notify, notifyPollMs: 5 })),
    );
    for (const r of replicas) cleanups.push(() => r.close());
    const apis = replicas.map((r) => apiClient(r.url));
    const N = 120;
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const api = apis[i % 2]!;
        const { session_id } = (await api('POST', '/v1/sessions', { executor: 'nobody', prompt: `p${i}` })).body;
        expect((await api('POST', `/v1/sessions/${session_id}/stop`, {})).status).toBe(200);
      }),
    );
    await hook.waitFor(N);
    const delivered = await eventually(async () => {
      const page = await apis[0]!('GET', '/v1/notifications?status=delivered&limit=500');
      return page.body.notifications.length === N ? page.body.notifications : null;
    });
    expect(delivered.every((n: any) => n.attempts === 1)).toBe(true);
    const ids = hook.received.map((r) => r.headers['x-agent-runner-delivery']);
    expect(ids).toHaveLength(N);
    expect(new Set(ids).size).toBe(N);
    expect(new Set(hook.received.map((r) => r.json.data.session_id)).size).toBe(N);
  });
});
