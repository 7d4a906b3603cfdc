import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/fixtures.js';
import { type OutboxItem, ReportOutbox } from './report-outbox.js';
import { toRunReports } from './run-reports.js';

let dir: { dir: string; cleanup: () => void };
const outboxes: ReportOutbox[] = [];
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  for (const o of outboxes.splice(0)) o.close();
  dir.cleanup();
});

const message = (text: string) => ({ type: 'message' as const, role: 'assistant' as const, text });
const result = (text: string) => ({ type: 'result' as const, result_text: text });
/** An event item's [run, seq, text]; other items as [run, kind]. */
const show = (i: OutboxItem) => (i.kind === 'event' ? [i.run_id, i.seq, i.event.type === 'message' ? i.event.text : i.event.type === 'result' ? i.event.result_text : ''] : [i.run_id, i.kind]);
const seqOf = (i: OutboxItem) => (i.kind === 'event' ? i.seq : NaN);
const textOf = (i: OutboxItem) => (i.kind === 'event' && i.event.type === 'message' ? i.event.text : '');
const outcome = (kind: 'succeeded' | 'failed') => ({
  kind, exit_code: kind === 'succeeded' ? 0 : 1, signal: null, duration_ms: 5, stderr_tail: '', result: null,
  executor_session_id: null, forcefully_killed: false, left_processes_behind: false, message: kind,
});

/** A coordinator stand-in whose availability the test switches; it records what it accepted. */
function receiver() {
  const received: OutboxItem[] = [];
  const batches: number[] = [];
  const state = { up: true, failures: 0 };
  const send = async (batch: OutboxItem[]) => {
    if (!state.up) {
      state.failures += 1;
      throw new Error('connection refused');
    }
    batches.push(batch.length);
    received.push(...batch);
  };
  return { received, batches, state, send };
}

/** One turn of the event loop (an idle outbox sends what was noted at the next one). */
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** Resolves once `done()` holds, checked at each turn of the event loop. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await turn();
}

function makeOutbox(send: (batch: OutboxItem[]) => Promise<void>, extra: Partial<ConstructorParameters<typeof ReportOutbox>[0]> = {}) {
  const outbox = new ReportOutbox({ send, spoolPath: join(dir.dir, 'spool.jsonl'), ...extra });
  outboxes.push(outbox);
  return outbox;
}

