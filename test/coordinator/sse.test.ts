import { afterEach, describe, expect, it } from 'vitest';
import { pollRun, registerRunner, startTestCoordinator } from './helpers.js';
import { sseReader } from './sse-frames.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('SSE event stream', () => {
  it('replays exactly the missed events after Last-Event-ID, in order, then streams live ones with keep-alives', async () => {
    const t = await startTestCoordinator('sqlite', { timings: { sseKeepAliveMs: 50 } });
    cleanups.push(t.stop);
    const { api, url } = t;
    const runner = await registerRunner(api, ['sse']);
    const { session_id } = (await api('POST', '/v1/sessions', { executor: 'sse', prompt: 'x' })).body;
    const { run } = await pollRun(api, runner);
    let seq = 0;
    const send = async (n: number) => {
      const events = Array.from({ length: n }, () => ({ seq: ++seq, event: { type: 'log', message: `line ${seq}` } }));
      expect((await api('POST', `/v1/runs/${run.run_id}/events`, { events }, runner.token)).status).toBe(200);
    };
    await send(5);
    const open = (headers: Record<string, string> = {}) =>
      fetch(`${url}/v1/sessions/${session_id}/events`, { headers: { accept: 'text/event-stream', ...headers } });

    const first = await open();
    expect(first.headers.get('content-type')).toBe('text/event-stream');
    const a = sseReader(first);
    cleanups.push(() => a.cancel().catch(() => {}));
    // The run's own status events (queued, claimed) come first: session seq 1 and 2.
    const got = await a.events(7);
    expect(got.map((e) => e.id)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(got.slice(0, 2).map((e) => [e.type, e.event.status])).toEqual([['run_status', 'queued'], ['run_status', 'claimed']]);
    expect(got[2]).toMatchObject({ seq: 3, run_id: run.run_id, run_seq: 1, type: 'log', event: { type: 'log', message: 'line 1' } });
    await a.cancel();

    await send(4); // missed while disconnected
    const b = sseReader(await open({ 'last-event-id': '7' }));
    cleanups.push(() => b.cancel().catch(() => {}));
    expect((await b.events(4)).map((e) => [e.seq, e.event.message])).toEqual([[8, 'line 6'], [9, 'line 7'], [10, 'line 8'], [11, 'line 9']]);
    let frame = await b.next();
    while (frame.comment !== 'keep-alive') frame = await b.next();
    await send(2); // live
    expect((await b.events(2)).map((e) => e.seq)).toEqual([12, 13]);
    await b.cancel();

    const bad = await open({ 'last-event-id': 'banana' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.message).toContain('Last-Event-ID');
  });
});
