import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../protocol/events.js';
import { renderEvents } from './render-events.js';

const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>"\'&';

function event(type: string, data: Record<string, unknown>, extra: Partial<SessionEvent> = {}): SessionEvent {
  return { seq: 7, session_id: 'ses_1', run_id: 'run_1', run_seq: 1, type, event: { ...data, type }, created_at: '2026-12-02T06:00:00.000Z', ...extra };
}

const render = async (events: SessionEvent[]) => String(await renderEvents(events));

describe('the event feed’s rendering', () => {
  it('escapes what agents wrote in every kind of event, markdown included', async () => {
    const out = await render([
      event('message', { role: 'assistant', text: `hello ${HOSTILE} [x](javascript:alert(3)) **bold**` }),
      event('tool_call', { name: HOSTILE, input: { cmd: HOSTILE } }),
      event('tool_result', { name: 'bash', output: HOSTILE, is_error: true }),
      event('progress', { message: HOSTILE, percent: 50 }),
      event('result', { result_text: HOSTILE, result_data: { html: HOSTILE } }),
      event('log', { message: HOSTILE, level: 'error' }),
      event('run_status', { status: 'failed', attempt: 1, runner_id: 'rnr_1', message: HOSTILE }),
      event(`x<b>y`, { anything: HOSTILE }),
      event('message', { role: 'assistant', text: 'from a child' }, { depth: 2, agent: HOSTILE }),
    ]);
    expect(out).not.toMatch(/<img|<script|<b>y|href="javascript/i);
    expect(out).toContain('&lt;script&gt;');
    expect(out).toContain('<strong>bold</strong>');
  });

  it('folds tool calls and results, and keeps each event’s seq', async () => {
    const out = await render([event('tool_call', { name: 'bash', input: { cmd: 'ls' } })]);
    expect(out).toContain('<details>');
    expect(out).toContain('data-seq="7"');
    expect(out).toContain('&quot;cmd&quot;: &quot;ls&quot;');
  });

  it('opens links without a referrer and never as script', async () => {
    const out = await render([event('message', { role: 'assistant', text: 'see https://example.com and [y](vbscript:x) and [d](data:text/html,x)' })]);
    expect(out).toContain('rel="noopener noreferrer nofollow"');
    expect(out).not.toMatch(/href="(vbscript|data):/);
  });
});
