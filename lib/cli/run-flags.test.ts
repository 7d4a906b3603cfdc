import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { parseRunShape } from './run-flags.js';

/** The usage error parseRunShape throws for these flags (exit code 2 and its message). */
function refusal(flags: Parameters<typeof parseRunShape>[0]): { exitCode: number; message: string } {
  try {
    parseRunShape(flags);
  } catch (error) {
    if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message };
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(flags)}`);
}

describe('run flags: --tags, --timeout, --priority, --max-attempts', () => {
  it('turns good values into session fields (timeout rounded up to whole seconds)', () => {
    expect(parseRunShape({})).toEqual({});
    expect(parseRunShape({ tags: ' gpu, linux ,', timeout: '1m30s', priority: '-5', maxAttempts: '1' })).toEqual({
      tags: ['gpu', 'linux'], timeout_s: 90, priority: -5, max_attempts: 1,
    });
    expect(parseRunShape({ timeout: '1500ms', priority: '+1000', maxAttempts: '20' })).toEqual({ timeout_s: 2, priority: 1000, max_attempts: 20 });
    expect(parseRunShape({ timeout: '168h', priority: '-1000' })).toEqual({ timeout_s: 604_800, priority: -1000 });
  });

  it.each([
    [{ priority: 'abc' }, '--priority: "abc" is not a whole number (-1000 to 1000)'],
    [{ priority: '1.5' }, '--priority: "1.5" is not a whole number (-1000 to 1000)'],
    [{ priority: '' }, '--priority: "" is not a whole number (-1000 to 1000)'],
    [{ priority: '1e3' }, '--priority: "1e3" is not a whole number (-1000 to 1000)'],
    [{ priority: '0x10' }, '--priority: "0x10" is not a whole number (-1000 to 1000)'],
    [{ priority: '1001' }, '--priority: 1001 is out of range (-1000 to 1000)'],
    [{ priority: '-99999999999999999999' }, '--priority: -99999999999999999999 is out of range (-1000 to 1000)'],
    [{ maxAttempts: '0' }, '--max-attempts: 0 is out of range (1 to 20)'],
    [{ maxAttempts: '21' }, '--max-attempts: 21 is out of range (1 to 20)'],
    [{ maxAttempts: '-1' }, '--max-attempts: -1 is out of range (1 to 20)'],
    [{ maxAttempts: 'three' }, '--max-attempts: "three" is not a whole number (1 to 20)'],
    [{ timeout: '5x' }, '--timeout: "5x" is not a duration (use e.g. 500ms, 30s, 5m, 1h30m)'],
    [{ timeout: '0' }, '--timeout: "0" must be longer than 0'],
    [{ timeout: '0s' }, '--timeout: "0s" must be longer than 0'],
    [{ timeout: '169h' }, '--timeout: "169h" is longer than the most allowed, 7d (168h)'],
    [{ timeout: '-5s' }, '--timeout: "-5s" is not a duration (use e.g. 500ms, 30s, 5m, 1h30m)'],
    [{ tags: ',' }, '--tags: "," names no tag (give e.g. --tags gpu,linux)'],
    [{ tags: '' }, '--tags: "" names no tag (give e.g. --tags gpu,linux)'],
  ])('refuses %j as a usage error naming the flag', (flags, message) => {
    expect(refusal(flags)).toEqual({ exitCode: 2, message });
  });
});
