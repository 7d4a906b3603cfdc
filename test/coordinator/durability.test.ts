import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { apiClient, pollRun, registerRunner } from './helpers.js';
import { type SpawnedCoordinator, spawnCoordinator } from './spawn-coordinator.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('durability (SQLite)', () => {
  it('kill -9 while events stream in: after a restart every acknowledged event and queued run is still there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coord-durable-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const args = ['--database-url', join(dir, 'coordinator.db')];
    const start = async () => {
      const c = await spawnCoordinator(args);
      cleanups.push(() => c.stop('SIGKILL'));
      return c;
    };
    const first: SpawnedCoordinator = await start();
    const api = apiClient(first.url);
    const runner = await registerRunner(api, ['durable']);
    const queued: string[] = [];
    for (let i = 0; i < 20; i++) queued.push((await api('POST', '/v1/sessions', { executor: 'other', prompt: `q${i}` })).body.run_id);
    const { session_id } = (await api('POST', '/v1/sessions', { executor: 'durable', prompt: 'stream' })).body;
    const { run } = await pollRun(api, runner);

    // Stream batches from concurrent senders; kill -9 the coordinator once 40 batches are acknowledged.
    let acked = 0;
    const ackedSeqs: number[] = [];
    let nextSeq = 0;
    let killed = false;
    const sender = async () => {
      while (!killed) {
        const seqs = Array.from({ length: 25 }, () => ++nextSeq);
        const events = seqs.map((seq) => ({ seq, event: { type: 'log', message: `e${seq}` } }));
        try {
          const res = await api('POST', `/v1/runs/${run.run_id}/events`, { events }, runner.token);
          expect(res.status).toBe(200);
          ackedSeqs.push(...seqs);
          if (++acked === 40) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        } catch {
          return; // connection reset by the kill: not acknowledged
        }
      }
    };
    // Three senders, so requests are in flight when the process dies.
    await Promise.all([sender(), sender(), sender()]);
    await first.stop('SIGKILL');

    const second = await start();
    const api2 = apiClient(second.url);
    const stored: number[] = [];
    for (let after = 0; ; ) {
      const page = (await api2('GET', `/v1/sessions/${session_id}/events?after=${after}&limit=1000`)).body;
      if (page.events.length === 0) break;
      for (const e of page.events) stored.push(e.run_seq);
      after = page.next_after;
    }
    expect(acked).toBeGreaterThanOrEqual(40); // responses already on the wire when the signal landed count too
    for (const seq of ackedSeqs) expect(stored).toContain(seq);
    expect(new Set(stored).size).toBe(stored.length);
    for (const id of queued) expect((await api2('GET', `/v1/runs/${id}`)).body.status).toBe('queued');
  });
});
