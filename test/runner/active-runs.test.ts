import { describe, expect, it } from 'vitest';
import { ActiveRuns } from '../../lib/runner/active-runs.js';

describe('ActiveRuns', () => {
  it('counts a run as executing until its executor ended, and holds it until removed', () => {
    const runs = new ActiveRuns();
    const first = runs.add('run_1', 'ses_a');
    runs.add('run_2', 'ses_b');
    expect(runs.executingCount()).toBe(2);
    first.executorEnded = true;
    expect(runs.executingCount()).toBe(1);
    expect(runs.ids).toEqual(['run_1', 'run_2']);
    expect(runs.remove('run_1', first)).toBe(true);
    expect(runs.ids).toEqual(['run_2']);
  });

  it('does not let an earlier attempt remove the later one that replaced it', () => {
    const runs = new ActiveRuns();
    const earlier = runs.add('run_1', 'ses_a');
    const later = runs.add('run_1', 'ses_a');
    expect(runs.remove('run_1', earlier)).toBe(false);
    expect(runs.size).toBe(1);
    expect(runs.remove('run_1', later)).toBe(true);
    expect(runs.size).toBe(0);
  });

  it('knows which attempt of a run it holds, until the run is removed', () => {
    const runs = new ActiveRuns();
    const run = runs.add('run_1', 'ses_a', 2);
    run.executorEnded = true;
    expect(runs.holds('run_1', 2)).toBe(true);
    expect(runs.holds('run_1', 1)).toBe(false);
    expect(runs.holds('run_2', 2)).toBe(false);
    runs.remove('run_1', run);
    expect(runs.holds('run_1', 2)).toBe(false);
  });

  it('finds the executing run of a session, not an ended or cancelled one', () => {
    const runs = new ActiveRuns();
    const ended = runs.add('run_1', 'ses_a');
    ended.executorEnded = true;
    expect(runs.executingRunOf('ses_a')).toBeUndefined();
    runs.add('run_2', 'ses_a');
    expect(runs.executingRunOf('ses_a')).toBe('run_2');
    runs.cancel('run_2');
    expect(runs.executingRunOf('ses_a')).toBeUndefined();
  });

  it('cancels a run once, and never one that ended or is unknown', () => {
    const runs = new ActiveRuns();
    const run = runs.add('run_1', 'ses_a');
    expect(runs.cancel('run_1')).toBe(true);
    expect(run.controller.signal.aborted).toBe(true);
    expect(runs.cancel('run_1')).toBe(false);
    expect(runs.cancel('run_9')).toBe(false);
    const ended = runs.add('run_2', 'ses_b');
    ended.executorEnded = true;
    expect(runs.cancel('run_2')).toBe(false);
    runs.cancelAll();
    expect(ended.controller.signal.aborted).toBe(true);
  });

  it('settles once every run held now has settled', async () => {
    const runs = new ActiveRuns();
    let finish!: () => void;
    runs.add('run_1', 'ses_a').settled = new Promise<void>((resolve) => (finish = resolve));
    let settled = false;
    const all = runs.settled().then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    finish();
    await all;
    expect(settled).toBe(true);
  });
});
