import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WAIT_MS } from '../helpers/fixtures.js';

const BIN = fileURLToPath(new URL('../../bin/agent-coordinator', import.meta.url));
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: WAIT_MS });

describe('bin/agent-coordinator', () => {
  it('refuses bad flags with exit 2 and a message naming the flag', () => {
    const lease = run(['--lease', 'banana', '--database-url', ':memory:']);
    expect(lease.status).toBe(2);
    expect(lease.stderr).toContain('--lease: "banana" is not a duration');
    const port = run(['--port', 'x', '--database-url', ':memory:']);
    expect(port.status).toBe(2);
    expect(port.stderr).toContain('--port');
    expect(run(['--no-such-flag']).status).toBe(2);
  });

  it('refuses durations and numbers beyond their documented maximum (exit 2, naming the flag)', () => {
    for (const [args, message] of [
      [['--lease', '169h'], '--lease: "169h" is longer than the most allowed, 7d (168h)'],
      [['--poll-timeout', '2147484'], '--poll-timeout: "2147484" is longer than the most allowed'],
      [['--backoff-max', '9999h'], '--backoff-max: "9999h" is longer than the most allowed'],
      [['--max-attempts', '21'], '--max-attempts: 21 is more than the most allowed, 20'],
      [['--port', '65536'], '--port: 65536 is more than the most allowed, 65535'],
      [['--max-body-bytes', '99999999999'], '--max-body-bytes: 99999999999 is more than the most allowed'],
    ] as const) {
      const res = run([...args, '--database-url', ':memory:']);
      expect({ args, status: res.status }).toEqual({ args, status: 2 });
      expect(res.stderr).toContain(message);
    }
  });

  it('refuses a --default-executor (or AGENT_COORDINATOR_DEFAULT_EXECUTOR) no executor folder can be named (exit 2, naming it)', () => {
    for (const name of ['', '../claude-code', 'two words', '-x', 'tab\there', 'é', 'x'.repeat(129)]) {
      const res = run(['--default-executor', name, '--database-url', ':memory:']);
      expect({ name, status: res.status }).toEqual({ name, status: 2 });
      expect(res.stderr).toContain(`--default-executor: "${name}" is not an executor name`);
    }
    const fromEnv = run(['--database-url', ':memory:'], { AGENT_COORDINATOR_DEFAULT_EXECUTOR: 'a/b' });
    expect(fromEnv.status).toBe(2);
    expect(fromEnv.stderr).toContain('--default-executor: "a/b" is not an executor name');
  });

  it('refuses to bind off loopback without an API token, from flags or the environment', () => {
    const res = run(['--host', '0.0.0.0', '--database-url', ':memory:']);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('refusing to listen on 0.0.0.0 without an API token');
    expect(run([], { AGENT_COORDINATOR_HOST: '0.0.0.0', AGENT_COORDINATOR_DATABASE_URL: ':memory:' }).stderr).toContain('--api-token');
  });

  it('prints its help with every flag', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    for (const flag of ['--host', '--port', '--database-url', '--agents-dir', '--api-token', '--lease', '--poll-timeout', '--placement-timeout', '--default-executor']) {
      expect(help.stdout).toContain(flag);
    }
  });
});
