import { describe, expect, it } from 'vitest';
import { classifyExit } from './run-outcome.js';

const base = { exitCode: null, signal: null, terminatedFor: null, stderrTail: '' } as const;

describe('classifyExit', () => {
  it('puts our own termination first: a cancelled run that exits 0 is still cancelled', () => {
    expect(classifyExit({ ...base, exitCode: 0, terminatedFor: 'cancel' })).toEqual({ kind: 'cancelled', message: 'cancelled' });
    expect(classifyExit({ ...base, signal: 'SIGKILL', terminatedFor: 'timeout', timeoutMs: 50 })).toEqual({
      kind: 'timed_out',
      message: 'timed out after 50 ms',
    });
  });

  it('explains failures with the last stderr line', () => {
    expect(classifyExit({ ...base, exitCode: 1, stderrTail: 'first\nlast reason\n' }).message).toBe('exited with code 1: last reason');
    expect(classifyExit({ ...base, exitCode: 1 }).message).toBe('exited with code 1');
    expect(classifyExit({ ...base, signal: 'SIGSEGV' })).toEqual({ kind: 'failed', message: 'killed by SIGSEGV' });
  });

  it('makes a spawn error an infrastructure failure', () => {
    expect(classifyExit({ ...base, spawnError: 'x (ENOENT)' })).toEqual({ kind: 'infra_failed', message: 'could not start the executor: x (ENOENT)' });
  });
});
