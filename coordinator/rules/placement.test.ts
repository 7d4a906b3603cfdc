import { describe, expect, it } from 'vitest';
import { WaitingSchema } from '../../protocol/sessions.js';
import { decideFinish } from './finish-decision.js';
import { runnerCanServe, runnerMatches } from './matching.js';
import { explainWaiting, MAX_WAITING_RUNNERS, unplaceableReason } from './placement.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const run = (over: Partial<Parameters<typeof explainWaiting>[0]> = {}) => ({
  id: 'run_1', executor: 'x', tags: [] as string[], excluded_runners: [] as string[], attempt: 1, max_attempts: 3,
  queued_at: NOW, available_at: NOW, ...over,
});
const runner = (id: string, executors: string[], tags: string[] = []) => ({ id, name: `name-${id}`, executors, tags });

describe('placement: which runner may take a run', () => {
  it('a runner the run is excluded from never serves it, though it matches', () => {
    const r = runner('rnr_a', ['x']);
    expect(runnerMatches(run({ excluded_runners: ['rnr_a'] }), r)).toBe(true);
    expect(runnerCanServe(run({ excluded_runners: ['rnr_a'] }), r)).toBe(false);
    expect(runnerCanServe(run({ excluded_runners: ['rnr_b'] }), r)).toBe(true);
    // An offer without an id (a bare capability check) is not subject to exclusions.
    expect(runnerCanServe(run({ excluded_runners: ['rnr_a'] }), { executors: ['x'], tags: [] })).toBe(true);
  });

  it('says why nothing can take it: none online, none serves (listing what they serve), or only runners it failed on', () => {
    expect(unplaceableReason(run({ tags: ['gpu'] }), [])).toBe('no runner is online to serve executor "x" with tags [gpu]');
    expect(unplaceableReason(run(), [runner('rnr_a', ['y', 'z'], ['linux']), runner('rnr_b', [])])).toBe(
      'no online runner serves executor "x" (online: rnr_a serves executors [y, z], tags [linux]; rnr_b serves executors [none], tags [none])',
    );
    expect(unplaceableReason(run({ excluded_runners: ['rnr_a'] }), [runner('rnr_a', ['x']), runner('rnr_b', ['y'])])).toBe(
      'no other online runner serves executor "x" (its executor exited 75 on rnr_a)',
    );
    expect(unplaceableReason(run(), [runner('rnr_a', ['x'])])).toBeNull();
  });

  it('lists at most MAX_WAITING_RUNNERS runners in the sentence and the view, counting the rest', () => {
    const many = Array.from({ length: MAX_WAITING_RUNNERS + 5 }, (_, i) => runner(`rnr_${i}`, ['y']));
    expect(unplaceableReason(run(), many)).toMatch(/; and 5 more\)$/);
    const waiting = explainWaiting(run(), [...many, runner('rnr_x', ['x'])], NOW, 1_000);
    expect(waiting.runners).toHaveLength(MAX_WAITING_RUNNERS);
    expect(waiting.runners_online).toBe(MAX_WAITING_RUNNERS + 6);
    // The one that serves it comes first.
    expect(waiting.runners[0]).toMatchObject({ runner_id: 'rnr_x', serves: true, excluded: false });
  });
});

describe('explainWaiting', () => {
  it('no runner online: says what was asked and when it fails; a valid WaitingSchema', () => {
    const waiting = explainWaiting(run({ tags: ['gpu'] }), [], NOW, 600_000);
    expect(WaitingSchema.parse(waiting)).toEqual(waiting);
    expect(waiting).toMatchObject({
      run_id: 'run_1', reason: 'no_runner_online', executor: 'x', tags: ['gpu'], runners: [], runners_online: 0,
      fails_at: '2026-01-01T00:10:00.000Z',
      message: 'no runner is online to serve executor "x" with tags [gpu]; it fails at 2026-01-01T00:10:00Z unless one comes (placement timeout 10m)',
    });
  });

  it('online runners that serve other executors: lists them; with placement timeout 0 it fails now', () => {
    const waiting = explainWaiting(run(), [runner('rnr_a', ['y'])], NOW, 0);
    expect(waiting.reason).toBe('no_runner_serves');
    expect(waiting.message).toBe('no online runner serves executor "x" (online: rnr_a serves executors [y], tags [none]); the placement timeout is 0, so it fails now');
    expect(waiting.runners).toEqual([{ runner_id: 'rnr_a', name: 'name-rnr_a', executors: ['y'], tags: [], serves: false, excluded: false }]);
  });

  it('a retry in its backoff, and a run a runner serves (busy), are not placement problems', () => {
    const later = explainWaiting(run({ attempt: 2, available_at: NOW + 1_500, excluded_runners: ['rnr_a'] }), [runner('rnr_a', ['x']), runner('rnr_b', ['x'])], NOW, 1_000);
    expect(later).toMatchObject({ reason: 'retry_backoff', fails_at: null, excluded_runners: ['rnr_a'] });
    expect(later.message).toBe('attempt 2 of 3 waits for its retry delay, until 2026-01-01T00:00:01.500Z');
    expect(later.runners.map((r) => [r.runner_id, r.serves, r.excluded])).toEqual([['rnr_b', true, false], ['rnr_a', false, true]]);
    const busy = explainWaiting(run(), [runner('rnr_a', ['x'])], NOW, 1_000);
    expect(busy).toMatchObject({ reason: 'runner_busy', message: '1 online runner can serve it (rnr_a); waiting for a free slot', fails_at: null });
  });
});

describe('decideFinish with placement', () => {
  const backoff = { baseMs: 100, maxMs: 1_000, random: () => 1 };
  it('a retry no runner may take is not made: the run fails, marked unplaceable', () => {
    expect(decideFinish('infra_failed', { attempt: 1, max_attempts: 3, placeable: false }, NOW, backoff)).toEqual({ status: 'failed', retry: null, unplaceable: true });
    expect(decideFinish('infra_failed', { attempt: 1, max_attempts: 3, placeable: true }, NOW, backoff)).toEqual({ status: 'queued', retry: { availableAt: NOW + 100, attempt: 2 } });
    // Out of attempts, or asked to stop: as before, whatever placement says.
    expect(decideFinish('infra_failed', { attempt: 3, max_attempts: 3, placeable: false }, NOW, backoff)).toEqual({ status: 'failed', retry: null });
    expect(decideFinish('infra_failed', { attempt: 1, max_attempts: 3, placeable: false, stop_requested: true }, NOW, backoff)).toEqual({ status: 'cancelled', retry: null });
    expect(decideFinish('failed', { attempt: 1, max_attempts: 3, placeable: false }, NOW, backoff)).toEqual({ status: 'failed', retry: null });
  });
});
