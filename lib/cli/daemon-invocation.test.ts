import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, startsDaemon } from './daemon-invocation.js';
import { buildProgram } from './main.js';

describe('startsDaemon', () => {
  it('knows every command of the program (and commander\'s help)', () => {
    expect([...COMMAND_NAMES].sort()).toEqual([...buildProgram().commands.map((command) => command.name()), 'help'].sort());
  });

  it('is the daemon with options only', () => {
    expect(startsDaemon([])).toBe(true);
    expect(startsDaemon(['-c', 'http://127.0.0.1:7000', '-x', 'claude-code', '-n', '8', '--tags', 'gpu,linux'])).toBe(true);
    expect(startsDaemon(['--executor-path', '/opt/ao-x-exec', '--log-format=json'])).toBe(true);
  });

  it('is not the daemon when a command is named, or a flag that prints and exits', () => {
    for (const args of [['run', 'hello'], ['sessions', 'list'], ['-c', 'http://x', 'status'], ['workflow', 'run', 'ci.yaml'], ['help'], ['--help'], ['-h'], ['-V'], ['--version'], ['-l'], ['--executor-list', '--json']]) {
      expect(startsDaemon(args), args.join(' ')).toBe(false);
    }
  });

  it('reads an option value that is a command\'s name as a command (the daemon then keeps glibc\'s default arenas)', () => {
    expect(startsDaemon(['-x', 'run'])).toBe(false);
  });
});
