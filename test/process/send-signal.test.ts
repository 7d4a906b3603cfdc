import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAddon } from '../../lib/process/native-addon.js';
import { signalGroup } from '../../lib/process/process-group.js';
import { sendSignal } from '../../lib/process/send-signal.js';
import { runModuleSnippet } from '../helpers/fixtures.js';

// sendSignal is kill(2) that answers "gone" instead of throwing (native/spawn.c's kill where the addon is
// loaded, process.kill otherwise); signalGroup sends it to a group the runner started.
const linux = process.platform === 'linux';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

/** A `sleep` leading a group of its own; resolves its exit. */
function sleeper() {
  const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  cleanups.push(() => child.kill('SIGKILL'));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  return { pid: child.pid!, exited };
}

describe('sendSignal', () => {
  it.runIf(linux)('goes through the addon on Linux', () => {
    expect(typeof loadAddon()?.kill).toBe('function');
  });

  it('answers whether a process and a group exist, signals them, and says false once they are gone', async () => {
    const { pid, exited } = sleeper();
    expect(sendSignal(pid, 0)).toBe(true);
    expect(sendSignal(-pid, 0)).toBe(true);
    expect(signalGroup(pid, 'SIGTERM')).toBe(true);
    expect(await exited).toBe('SIGTERM');
    // Reaped by Node once 'exit' was emitted: nothing has that pid or leads that group now.
    expect(sendSignal(pid, 0)).toBe(false);
    expect(sendSignal(-pid, 'SIGKILL')).toBe(false);
    expect(signalGroup(pid, 0)).toBe(false);
  });

  it('throws what process.kill throws for a signal that does not exist', () => {
    expect(() => sendSignal(process.pid, 'SIGNOPE' as NodeJS.Signals)).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_SIGNAL' }));
  });

  it.runIf(linux)('without the addon (AGENT_RUNNER_NATIVE_SPAWN=0) answers the same through process.kill', () => {
    const out = runModuleSnippet(
      [
        "import { spawn } from 'node:child_process';",
        "import { loadAddon } from './lib/process/native-addon.ts';",
        "import { sendSignal } from './lib/process/send-signal.ts';",
        "const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });",
        'const alive = sendSignal(-child.pid, 0);',
        "const signalled = sendSignal(-child.pid, 'SIGKILL');",
        "await new Promise((resolve) => child.once('exit', resolve));",
        'console.log(JSON.stringify({ addon: loadAddon(), alive, signalled, gone: sendSignal(-child.pid, 0) }));',
      ],
      { ...process.env, AGENT_RUNNER_NATIVE_SPAWN: '0' },
    );
    expect(JSON.parse(out)).toEqual({ addon: null, alive: true, signalled: true, gone: false });
  });
});

describe('signalGroup', () => {
  it('refuses what is not a group the runner started: -1 would be every process, 0 its own group', () => {
    for (const pgid of [1, 0, -5, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2]) {
      expect(() => signalGroup(pgid, 'SIGKILL')).toThrow(RangeError);
    }
  });
});
