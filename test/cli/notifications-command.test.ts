import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNotifyConfig } from '../../coordinator/notify/notify-config.js';
import { NotificationPageSchema } from '../../protocol/notifications.js';
import { eventually, startTestCoordinator } from '../coordinator/helpers.js';
import { runCli } from '../helpers/cli.js';
import { startReceiver } from '../helpers/notify-receiver.js';

const ESC = '\x1b';

// `agent-runner notifications` through the real CLI against a coordinator with two targets: one that
// answers, one that refuses with hostile text in its answer (shown escaped, never as terminal control).
describe('agent-runner notifications', { timeout: 120_000 }, () => {
  let stack: Awaited<ReturnType<typeof startTestCoordinator>>;
  let good: Awaited<ReturnType<typeof startReceiver>>;
  let bad: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    good = await startReceiver();
    bad = await startReceiver(() => ({ status: 404, body: `no such hook ${ESC}[2J${ESC}]0;pwned\x07` }));
    const notify = parseNotifyConfig(
      JSON.stringify({ targets: [{ name: 'good', type: 'webhook', url: good.url, events: ['session.ended'] }, { name: 'bad', type: 'discord', url: `${bad.url}/api/webhooks/9/tok`, events: ['session.ended'] }] }),
      'n.json',
      {},
    );
    stack = await startTestCoordinator('sqlite', { notify, notifyPollMs: 10 });
    const { session_id } = (await stack.api('POST', '/v1/sessions', { executor: 'nobody', prompt: 'p' })).body;
    await stack.api('POST', `/v1/sessions/${session_id}/stop`, {});
    await eventually(async () => (await stack.api('GET', '/v1/notifications')).body.notifications.every((n: any) => n.status !== 'pending') || null);
  });
  afterAll(async () => {
    await stack?.stop();
    await good?.close();
    await bad?.close();
  });

  it('lists deliveries and failures newest first; --failed only failures; --json the API page', async () => {
    const table = await runCli(['notifications', '-c', stack.url]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^WHEN\s+EVENT\s+TARGET\s+STATUS\s+ATTEMPTS\s+SESSION\s+LAST ERROR$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/)[2]).sort()).toEqual(['bad', 'good']);
    expect(table.stdout).not.toContain(ESC);
    expect(table.stdout).not.toContain('/api/webhooks/9/tok');
    const failed = await runCli(['notifications', '--failed', '-c', stack.url]);
    expect(failed.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(failed.stdout).toMatch(/session\.ended\s+bad\s+failed\s+1\s+ses_\w+\s+HTTP 404: no such hook/);
    const json = NotificationPageSchema.parse(JSON.parse((await runCli(['notifications', '--json', '-c', stack.url])).stdout));
    expect(json.notifications.map((n) => n.status).sort()).toEqual(['delivered', 'failed']);
  });

  it('a bad --limit is a usage error naming the flag', async () => {
    for (const limit of ['0', 'x', '501']) {
      const res = await runCli(['notifications', '--limit', limit, '-c', stack.url]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('--limit');
    }
  });
});
