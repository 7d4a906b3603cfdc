import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSession, useRunnerKit, waitForSession } from './runner-kit.js';

/** Most executors alive at once, from the start/end lines the marker fixture wrote (with ids checked). */
function maxOverlap(markerFile: string): { max: number; started: Set<string>; ended: Set<string> } {
  const lines = readFileSync(markerFile, 'utf8').trim().split('\n').map((l) => l.split(' '));
  const edges = lines.map(([what, , ns]) => ({ t: BigInt(ns!), d: what === 'start' ? 1 : -1 }));
  // At equal times count the end first: the lines bound each lifetime from inside.
  edges.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.d - b.d));
  let alive = 0;
  let max = 0;
  for (const e of edges) max = Math.max(max, (alive += e.d));
  const ids = (what: string) => new Set(lines.filter(([w]) => w === what).map(([, id]) => id!));
  return { max, started: ids('start'), ended: ids('end') };
}

describe('what a runner takes', () => {
  const kit = useRunnerKit();

  it('never runs more executors than --concurrency, with 50 runs queued', async () => {
    const { api, url } = await kit().coordinator();
    const markers = join(kit().dir, 'markers');
    // Queue everything before the runner exists, so it faces 50 claimable runs at once.
    const sessions = [];
    for (let i = 0; i < 50; i++) sessions.push(await createSession(api, { executor: 'marker', prompt: `p${i}` }));
    await kit().daemon(['-c', url, '-x', 'marker', '-n', '4'], { MARKER_FILE: markers, MARKER_SLEEP: '0.1' });
    for (const s of sessions) expect((await waitForSession(api, s.session_id, ['idle', 'failed'])).status).toBe('idle');

    const { max, started, ended } = maxOverlap(markers);
    expect(started.size).toBe(50);
    expect(ended).toEqual(started);
    expect(max).toBeLessThanOrEqual(4);
    expect(max).toBeGreaterThanOrEqual(2); // it does run several at once
  }, 180_000); // big work: 50 executors through one runner, seconds on a quiet machine, minutes on a busy one

  it('matches tags and executors: tagged runs go to the tagged runner, other executors to the runner that has them', async () => {
    const { api, url } = await kit().coordinator({ args: ['--placement-timeout', '1s', '--sweep-interval', '100ms'] });
    const gpu = await kit().daemon(['-c', url, '-x', 'test-executor', '-t', 'gpu,linux', '-n', '8']);
    const plain = await kit().daemon(['-c', url, '-x', 'test-executor,sh-echo', '-n', '8']);
    const idOf = async (p: typeof gpu) => (await p.waitForLog((l) => l.msg === 'registered with the coordinator', 'registration')).runner;
    const [gpuId, plainId] = [await idOf(gpu), await idOf(plain)];

    const tagged = [];
    const shell = [];
    for (let i = 0; i < 10; i++) {
      tagged.push(await createSession(api, { executor: 'test-executor', tags: ['gpu'], prompt: `t${i}` }));
      shell.push(await createSession(api, { executor: 'sh-echo', prompt: `s${i}` }));
    }
    const both = await createSession(api, { executor: 'test-executor', tags: ['gpu', 'linux'], prompt: 'both' });
    const nobody = await createSession(api, { executor: 'test-executor', tags: ['tpu'], prompt: 'none' });

    for (const s of [...tagged, both]) expect(await waitForSession(api, s.session_id, ['idle', 'failed'])).toMatchObject({ status: 'idle', runner_id: gpuId });
    for (const s of shell) expect(await waitForSession(api, s.session_id, ['idle', 'failed'])).toMatchObject({ status: 'idle', runner_id: plainId });
    // A tag no runner has: nobody takes it and it fails after the placement timeout, saying what was asked.
    const failed = await waitForSession(api, nobody.session_id, ['idle', 'failed']);
    expect(failed).toMatchObject({ status: 'failed', runner_id: null });
    const run = (await api('GET', `/v1/runs/${nobody.run_id}`)).body;
    expect(run.error ?? JSON.stringify(run.outcome)).toContain('tpu');
  });
});
