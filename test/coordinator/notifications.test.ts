import { afterEach, describe, expect, it } from 'vitest';
import { parseNotifyConfig } from '../../coordinator/notify/notify-config.js';
import { verifyWebhookSignature } from '../../coordinator/notify/sign-webhook.js';
import { decodeCallbackData } from '../../coordinator/notify/callback-data.js';
import { type Api, eventually, pollRun, registerRunner, STORE_KINDS, startTestCoordinator } from './helpers.js';
import { startReceiver } from '../helpers/notify-receiver.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const SECRET = 'whsec_test_0123456789';
const BOT = '123456:TEST-bot-token';
const ENV = { HOOK_SECRET: SECRET, BOT_TOKEN: BOT };

/** A resolved config from targets written as JSON (secrets from ENV). */
const config = (targets: unknown[]) => parseNotifyConfig(JSON.stringify({ targets }), 'notify.json', ENV);

/** Start a session no runner serves and stop it: its run is cancelled at once (a session.ended). */
async function endSession(api: Api, body: Record<string, unknown> = {}): Promise<string> {
  const created = await api('POST', '/v1/sessions', { executor: 'nobody', prompt: 'p', ...body });
  expect(created.status).toBe(201);
  expect((await api('POST', `/v1/sessions/${created.body.session_id}/stop`, {})).status).toBe(200);
  return created.body.session_id as string;
}

async function startWith(kind: (typeof STORE_KINDS)[number], targets: unknown[], extra: Record<string, unknown> = {}) {
  const c = await startTestCoordinator(kind, { notify: config(targets), notifyPollMs: 10, ...extra });
  cleanups.push(c.stop);
  return c;
}

async function receiver(respond?: Parameters<typeof startReceiver>[0]) {
  const r = await startReceiver(respond);
  cleanups.push(r.close);
  return r;
}

const HOSTILE = '<script>alert(1)</script> @everyone <@123> *bold* _x_ & <!channel> `code` [link](http://evil)';

