import { describe, expect, it } from 'vitest';
import { ChangeBuffer, decodeChanges, encodeChanges, presencePayload, type StoreChange } from './store-changes.js';

const event = (seq: number) => ({ session_id: 'ses_a', seq, run_id: 'run_a', run_seq: seq, type: 'message', data: { type: 'message', text: 'hi' }, created_at: 1 });

describe('store changes on the wire (NOTIFY payloads)', () => {
  it('round-trips every kind of change without its events, and a process never hears its own', () => {
    const changes: StoreChange[] = [
      { kind: 'events', session_id: 'ses_a', events: [event(1)] },
      { kind: 'claimable', requirement: { executor: 'sh', tags: ['gpu'], excluded_runners: ['rnr_x'] } },
      { kind: 'claimable', requirement: { executor: null, tags: [] } },
      { kind: 'runner', runner_id: 'rnr_y' },
      { kind: 'question', question_id: 'q_1', session_id: 'ses_a' },
    ];
    const [payload, ...more] = encodeChanges('host:1:abc', changes);
    expect(more).toEqual([]);
    expect(decodeChanges('host:2:def', payload!)).toEqual({
      sender: 'host:1:abc',
      changes: [
        { kind: 'events', session_id: 'ses_a' },
        { kind: 'claimable', requirement: { executor: 'sh', tags: ['gpu'], excluded_runners: ['rnr_x'] } },
        { kind: 'claimable', requirement: { executor: null, tags: [], excluded_runners: [] } },
        { kind: 'runner', runner_id: 'rnr_y' },
        { kind: 'question', question_id: 'q_1', session_id: 'ses_a' },
      ],
    });
    expect(decodeChanges('host:1:abc', payload!)).toBeNull();
  });

  it('splits many changes over payloads under PostgreSQL\'s 8,000-byte limit, each with the sender', () => {
    const changes: StoreChange[] = Array.from({ length: 1_000 }, (_, i) => ({ kind: 'events', session_id: `ses_${String(i).padStart(20, '0')}` }));
    const payloads = encodeChanges('me', changes);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8_000);
    expect(payloads.flatMap((p) => decodeChanges('other', p)!.changes)).toHaveLength(1_000);
  });

  it('skips hostile or foreign lines and payloads, keeps the good ones', () => {
    expect(decodeChanges('me', '')).toBeNull();
    expect(decodeChanges('me', 'just-a-topic')).toBeNull();
    expect(decodeChanges('me', 'session:ses_x')).toBeNull(); // the old single-topic format: no change lines
    const mixed = ['peer', 'not json', '{"kind":"events"}', '{"kind":"events","session_id":7}', '{"kind":"claimable","requirement":{"executor":1,"tags":[]}}',
      '{"kind":"claimable","requirement":{"executor":"sh","tags":"gpu"}}', '{"kind":"runner","runner_id":"rnr_ok"}', '{"kind":"__proto__"}', 'null'].join('\n');
    expect(decodeChanges('me', mixed)).toEqual({ sender: 'peer', changes: [{ kind: 'runner', runner_id: 'rnr_ok' }] });
    expect(decodeChanges('me', presencePayload('peer'))).toEqual({ sender: 'peer', changes: [] });
  });
});

describe('ChangeBuffer (one transaction\'s changes)', () => {
  it('merges the events of a session in order, announces a runner once, keeps one claimable change per run', () => {
    const buffer = new ChangeBuffer();
    buffer.add({ kind: 'events', session_id: 'ses_a', events: [event(1)] });
    buffer.add({ kind: 'runner', runner_id: 'r' });
    buffer.add({ kind: 'events', session_id: 'ses_a', events: [event(2), event(3)] });
    buffer.add({ kind: 'runner', runner_id: 'r' });
    buffer.add({ kind: 'claimable', requirement: { executor: 'sh', tags: [] } });
    buffer.add({ kind: 'claimable', requirement: { executor: 'sh', tags: [] } });
    const taken = buffer.take();
    expect(taken.map((c) => c.kind)).toEqual(['events', 'runner', 'claimable', 'claimable']);
    expect((taken[0] as { events: Array<{ seq: number }> }).events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(buffer.size).toBe(0);
  });
});
