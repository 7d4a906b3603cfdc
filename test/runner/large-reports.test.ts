import { describe, expect, it } from 'vitest';
import { allEvents, createSession, useRunnerKit, waitForSession } from './runner-kit.js';

// The coordinator refuses a request body over its limit (413). The runner's report batches must then
// be split, not dropped: an outcome or an event lost that way would be lost for good.
/** A megabyte of events split into requests that fit: seconds on a quiet machine, far more on a busy one. */
const BIG_WORK_MS = 90_000;

describe('reports larger than the coordinator accepts in one request', () => {
  const kit = useRunnerKit();

  it('are sent in halves until they fit: every event arrives, in order', async () => {
    const { api, url } = await kit().coordinator({ args: ['--max-body-bytes', '65536'] });
    // ~1 MB of 200-character messages: a 500-event batch is ~115 KB, over the 64 KB limit.
    await kit().daemon(['-c', url, '-x', 'flood'], { FLOOD_MB: '1' });
    const { session_id } = await createSession(api, { executor: 'flood', prompt: 'x' });
    const session = await waitForSession(api, session_id, ['idle', 'failed'], BIG_WORK_MS);
    expect(session.status).toBe('idle');
    const lines = Number(session.result!.result_text);
    expect(lines).toBeGreaterThan(4_000);
    const events = (await allEvents(api, session_id)).filter((e) => e.run_seq > 0);
    expect(events.filter((e) => e.type === 'message')).toHaveLength(lines);
    expect(events.map((e) => e.run_seq)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
  }, 2 * BIG_WORK_MS);

  it('an event too large for any request is dropped with an error naming it; the rest of the run arrives', async () => {
    const { api, url } = await kit().coordinator({ args: ['--max-body-bytes', '65536'] });
    const daemon = await kit().daemon(['-c', url, '-x', 'big-line'], { BIG_BYTES: '100000' });
    const { session_id } = await createSession(api, { executor: 'big-line', prompt: 'x' });
    expect((await waitForSession(api, session_id, ['idle', 'failed'])).status).toBe('idle');
    const texts = (await allEvents(api, session_id)).filter((e) => e.type === 'message').map((e) => e.event.text);
    expect(texts).toEqual(['before', 'after']);
    const refused = await daemon.waitForLog((l) => l.msg === 'the coordinator refused these reports; dropping them', 'the refusal');
    expect(refused).toMatchObject({ dropped: 1 });
    expect(String(refused.err)).toMatch(/larger than 65536 bytes/);
  });
});
