import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processStartTime } from '../process/proc-table.js';
import { endRecordedExecutors, ExecutorLedger, readLedger } from './executor-ledger.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
  dirs.push(dir);
  return dir;
};

describe('readLedger', () => {
  it('replays the journal: adds, removes, a torn last line and junk skipped', () => {
    const text = [
      JSON.stringify({ runner: { pid: 10, start_time: '5' } }),
      JSON.stringify({ add: { pgid: 101, start_time: '7', mark: 'a' } }),
      JSON.stringify({ add: { pgid: 102, start_time: '8', mark: 'b' } }),
      JSON.stringify({ remove: 101 }),
      '"a string"',
      JSON.stringify({ add: { pgid: -1, start_time: '9', mark: 'neg' } }),
      JSON.stringify({ add: { pgid: 1, start_time: '1', mark: 'init: a kill of -1 would reach every process' } }),
      JSON.stringify({ add: { pgid: 103, start_time: 9, mark: 'not a string time' } }),
      JSON.stringify({ remove: '102' }),
      '{"add":{"pgid":104,"start_ti', // torn by a crash mid-write
    ].join('\n');
    expect(readLedger(text)).toEqual([{ pgid: 102, start_time: '8', mark: 'b' }]);
  });

  it('reads the one-document form earlier versions wrote', () => {
    const text = JSON.stringify({ runner: { pid: 1, start_time: '1' }, groups: [{ pgid: 7, start_time: '3', mark: 'm' }, { pgid: 'x' }] });
    expect(readLedger(text)).toEqual([{ pgid: 7, start_time: '3', mark: 'm' }]);
  });

  it('reads nothing from an empty or hostile file', () => {
    expect(readLedger('')).toEqual([]);
    expect(readLedger('\0\0\0')).toEqual([]);
    expect(readLedger('{"groups":[null,1,"x"]}\n{"add":null}\n[]')).toEqual([]);
  });
});

describe.runIf(process.platform === 'linux')('ExecutorLedger', () => {
  it('appends a line per start and end, and compacts to the live groups', () => {
    const dir = tempDir();
    const ledger = ExecutorLedger.open(dir)!;
    ledger.add(500, 'kept', '11');
    for (let i = 0; i < 1_500; i++) {
      ledger.add(1_000 + i, `m${i}`, '12');
      ledger.remove(1_000 + i);
    }
    ledger.remove(999_999); // never added: nothing written
    const text = readFileSync(ledger.path, 'utf8');
    // 3,001 journal lines would have been written; the compaction at 2,000 left far fewer.
    expect(text.split('\n').length).toBeLessThan(1_100);
    expect(JSON.parse(text.split('\n')[0]!)).toEqual({ runner: { pid: process.pid, start_time: processStartTime(process.pid) } });
    expect(readLedger(text)).toEqual([{ pgid: 500, start_time: '11', mark: 'kept' }]);
    ledger.close();
    expect(existsSync(ledger.path)).toBe(false);
  });

  it('ends a recorded group whose leader still has its start time, never one whose pid was reused', async () => {
    const dir = tempDir();
    const spawnGroup = async () => {
      const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
      await new Promise((resolve) => child.once('spawn', resolve));
      return { child, exited: new Promise((resolve) => child.once('exit', resolve)) };
    };
    const recorded = await spawnGroup();
    const reused = await spawnGroup();
    try {
      const path = join(dir, 'executors-0-1.jsonl');
      writeFileSync(path, `${JSON.stringify({ runner: { pid: 0, start_time: '1' } })}\n`);
      appendFileSync(path, `${JSON.stringify({ add: { pgid: recorded.child.pid, start_time: processStartTime(recorded.child.pid!), mark: 'r' } })}\n`);
      appendFileSync(path, `${JSON.stringify({ add: { pgid: reused.child.pid, start_time: `${Number(processStartTime(reused.child.pid!)) + 1}`, mark: 'u' } })}\n`);
      expect(endRecordedExecutors(path)).toBe(1);
      await recorded.exited;
      expect(processStartTime(reused.child.pid!)).toBeDefined();
      expect(existsSync(path)).toBe(false);
    } finally {
      recorded.child.kill('SIGKILL');
      reused.child.kill('SIGKILL');
    }
  });
});
