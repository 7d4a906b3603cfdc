import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Api } from '../coordinator/helpers.js';
import { startRecordingProxy } from './recording-proxy.js';
import { allEvents, createSession, useRunnerKit, waitForSession } from './runner-kit.js';

// A runner sends what it has to report on runs that ended with its next long-poll (one request instead
// of a poll and a report), and, told that another runner's poll waits, holds that poll back a little for
// its runs to end. Real runners, a real coordinator, real executor processes.

/** Runs one after another: each is created once the one before ended. */
const RUNS = 8;

const reportsVia = async (api: Api) => {
  const text = (await api('GET', '/metrics')).body as string;
  const count = (via: string) => Number(new RegExp(`agent_coordinator_run_reports_total\\{via="${via}"\\} (\\d+)`).exec(text)?.[1]);
  return { poll: count('poll'), request: count('request') };
};

/**
 * Create RUNS sessions one after another; each must end idle with its result, on its first attempt. The
 * executor (gate-exit, no gate) prints its result and exits: the runner holds its start back for that
 * and the result for the exit, so the run's whole report is ready at once (an executor that prints an
 * event earlier has that part sent at once, and a poll never carries a run part of which is on its way).
 */
async function runOneAfterAnother(api: Api): Promise<void> {
  for (let i = 0; i < RUNS; i++) {
    const { session_id, run_id } = await createSession(api, { executor: 'gate-exit', prompt: `prompt ${i}` });
    const session = await waitForSession(api, session_id, ['idle', 'failed']);
    expect(session.status, JSON.stringify(session)).toBe('idle');
    const events = await allEvents(api, session_id);
    expect(events.filter((e) => e.type === 'result')).toHaveLength(1);
    const runs = (await api('GET', `/v1/runs/${run_id}`)).body;
    expect(runs).toMatchObject({ status: 'succeeded', attempt: 1 });
  }
}

/** Every run's report reached the coordinator (the sessions ended), some of them with a poll. */
async function expectSomeCarried(api: Api): Promise<void> {
  const via = await reportsVia(api);
  expect(via.poll).toBeGreaterThan(0);
  expect(via.poll + via.request).toBeGreaterThanOrEqual(RUNS);
}

describe('reports carried by the long-poll', () => {
  const kit = useRunnerKit();

  it('a runner whose slots were all busy sends an ended run\'s reports with its next poll; every run ends once, with its events', async () => {
    const { api, url } = await kit().coordinator();
    await kit().daemon(['-c', url, '-x', 'gate-exit', '-n', '1']);
    await runOneAfterAnother(api);
    await expectSomeCarried(api);
  });

  it('a runner given a run while another runner\'s poll waits holds its next poll for the run to end, and sends the reports with it', async () => {
    const { api, url } = await kit().coordinator();
    // Two slots each: without the hold, a runner given one run polls again at once (a slot is free) and
    // the run's reports go alone.
    await kit().daemon(['-c', url, '-x', 'gate-exit', '-n', '2']);
    await kit().daemon(['-c', url, '-x', 'gate-exit', '-n', '2']);
    await runOneAfterAnother(api);
    await expectSomeCarried(api);
  });
  it('a carried poll refused for what it carries (413) is sent again at once without it, and the reports arrive by themselves', async () => {
    const { api, url } = await kit().coordinator();
    const proxy = await startRecordingProxy(url);
    try {
      const gate = join(kit().dir, 'gate');
      // One slot: the runner polls again only once the run's executor ended, and that poll carries the run's report.
      await kit().daemon(['-c', proxy.url, '-x', 'gate-exit', '-n', '1'], { GATE_FILE: gate });
      const { session_id, run_id } = await createSession(api, { executor: 'gate-exit', prompt: 'x' });
      await waitForSession(api, session_id, ['running']);
      proxy.failNext((req) => req.path.endsWith('/next-run'), 413, { error: { code: 'payload_too_large', message: 'request body larger than 1 bytes' } });
      const before = proxy.requests.length;
      writeFileSync(gate, '');
      expect((await waitForSession(api, session_id, ['idle', 'failed'])).status).toBe('idle');
      expect((await api('GET', `/v1/runs/${run_id}`)).body).toMatchObject({ status: 'succeeded', attempt: 1 });
      const after = proxy.requests.slice(before).map((r) => `${r.path.split('/').pop()} ${r.status ?? '…'}${r.injected ? ' (refused by the proxy)' : ''}`);
      // The refused poll, then one without the reports (waiting), and the reports alone.
      expect(after[0]).toBe('next-run 413 (refused by the proxy)');
      expect(after).toContain('reports 200');
      expect(after.filter((r) => r.startsWith('next-run'))).toEqual(['next-run 413 (refused by the proxy)', 'next-run …']);
    } finally {
      await proxy.close();
    }
  });

  it('a carried poll whose answer is lost after the coordinator acted: its run comes back, the reports are sent again and skipped, nothing is doubled', async () => {
    const { api, url } = await kit().coordinator();
    const proxy = await startRecordingProxy(url);
    try {
      const gate = join(kit().dir, 'gate');
      await kit().daemon(['-c', proxy.url, '-x', 'gate-exit', '-n', '1'], { GATE_FILE: gate });
      const first = await createSession(api, { executor: 'gate-exit', prompt: 'first' });
      await waitForSession(api, first.session_id, ['running']);
      // The poll that carries the first run's report waits for work; its answer (the second run and the report's result) is cut.
      const dropped = proxy.dropNextAnswer((req) => req.path.endsWith('/next-run'), (body) => body.includes('"report_results"') && body.includes('"run_id"'));
      writeFileSync(gate, '');
      expect((await waitForSession(api, first.session_id, ['idle', 'failed'])).status).toBe('idle');
      const second = await createSession(api, { executor: 'gate-exit', prompt: 'second' });
      await dropped;
      expect((await waitForSession(api, second.session_id, ['idle', 'failed'])).status).toBe('idle');
      for (const { session_id, run_id } of [first, second]) {
        expect((await api('GET', `/v1/runs/${run_id}`)).body).toMatchObject({ status: 'succeeded', attempt: 1 });
        const events = await allEvents(api, session_id);
        expect(events.filter((e) => e.type === 'run_status').map((e) => e.event.status)).toEqual(['queued', 'claimed', 'running', 'succeeded']);
        expect(events.filter((e) => e.type === 'result')).toHaveLength(1);
      }
      // Two runs, two executors: the lost answer's run was given back to the same poll's retry, not run twice.
      expect(kit().executorPids().length).toBeLessThanOrEqual(2);
      expect((await reportsVia(api)).request).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  });
});
