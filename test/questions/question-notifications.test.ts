import { afterEach, describe, expect, it } from 'vitest';
import { parseNotifyConfig } from '../../coordinator/notify/notify-config.js';
import { outboxPlanOf } from '../../coordinator/notify/outbox-routes.js';
import { openFreshStore, STORE_KINDS } from '../coordinator/helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const config = parseNotifyConfig(
  JSON.stringify({
    targets: [
      { name: 'people', type: 'webhook', url: 'http://127.0.0.1:1/a', events: ['question.asked', 'approval.needed'] },
      { name: 'ends', type: 'webhook', url: 'http://127.0.0.1:1/b', events: ['tree.ended'] },
    ],
  }),
  'n.json',
  {},
);
const base = { agent: null, executor: 'test', tags: [], project_dir: null, parent_session_id: null, priority: 0, timeout_s: null, prompt: 'hi', max_attempts: 1 };
const question = { kind: 'question' as const, question: 'Which?', options: ['a', 'b'], details: 'md', urgency: 'high' as const, subject: null, wait: false, timeout_s: null, on_timeout: null };

describe.each(STORE_KINDS)('questions into the notifications outbox (%s)', (kind) => {
  it('question.asked and approval.needed are enqueued with the question; the tree has not ended while one is open', async () => {
    const { store, close } = await openFreshStore(kind);
    cleanups.push(close);
    let now = 1_000;
    await store.registerRunner({ id: 'r1', name: 'r1', hostname: null, executors: ['test'], tags: [], capacity: 9, metadata: null }, 'hash', now);
    const { session, run } = await store.createSession(base, ++now);
    expect((await store.askQuestion(session.id, question, ++now)).question).not.toBeNull();
    store.setOutboxPlan(outboxPlanOf(config));
    const asked = (await store.askQuestion(session.id, question, ++now)).question!;
    const approval = (await store.askQuestion(session.id, { ...question, kind: 'approval', question: 'Allow Bash?', options: null, subject: { tool: 'Bash', input: { command: 'ls' } }, on_timeout: 'deny' }, ++now)).question!;
    const page = await store.listNotifications({}, { limit: 10, before: null });
    const mine = page.notifications.map((n) => ({ event: n.event, target: n.target, session_id: n.session_id, data: n.data })).reverse();
    expect(mine).toEqual([
      { event: 'question.asked', target: 'people', session_id: session.id, data: { question_id: asked.id, session_id: session.id, agent: null, root_session_id: session.id, question: 'Which?', options: ['a', 'b'], details: 'md', urgency: 'high' } },
      { event: 'approval.needed', target: 'people', session_id: session.id, data: { question_id: approval.id, session_id: session.id, agent: null, root_session_id: session.id, tool: 'Bash', input: { command: 'ls' }, question: 'Allow Bash?', details: 'md' } },
    ]);
    // The run ends with questions open (wait: false): the tree is not over, no tree.ended.
    expect((await store.claimNextRun({ id: 'r1', executors: ['test'], tags: [] }, ++now))?.id).toBe(run.id);
    await store.startRun(run.id, 'r1', ++now);
    await store.finishRun(run.id, 'r1', { kind: 'succeeded', message: 'ok' }, ++now, { baseMs: 100, maxMs: 1_000, leaseMs: 30_000 });
    expect((await store.listNotifications({}, { limit: 10, before: null })).notifications.filter((n) => n.event === 'tree.ended')).toEqual([]);
  });
});
