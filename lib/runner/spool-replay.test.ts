import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/fixtures.js';
import { processStartTime } from '../process/proc-table.js';
import { ReportOutbox } from './report-outbox.js';
import { toRunReports } from './run-reports.js';
import { newSpoolPath, readSpool } from './spool-replay.js';

let dir: { dir: string; cleanup: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

describe('spool files', () => {
  it('are named for this process (pid and start time) and a random part, so no other process, earlier or later, shares one', () => {
    const a = newSpoolPath(dir.dir);
    const b = newSpoolPath(dir.dir);
    expect(a).not.toBe(b);
    expect(basename(a)).toMatch(new RegExp(`^events-${process.pid}-${processStartTime(process.pid)}-[0-9a-f]{8}\\.spool\\.jsonl$`));
  });

  it('a spool left by an earlier process with the same pid is never mixed with this one\'s', () => {
    // What an earlier version (events-<pid>.spool.jsonl) left under our pid, e.g. PID 1 of a container.
    const earlier = join(dir.dir, `events-${process.pid}.spool.jsonl`);
    const earlierLine = '{"id":1,"run_id":"run_old","attempt":1,"ts":"","kind":"started","pid":null}\n';
    writeFileSync(earlier, earlierLine);
    const outbox = new ReportOutbox({ send: () => Promise.reject(new Error('down')), spoolPath: newSpoolPath(dir.dir), maxMemoryItems: 1 });
    outbox.beginRun('run_new');
    outbox.started('run_new', 1);
    outbox.append('run_new', { type: 'progress', message: 'spilled' });
    outbox.close();

    expect(readFileSync(earlier, 'utf8')).toBe(earlierLine);
    expect(readSpool(outbox.spoolPath).map((item) => item.run_id)).toEqual(['run_new', 'run_new']);
  });

  it('a start read back keeps its time when it is a date-time; a damaged or empty one is left out, the start is kept', () => {
    const path = join(dir.dir, 'old.spool.jsonl');
    const line = (run: string, ts: string) => JSON.stringify({ id: 1, run_id: run, attempt: 1, ts, kind: 'started', pid: 7 });
    writeFileSync(path, [line('run_a', '2026-12-03T08:00:00.000Z'), line('run_b', ''), line('run_c', 'not a time\u0000'), line('run_d', '2026-12-03T08:00:00')].join('\n') + '\n');
    expect(toRunReports(readSpool(path))).toEqual([
      { run_id: 'run_a', attempt: 1, started: { pid: 7, at: '2026-12-03T08:00:00.000Z' } },
      { run_id: 'run_b', attempt: 1, started: { pid: 7 } },
      { run_id: 'run_c', attempt: 1, started: { pid: 7 } },
      { run_id: 'run_d', attempt: 1, started: { pid: 7 } },
    ]);
  });
});