describe('ReportOutbox', () => {
  it('numbers events per run and delivers them in order; delivered() waits for the acknowledgement', async () => {
    const r = receiver();
    const outbox = makeOutbox(r.send);
    outbox.append('run_a', message('a1'));
    outbox.append('run_b', message('b1'));
    outbox.append('run_a', message('a2'));
    await Promise.all([outbox.delivered('run_a'), outbox.delivered('run_b')]);
    expect(r.received.map(show)).toEqual([
      ['run_a', 1, 'a1'],
      ['run_b', 1, 'b1'],
      ['run_a', 2, 'a2'],
    ]);
    expect(outbox.pending).toBe(0);
  });

  it('batches what piles up while a request is in flight', async () => {
    const r = receiver();
    const outbox = makeOutbox(r.send, { maxBatchItems: 100 });
    for (let i = 0; i < 250; i++) outbox.append('run_a', message(String(i)));
    await outbox.delivered('run_a');
    expect(r.batches).toEqual([100, 100, 50]);
    expect(r.received.map(seqOf)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  });

  it('keeps everything through an outage, spilling past the memory limit to disk, and delivers it once, in order', async () => {
    const r = receiver();
    r.state.up = false;
    const retried: number[] = [];
    const outbox = makeOutbox(r.send, { maxMemoryItems: 1_000, maxBatchItems: 200, onRetry: (_e, attempt) => retried.push(attempt) });
    for (let i = 0; i < 5_000; i++) outbox.append(i % 2 === 0 ? 'run_a' : 'run_b', message(`m${i}`));
    expect(outbox.pending).toBe(5_000);
    expect(outbox.spooled).toBe(4_000);
    expect(existsSync(join(dir.dir, 'spool.jsonl'))).toBe(true);
    await new Promise<void>((resolve) => {
      const check = () => (retried.length >= 2 ? resolve() : setImmediate(check));
      check();
    });
    r.state.up = true;
    outbox.retryNow();
    await Promise.all([outbox.delivered('run_a'), outbox.delivered('run_b')]);
    expect(r.received.length).toBe(5_000);
    expect(r.received.map(textOf)).toEqual(Array.from({ length: 5_000 }, (_, i) => `m${i}`));
    expect(r.received.filter((i) => i.run_id === 'run_b').map(seqOf)).toEqual(Array.from({ length: 2_500 }, (_, i) => i + 1));
    expect(outbox.spooled).toBe(0);
    expect(existsSync(join(dir.dir, 'spool.jsonl'))).toBe(false);
  });

  it('carries a run\'s start and outcome in order with its events; delivered() waits for the outcome', async () => {
    const r = receiver();
    const outbox = makeOutbox(r.send);
    outbox.started('run_a', 4242);
    outbox.append('run_a', message('a1'));
    outbox.started('run_b', undefined);
    outbox.finished('run_a', outcome('succeeded'));
    await outbox.delivered('run_a');
    await outbox.delivered('run_b');
    // run_b's start waited for its run's next item; delivered() sent it.
    expect(r.received.map(show)).toEqual([
      ['run_a', 'started'],
      ['run_a', 1, 'a1'],
      ['run_a', 'finished'],
      ['run_b', 'started'],
    ]);
    expect(r.received.map((i) => i.id)).toEqual([1, 2, 3, 4]);
    // One report per run, in the order a coordinator applies them.
    expect(toRunReports(r.received)).toEqual([
      { run_id: 'run_a', attempt: 1, started: { pid: 4242, at: r.received[0]!.ts }, events: [{ seq: 1, event: message('a1') }], finished: outcome('succeeded') },
      { run_id: 'run_b', attempt: 1, started: { at: r.received[3]!.ts } },
    ]);
    // A start says when it was noted, not when it was sent.
    expect(Date.parse(r.received[3]!.ts)).toBeLessThanOrEqual(Date.parse(r.received[2]!.ts));
  });

  it('a start waits for its run\'s next item: a short run\'s start and end go in one batch', async () => {
    const r = receiver();
    const outbox = makeOutbox(r.send, { startedHoldMs: 60_000 });
    outbox.started('run_a', 1);
    // Turns pass (an idle outbox sends what was noted at the next one): the start alone is not sent.
    for (let i = 0; i < 5; i++) await turn();
    expect(r.batches).toEqual([]);
    outbox.append('run_a', message('a1'));
    outbox.finished('run_a', outcome('succeeded'));
    await outbox.delivered('run_a');
    expect(r.batches).toEqual([3]);
    expect(r.received.map(show)).toEqual([['run_a', 'started'], ['run_a', 1, 'a1'], ['run_a', 'finished']]);
  });

  it('other runs\' items do not take a held start along: it waits for its own run\'s', async () => {
    const r = receiver();
    const outbox = makeOutbox(r.send, { startedHoldMs: 60_000 });
    outbox.started('run_a', 1);
    outbox.append('run_b', message('b1'));
    outbox.finished('run_b', outcome('succeeded'));
    await outbox.delivered('run_b');
    expect(r.received.map(show)).toEqual([['run_b', 1, 'b1'], ['run_b', 'finished']]);
    expect(outbox.pending).toBe(1);
    outbox.finished('run_a', outcome('succeeded'));
    await outbox.delivered('run_a');
    expect(r.batches).toEqual([2, 2]);
    expect(r.received.slice(2).map(show)).toEqual([['run_a', 'started'], ['run_a', 'finished']]);
    expect(r.received.map((i) => i.id)).toEqual([1, 2, 3, 4]);
  });

  it('delivered() sends a held start at once', async () => {
    const r = receiver();
    const outbox = makeOutbox(r.send, { startedHoldMs: 60_000 });
    outbox.started('run_a', 1);
    await outbox.delivered('run_a');
    expect(r.received.map(show)).toEqual([['run_a', 'started']]);
  });

  it('a start alone goes after the delay', async () => {
    const r = receiver();
    const outbox = makeOutbox(r.send, { startedHoldMs: 20 });
    const noted = performance.now();
    outbox.started('run_a', 1);
    await until(() => r.received.length === 1);
    expect(performance.now() - noted).toBeGreaterThanOrEqual(19);
    expect(r.received.map(show)).toEqual([['run_a', 'started']]);
  });

  it('a start noted while a request is out waits for company after it too, then goes with the next item', async () => {
    const r = receiver();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    const outbox = makeOutbox(
      async (batch) => {
        if (first) {
          first = false;
          await gate;
        }
        await r.send(batch);
      },
      { startedHoldMs: 60_000 },
    );
    outbox.append('run_a', message('a1'));
    await turn();
    outbox.started('run_b', 2);
    release();
    await outbox.delivered('run_a');
    for (let i = 0; i < 5; i++) await turn();
    expect(r.batches).toEqual([1]);
    outbox.finished('run_b', outcome('succeeded'));
    await outbox.delivered('run_b');
    expect(r.batches).toEqual([1, 2]);
    expect(r.received.map(show)).toEqual([['run_a', 1, 'a1'], ['run_b', 'started'], ['run_b', 'finished']]);
  });

  it('a result waits for its run\'s end: a short run\'s start, result and outcome go in one batch', async () => {
    const r = receiver();
    const outbox = makeOutbox(r.send, { startedHoldMs: 60_000, resultHoldMs: 60_000 });
    outbox.started('run_a', 1);
    outbox.append('run_a', result('done'));
    for (let i = 0; i < 5; i++) await turn();
    expect(r.batches).toEqual([]);
    expect(outbox.pending).toBe(2);
    outbox.finished('run_a', outcome('succeeded'));
    await outbox.delivered('run_a');
    expect(r.batches).toEqual([3]);
    expect(r.received.map(show)).toEqual([['run_a', 'started'], ['run_a', 1, 'done'], ['run_a', 'finished']]);
    expect(r.received.map((i) => i.id)).toEqual([1, 2, 3]);
    expect(outbox.pending).toBe(0);
  });

  it('a result goes with the run\'s next event, and alone after the delay', async () => {
    const r = receiver();
    const outbox = makeOutbox(r.send, { resultHoldMs: 20 });
    outbox.append('run_a', result('first'));
    outbox.append('run_a', message('after it'));
    await until(() => r.received.length === 2);
    expect(r.received.map(show)).toEqual([['run_a', 1, 'first'], ['run_a', 2, 'after it']]);
    const noted = performance.now();
    outbox.append('run_a', result('second'));
    await until(() => r.received.length === 3);
    expect(performance.now() - noted).toBeGreaterThanOrEqual(19);
    expect(r.received.map(show)[2]).toEqual(['run_a', 3, 'second']);
  });

  it('a run holds back at most its start and one result: a second result sends the first, in order', async () => {
    const r = receiver();
    const outbox = makeOutbox(r.send, { startedHoldMs: 60_000, resultHoldMs: 60_000 });
    outbox.started('run_a', 1);
    for (let i = 1; i <= 1_000; i++) outbox.append('run_a', result(`r${i}`));
    expect(outbox.pending).toBe(1_001);
    await until(() => r.received.length === 1_000);
    // Everything but the last result went out; the last one waits for the run's end.
    expect(outbox.pending).toBe(1);
    outbox.append('run_b', result('other run'));
    outbox.finished('run_a', outcome('failed'));
    await outbox.delivered('run_a');
    const ofA = r.received.filter((i) => i.run_id === 'run_a');
    expect(ofA.map(show)).toEqual([['run_a', 'started'], ...Array.from({ length: 1_000 }, (_, i) => ['run_a', i + 1, `r${i + 1}`]), ['run_a', 'finished']]);
    expect(ofA.map((i) => i.id)).toEqual([...ofA.map((i) => i.id)].sort((a, b) => a - b));
    // run_b's result is still held for run_b's end.
    expect(outbox.pending).toBe(1);
  });

  it('a result waiting for its run\'s end is kept (spooled) when the outbox closes', () => {
    const outbox = makeOutbox(async () => undefined, { startedHoldMs: 60_000, resultHoldMs: 60_000 });
    outbox.started('run_a', 1);
    outbox.append('run_a', result('kept'));
    outbox.close();
    const lines = readFileSync(join(dir.dir, 'spool.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as OutboxItem);
    expect(lines.map(show)).toEqual([['run_a', 'started'], ['run_a', 1, 'kept']]);
    expect(() => outbox.append('run_a', result('late'))).toThrow(/closed/);
  });

  it('a start waiting for company is kept (spooled) when the outbox closes', () => {
    const outbox = makeOutbox(async () => undefined, { startedHoldMs: 60_000 });
    outbox.started('run_a', 1);
    outbox.close();
    const lines = readFileSync(join(dir.dir, 'spool.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).kind)).toEqual(['started']);
  });

  it('names each item\'s attempt; a run claimed again while its earlier attempt waits gets a report per attempt', async () => {
    const r = receiver();
    r.state.up = false;
    const outbox = makeOutbox(r.send);
    outbox.beginRun('run_a', 1, 1);
    outbox.append('run_a', message('first try'));
    outbox.finished('run_a', outcome('failed'));
    outbox.beginRun('run_a', 2, 2);
    outbox.started('run_a', 7);
    await new Promise<void>((resolve) => {
      const check = () => (r.state.failures >= 1 ? resolve() : setImmediate(check));
      check();
    });
    r.state.up = true;
    outbox.retryNow();
    await outbox.delivered('run_a');
    expect(r.received.map((i) => [i.kind, i.attempt])).toEqual([['event', 1], ['finished', 1], ['started', 2]]);
    expect(toRunReports(r.received).map((rep) => [rep.run_id, rep.attempt, Object.keys(rep).sort().join(',')])).toEqual([
      ['run_a', 1, 'attempt,events,finished,run_id'],
      ['run_a', 2, 'attempt,run_id,started'],
    ]);
  });

  it('delivered() waits for items appended before it, not for later ones of other runs', async () => {
    const r = receiver();
    r.state.up = false;
    const outbox = makeOutbox(r.send);
    outbox.append('run_a', message('a1'));
    const waiting = outbox.delivered('run_a');
    let settled = false;
    void waiting.then(() => (settled = true));
    await new Promise<void>((resolve) => {
      const check = () => (r.state.failures >= 1 ? resolve() : setImmediate(check));
      check();
    });
    expect(settled).toBe(false);
    r.state.up = true;
    outbox.retryNow();
    await waiting;
    expect(r.received.map(show)).toEqual([['run_a', 1, 'a1']]);
  });

  it('continues a run from a given sequence number', async () => {
    const r = receiver();
    const outbox = makeOutbox(r.send);
    outbox.beginRun('run_a', 8);
    outbox.append('run_a', message('x'));
    await outbox.delivered('run_a');
    expect(seqOf(r.received[0]!)).toBe(8);
  });

  it('writes what is undelivered to the spool file on close, oldest first, and stops waiting on delivered() when told', async () => {
    const r = receiver();
    r.state.up = false;
    const outbox = makeOutbox(r.send, { maxMemoryItems: 500, maxBatchItems: 100 });
    for (let i = 0; i < 800; i++) outbox.append('run_a', message(`m${i}`));
    const giveUp = new AbortController();
    const waiting = outbox.delivered('run_a', giveUp.signal);
    giveUp.abort();
    await waiting;
    outbox.close();
    const lines = readFileSync(outbox.spoolPath, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as OutboxItem);
    expect(lines.map(seqOf)).toEqual(Array.from({ length: 800 }, (_, i) => i + 1));
  });

  it('refuses events once closed', () => {
    const outbox = makeOutbox(receiver().send);
    outbox.close();
    expect(() => outbox.append('run_a', message('late'))).toThrow('the report outbox is closed');
  });
  describe('what a long-poll carries (takeForPoll)', () => {
    it('takes whole ended runs only, which the outbox then does not send; delivered() waits for the poll', async () => {
      const r = receiver();
      const outbox = makeOutbox(r.send);
      outbox.started('run_a', 11);
      outbox.append('run_a', message('a1'));
      outbox.started('run_b', 12);
      outbox.append('run_b', message('b1')); // run_b still runs
      outbox.finished('run_a', outcome('succeeded'));
      const carried = outbox.takeForPoll()!;
      expect(carried.items.map(show)).toEqual([['run_a', 'started'], ['run_a', 1, 'a1'], ['run_a', 'finished']]);
      expect(outbox.pending).toBe(5);
      let delivered = false;
      void outbox.delivered('run_a').then(() => (delivered = true));
      await outbox.delivered('run_b');
      // The outbox sent run_b's items alone; run_a's wait for the poll's answer.
      expect(r.received.map(show)).toEqual([['run_b', 'started'], ['run_b', 1, 'b1']]);
      expect(delivered).toBe(false);
      outbox.settleCarried(carried, true);
      await outbox.delivered('run_a');
      expect(outbox.pending).toBe(0);
      expect(r.received).toHaveLength(2);
    });

    it('a poll that failed gives its items back in their place, and the outbox sends them in order', async () => {
      const r = receiver();
      r.state.up = false;
      const outbox = makeOutbox(r.send);
      outbox.append('run_a', message('a1'));
      outbox.finished('run_a', outcome('failed'));
      const carried = outbox.takeForPoll()!;
      outbox.append('run_b', message('b1'));
      await until(() => r.state.failures >= 1); // run_b's batch failed and waits out its backoff
      outbox.settleCarried(carried, false);
      r.state.up = true;
      outbox.retryNow();
      await outbox.delivered('run_a');
      await outbox.delivered('run_b');
      expect(r.received.map((i) => i.id)).toEqual([1, 2, 3]);
      expect(r.received.map(show)).toEqual([['run_a', 1, 'a1'], ['run_a', 'finished'], ['run_b', 1, 'b1']]);
    });

    it('items that come back while a batch is out stay queued; the batch takes away only its own', async () => {
      let release: () => void = () => {};
      const sent: OutboxItem[][] = [];
      const outbox = makeOutbox((batch) => {
        sent.push([...batch]);
        return new Promise<void>((resolve) => (release = resolve));
      });
      outbox.finished('run_a', outcome('succeeded'));
      const carried = outbox.takeForPoll()!;
      outbox.append('run_b', message('b1'));
      await until(() => sent.length === 1); // run_b's batch is out
      outbox.settleCarried(carried, false);
      release();
      await until(() => sent.length === 2);
      expect(sent.map((batch) => batch.map(show))).toEqual([[['run_b', 1, 'b1']], [['run_a', 'finished']]]);
      release();
      await outbox.delivered('run_a');
      expect(outbox.pending).toBe(0);
    });

    it('takes nothing while a batch is out, while items wait on disk, or when no run ended; at most maxItems, whole runs', async () => {
      let release: () => void = () => {};
      let out = 0;
      const outbox = makeOutbox(() => {
        out += 1;
        return new Promise<void>((resolve) => (release = resolve));
      });
      outbox.append('run_a', message('a1'));
      expect(outbox.takeForPoll()).toBeUndefined(); // run_a has not ended
      await until(() => out === 1);
      outbox.finished('run_a', outcome('succeeded'));
      expect(outbox.takeForPoll()).toBeUndefined(); // a batch is out, with run_a's first item
      release();
      await until(() => out === 2);
      release();
      await outbox.delivered('run_a');
      for (let i = 0; i < 3; i++) outbox.append('run_b', message(`b${i}`));
      outbox.finished('run_b', outcome('succeeded'));
      outbox.finished('run_c', outcome('succeeded'));
      const carried = outbox.takeForPoll(2)!;
      expect(carried.items.map(show)).toEqual([['run_c', 'finished']]); // run_b's 4 items do not fit
      outbox.settleCarried(carried, true);
      release();

      const spilled = makeOutbox(async () => { throw new Error('down'); }, { maxMemoryItems: 1, maxBatchItems: 1 });
      spilled.append('run_d', message('d1'));
      spilled.finished('run_d', outcome('succeeded')); // past the memory limit: on disk
      expect(spilled.spooled).toBe(1);
      expect(spilled.takeForPoll()).toBeUndefined();
    });

    it('on close, what a poll still carries goes to the spool file in order; its late answer changes nothing', () => {
      const r = receiver();
      const outbox = makeOutbox(r.send);
      outbox.append('run_a', message('a1'));
      outbox.finished('run_a', outcome('succeeded'));
      const carried = outbox.takeForPoll()!;
      outbox.close();
      outbox.settleCarried(carried, false);
      const lines = readFileSync(outbox.spoolPath, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as OutboxItem);
      expect(lines.map(show)).toEqual([['run_a', 1, 'a1'], ['run_a', 'finished']]);
      expect(outbox.pending).toBe(2);
    });
  });
});
