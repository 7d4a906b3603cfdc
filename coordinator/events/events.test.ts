import { describe, expect, it } from 'vitest';
import { frameSseComment, frameSseMessage, parseLastEventId } from './sse-frame.js';
import { waitForSignal, WakeHub } from './wake-hub.js';

describe('SSE framing', () => {
  it('splits multi-line data and refuses line breaks in id and event', () => {
    expect(frameSseMessage({ id: '3', data: 'a\nb\r\nc' })).toBe('id: 3\ndata: a\ndata: b\ndata: c\n\n');
    expect(frameSseMessage({ event: 'x', data: '{}' })).toBe('event: x\ndata: {}\n\n');
    expect(() => frameSseMessage({ id: '1\n2', data: '' })).toThrow('line break');
    expect(frameSseComment('keep\nalive')).toBe(': keep alive\n\n');
  });

  it('parses Last-Event-ID', () => {
    expect(parseLastEventId('17')).toBe(17);
    expect(parseLastEventId(undefined)).toBeNull();
    expect(parseLastEventId('abc')).toBeNull();
  });
});

describe('WakeHub', () => {
  it('wakes waiters on a topic, times out otherwise, and cleans up', async () => {
    const hub = new WakeHub();
    const woken = waitForSignal(hub, ['runs', 'runner:1'], 10_000);
    expect(hub.waiting('runner:1')).toBe(1);
    hub.signal('runner:1');
    expect(await woken.promise).toBe('runner:1');
    expect(hub.waiting('runs')).toBe(0);
    expect(await waitForSignal(hub, ['runs'], 5).promise).toBeNull();
    const controller = new AbortController();
    const aborted = waitForSignal(hub, ['runs'], 10_000, controller.signal);
    controller.abort();
    expect(await aborted.promise).toBeNull();
    expect(hub.waiting('runs')).toBe(0);
  });
});