describe.each(STORE_KINDS)('notifications (%s)', (kind) => {
  it('a generic webhook gets {id, event, occurred_at, data}, the event and delivery headers, and a signature the documented check accepts', async () => {
    const hook = await receiver();
    const { api } = await startWith(kind, [{ name: 'hook', type: 'webhook', url: `${hook.url}/in`, secret: { env: 'HOOK_SECRET' }, events: ['session.ended'] }]);
    const sessionId = await endSession(api, { agent: undefined });
    await hook.waitFor(1);
    const [req] = hook.received;
    expect(req!.path).toBe('/in');
    expect(req!.json).toMatchObject({ event: 'session.ended', data: { session_id: sessionId, status: 'cancelled', run_status: 'cancelled' } });
    expect(req!.json.id).toMatch(/^ntf_/);
    expect(new Date(req!.json.occurred_at).toISOString()).toBe(req!.json.occurred_at);
    expect(req!.headers['x-agent-runner-event']).toBe('session.ended');
    expect(req!.headers['x-agent-runner-delivery']).toBe(req!.json.id);
    const signature = String(req!.headers['x-agent-runner-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, req!.body, signature, Math.floor(Date.now() / 1000))).toBe(true);
    expect(verifyWebhookSignature('wrong', req!.body, signature, Math.floor(Date.now() / 1000))).toBe(false);
    expect(verifyWebhookSignature(SECRET, `${req!.body} `, signature, Math.floor(Date.now() / 1000))).toBe(false);
    // Outside the replay window: refused.
    expect(verifyWebhookSignature(SECRET, req!.body, signature, Math.floor(Date.now() / 1000) + 301)).toBe(false);
    const list = await eventually(async () => {
      const page = await api('GET', '/v1/notifications');
      return page.body.notifications[0]?.status === 'delivered' ? page : null;
    });
    expect(list.body.notifications[0]).toMatchObject({ id: req!.json.id, target: 'hook', event: 'session.ended', status: 'delivered', attempts: 1, session_id: sessionId, last_error: null });
    expect(JSON.stringify(list.body)).not.toContain(SECRET);
  });

  it('Slack, Discord and Telegram get their own payloads, with hostile agent text escaped for each', async () => {
    const slack = await receiver();
    const discord = await receiver();
    const telegram = await receiver();
    const { api } = await startWith(kind, [
      { name: 'slack', type: 'slack', url: `${slack.url}/services/T0/B0/XYZ`, events: ['session.ended'] },
      { name: 'discord', type: 'discord', url: `${discord.url}/api/webhooks/1/tok`, events: ['session.ended'] },
      { name: 'tg', type: 'telegram', base_url: telegram.url, bot_token: { env: 'BOT_TOKEN' }, chat_ids: [42, '-100123'], events: ['session.ended'] },
    ]);
    // The session's run error is what the agent world controls here: a failure message with markup in it.
    const runner = await registerRunner(api, ['x']);
    const { session_id } = (await api('POST', '/v1/sessions', { executor: 'x', prompt: 'p' })).body;
    const { run } = await pollRun(api, runner);
    expect((await api('POST', `/v1/runs/${run.run_id}/finished`, { kind: 'failed', message: HOSTILE, exit_code: 1 }, runner.token)).status).toBe(200);
    await Promise.all([slack.waitFor(1), discord.waitFor(1), telegram.waitFor(2)]);

    const s = slack.received[0]!;
    expect(s.path).toBe('/services/T0/B0/XYZ');
    expect(typeof s.json.text).toBe('string');
    expect(Array.isArray(s.json.blocks)).toBe(true);
    const slackText = JSON.stringify(s.json.blocks);
    expect(slackText).toContain('&lt;script&gt;');
    expect(slackText).toContain('&lt;!channel&gt;');
    expect(slackText).not.toContain('<script>');
    expect(slackText).not.toContain('<!channel>');
    expect(slackText).toContain(session_id);

    const d = discord.received[0]!;
    expect(d.json.allowed_mentions).toEqual({ parse: [] });
    expect(typeof d.json.content).toBe('string');
    const embed = d.json.embeds[0];
    expect(embed.title).toBe('Session failed');
    expect(embed.description).not.toContain('@everyone');
    expect(embed.description).toContain('@\u200beveryone');
    expect(embed.description).toContain('\\*bold\\*');
    expect(embed.description).not.toContain('<@123>');

    const chats = telegram.received.map((r) => r.json.chat_id).sort();
    expect(chats).toEqual([-100123, 42].sort());
    for (const t of telegram.received) {
      expect(t.path).toBe(`/bot${BOT}/sendMessage`);
      expect(t.json.parse_mode).toBe('HTML');
      expect(t.json.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(t.json.text).not.toContain('<script>');
      expect(t.json.text).toContain('<b>Session failed</b>');
    }
    // The outbox names targets and chats, never URLs or tokens.
    const page = await eventually(async () => {
      const p = await api('GET', '/v1/notifications');
      return p.body.notifications.length === 4 && p.body.notifications.every((n: any) => n.status === 'delivered') ? p : null;
    });
    const text = JSON.stringify(page.body);
    expect(text).not.toContain(BOT);
    expect(text).not.toContain('XYZ');
    expect(text).not.toContain('/api/webhooks/1/tok');
    expect(page.body.notifications.filter((n: any) => n.target === 'tg').map((n: any) => n.recipient).sort()).toEqual(['-100123', '42']);
  });

  it('retries with exponential backoff: a target that fails twice then answers gets it 3 times, delivered once, attempts 3', async () => {
    const hook = await receiver((_, i) => (i < 2 ? 503 : 200));
    const base = 40;
    const { api } = await startWith(kind, [{ name: 'flaky', type: 'webhook', url: hook.url, backoff_base_ms: base, backoff_max_ms: 10_000, max_attempts: 5, events: ['session.ended'] }], { notifyRandom: () => 1 });
    await endSession(api);
    const done = await eventually(async () => {
      const page = await api('GET', '/v1/notifications?status=delivered');
      return page.body.notifications.find((n: any) => n.event === 'session.ended') ?? null;
    });
    expect(done.attempts).toBe(3);
    expect(hook.received).toHaveLength(3);
    // The same delivery id each time (the idempotency key), and the waits at least the backoff (jitter fixed to its ceiling).
    expect(new Set(hook.received.map((r) => r.headers['x-agent-runner-delivery'])).size).toBe(1);
    expect(hook.received[1]!.at - hook.received[0]!.at).toBeGreaterThanOrEqual(base - 2);
    expect(hook.received[2]!.at - hook.received[1]!.at).toBeGreaterThanOrEqual(2 * base - 2);
  });

  it('a dead target (connection refused) ends failed after max_attempts, and sessions run meanwhile', async () => {
    const dead = await receiver();
    const deadUrl = dead.url;
    await dead.close();
    const { api } = await startWith(kind, [{ name: 'dead', type: 'webhook', url: deadUrl, max_attempts: 3, backoff_base_ms: 5, backoff_max_ms: 20, events: ['session.ended'] }]);
    const runner = await registerRunner(api, ['w']);
    await endSession(api);
    // Meanwhile sessions are created, claimed and finished as usual.
    for (let i = 0; i < 5; i++) {
      const { session_id } = (await api('POST', '/v1/sessions', { executor: 'w', prompt: `p${i}` })).body;
      const { run } = await pollRun(api, runner);
      expect((await api('POST', `/v1/runs/${run.run_id}/finished`, { kind: 'succeeded', message: 'ok' }, runner.token)).status).toBe(200);
      expect((await api('GET', `/v1/sessions/${session_id}`)).body.status).toBe('idle');
    }
    const failed = await eventually(async () => {
      const page = await api('GET', '/v1/notifications?status=failed&limit=100');
      return page.body.notifications.length === 6 ? page.body.notifications : null;
    });
    for (const n of failed) {
      expect(n.attempts).toBe(3);
      expect(n.last_error).toMatch(/connection refused/);
      expect(n.last_error).not.toContain(deadUrl);
    }
  });

  it('a target that refuses (HTTP 400) fails at once; Retry-After is honoured', async () => {
    const hook = await receiver(() => ({ status: 400, body: 'bad payload' }));
    const { api } = await startWith(kind, [{ name: 'strict', type: 'webhook', url: hook.url, max_attempts: 5, events: ['session.ended'] }]);
    await endSession(api);
    const [n] = await eventually(async () => (await api('GET', '/v1/notifications?status=failed')).body.notifications.length === 1 ? (await api('GET', '/v1/notifications?status=failed')).body.notifications : null);
    expect(n).toMatchObject({ attempts: 1, last_error: 'HTTP 400: bad payload' });
  });

  it('events filter: only subscribed events, only the listed agents; no target wants an event, no row', async () => {
    const hook = await receiver();
    const { api } = await startWith(kind, [{ name: 'picky', type: 'webhook', url: hook.url, events: ['session.ended'], agents: ['wanted'] }]);
    await api('PUT', '/v1/agents/wanted', { name: 'wanted', system_prompt: 's' });
    await api('PUT', '/v1/agents/other', { name: 'other', system_prompt: 's' });
    await endSession(api, { agent: 'other' });
    const wanted = await endSession(api, { agent: 'wanted' });
    await hook.waitFor(1);
    const page = await eventually(async () => {
      const p = await api('GET', '/v1/notifications');
      return p.body.notifications.every((n: any) => n.status === 'delivered') ? p : null;
    });
    expect(page.body.notifications.map((n: any) => n.session_id)).toEqual([wanted]);
    expect(hook.received[0]!.json.data.agent).toBe('wanted');
  });

  it('tree.ended once, when the last session of a tree ends', async () => {
    const hook = await receiver();
    const { api } = await startWith(kind, [{ name: 'trees', type: 'webhook', url: hook.url, events: ['tree.ended'] }]);
    const runner = await registerRunner(api, ['t']);
    const root = (await api('POST', '/v1/sessions', { executor: 't', prompt: 'root' })).body.session_id;
    const { run: rootRun } = await pollRun(api, runner);
    const child = (await api('POST', '/v1/sessions', { executor: 't', prompt: 'child', parent_session_id: root })).body.session_id;
    expect(child).toMatch(/^ses_/);
    expect((await api('POST', `/v1/runs/${rootRun.run_id}/finished`, { kind: 'succeeded', message: 'ok' }, runner.token)).status).toBe(200);
    const { run: childRun } = await pollRun(api, runner);
    expect((await api('GET', '/v1/notifications')).body.notifications).toHaveLength(0);
    expect((await api('POST', `/v1/runs/${childRun.run_id}/finished`, { kind: 'succeeded', message: 'ok' }, runner.token)).status).toBe(200);
    await hook.waitFor(1);
    expect(hook.received[0]!.json).toMatchObject({ event: 'tree.ended', data: { root_session_id: root, status: 'succeeded', sessions: 2 } });
  });

  it('budget.exceeded once when a tree is stopped by its budget, with the stop reason', async () => {
    const hook = await receiver();
    const { api } = await startWith(kind, [{ name: 'money', type: 'webhook', url: hook.url, events: ['budget.exceeded'] }]);
    const runner = await registerRunner(api, ['b']);
    const { session_id } = (await api('POST', '/v1/sessions', { executor: 'b', prompt: 'spend', budget: { tokens: 100 } })).body;
    const { run } = await pollRun(api, runner);
    const usage = (seq: number, tokens: number) => ({ seq, event: { type: 'usage', input_tokens: tokens, output_tokens: 0 } });
    expect((await api('POST', `/v1/runs/${run.run_id}/events`, { events: [usage(1, 500)] }, runner.token)).status).toBe(200);
    await hook.waitFor(1);
    expect(hook.received[0]!.json).toMatchObject({
      event: 'budget.exceeded',
      data: { session_id, root_session_id: session_id, stop_reason: { reason: 'budget_exceeded', limit: 'tokens', session_id } },
    });
    // More spending of the stopped tree: no second notification.
    expect((await api('POST', `/v1/runs/${run.run_id}/events`, { events: [usage(2, 900)] }, runner.token)).status).toBe(200);
    expect((await api('POST', `/v1/runs/${run.run_id}/finished`, { kind: 'cancelled', message: 'stopped' }, runner.token)).status).toBe(200);
    await eventually(async () => ((await api('GET', '/v1/notifications')).body.notifications[0]?.status === 'delivered' ? true : null));
    expect((await api('GET', '/v1/notifications')).body.notifications).toHaveLength(1);
  });

  it('runner.offline once when a runner stops heartbeating past its lease', async () => {
    const hook = await receiver();
    const { api } = await startWith(kind, [{ name: 'ops', type: 'webhook', url: hook.url, events: ['runner.offline'] }], { timings: { leaseMs: 100, sweepIntervalMs: 20, heartbeatIntervalMs: 30 } });
    const runner = await registerRunner(api, ['gone']);
    await hook.waitFor(1);
    expect(hook.received[0]!.json).toMatchObject({ event: 'runner.offline', data: { runner_id: runner.runner_id, name: 'test-runner' } });
    // More sweeps, no second notification for the same silence.
    const sweeps = await eventually(async () => ((await api('GET', '/v1/notifications')).body.notifications[0]?.status === 'delivered' ? true : null));
    expect(sweeps).toBe(true);
    expect((await api('GET', '/v1/notifications')).body.notifications).toHaveLength(1);
  });

  it('GET /v1/notifications pages newest first and refuses bad queries naming the field', async () => {
    const hook = await receiver();
    const { api } = await startWith(kind, [{ name: 'pages', type: 'webhook', url: hook.url, events: ['session.ended'] }]);
    for (let i = 0; i < 5; i++) await endSession(api);
    await hook.waitFor(5);
    const first = await api('GET', '/v1/notifications?limit=2');
    expect(first.body.notifications).toHaveLength(2);
    const second = await api('GET', `/v1/notifications?limit=2&cursor=${first.body.next_cursor}`);
    const third = await api('GET', `/v1/notifications?limit=2&cursor=${second.body.next_cursor}`);
    expect(third.body.next_cursor).toBeNull();
    const ids = [...first.body.notifications, ...second.body.notifications, ...third.body.notifications].map((n: any) => n.id);
    expect(new Set(ids).size).toBe(5);
    for (const [query, field] of [['status=done', 'status'], ['limit=0', 'limit'], ['limit=x', 'limit'], ['cursor=abc', 'cursor'], ['cursor=1%27%3B--', 'cursor'], ['bogus=1', '(root)']] as const) {
      const res = await api('GET', `/v1/notifications?${query}`);
      expect(res.status, query).toBe(400);
      expect(JSON.stringify(res.body.error.details), query).toContain(field);
    }
  });

  it('questions can enqueue: question.asked becomes Telegram buttons whose callback_data decodes to the question and choice', async () => {
    const telegram = await receiver();
    const c = await startWith(kind, [{ name: 'tg', type: 'telegram', base_url: telegram.url, bot_token: { env: 'BOT_TOKEN' }, chat_ids: [7], events: ['question.asked', 'approval.needed'] }]);
    await c.coordinator.store.enqueueNotification(
      { event: 'question.asked', dedupeKey: 'question.asked:qst_abc', occurredAt: Date.now(), data: { question_id: 'qst_abc', question: 'Deploy <now>?', options: ['yes', 'no & wait'] } },
      Date.now(),
    );
    await c.coordinator.store.enqueueNotification(
      { event: 'approval.needed', dedupeKey: 'approval.needed:qst_def', occurredAt: Date.now(), data: { question_id: 'qst_def', tool: 'Bash', input: { command: 'rm -rf <x>' } } },
      Date.now(),
    );
    await telegram.waitFor(2);
    const byEvent = (needle: string) => telegram.received.find((r) => r.json.text.includes(needle))!.json;
    const question = byEvent('Question');
    expect(question.text).toContain('Deploy &lt;now&gt;?');
    const buttons = question.reply_markup.inline_keyboard.flat();
    expect(buttons.map((b: any) => b.text)).toEqual(['yes', 'no & wait']);
    expect(buttons.map((b: any) => decodeCallbackData(b.callback_data))).toEqual([
      { questionId: 'qst_abc', choice: { kind: 'option', index: 0 } },
      { questionId: 'qst_abc', choice: { kind: 'option', index: 1 } },
    ]);
    const approval = byEvent('Approval');
    expect(approval.text).toContain('rm -rf &lt;x&gt;');
    expect(approval.reply_markup.inline_keyboard.flat().map((b: any) => decodeCallbackData(b.callback_data)!.choice.kind)).toEqual(['allow', 'deny', 'always']);
  });
});

describe('no notification config', () => {
  it('stores no notification rows and answers an empty list', async () => {
    const c = await startTestCoordinator('sqlite');
    cleanups.push(c.stop);
    await endSession(c.api);
    expect((await c.api('GET', '/v1/notifications')).body).toEqual({ notifications: [], next_cursor: null });
  });
});
