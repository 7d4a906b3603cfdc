import { describe, expect, it } from 'vitest';
import { useRunnerKit } from './runner-kit.js';

// Each case: the arguments, extra environment, and what the one error line must name.
const CASES: Array<[string, string[], Record<string, string>, RegExp]> = [
  ['-n 0', ['-n', '0'], {}, /--concurrency: 0 is out of range \(1 to 256\)/],
  ['-n abc', ['-n', 'abc'], {}, /--concurrency: "abc" is not a whole number/],
  ['AGENT_RUNNER_CONCURRENCY=-3', [], { AGENT_RUNNER_CONCURRENCY: '-3' }, /AGENT_RUNNER_CONCURRENCY: "-3" is not a whole number/],
  ['-c not-a-url', ['-c', 'not-a-url'], {}, /--coordinator-url: "not-a-url" has no scheme \(did you mean http:\/\/not-a-url\?\)/],
  ['-c "not a url"', ['-c', 'not a url'], {}, /--coordinator-url: "not a url" is not a URL/],
  ['AGENT_COORDINATOR_URL=ftp://x', [], { AGENT_COORDINATOR_URL: 'ftp://x' }, /AGENT_COORDINATOR_URL: "ftp:\/\/x" must be an http:\/\/ or https:\/\/ URL/],
  ['--run-timeout soon', ['--run-timeout', 'soon'], {}, /--run-timeout/],
  ['--drain-timeout -1s', ['--drain-timeout=-1s'], {}, /--drain-timeout/],
  ['--run-timeout 2147484 (s)', ['--run-timeout', '2147484'], {}, /--run-timeout: "2147484" is longer than the most allowed, 7d \(168h\)/],
  ['--drain-timeout 169h', ['--drain-timeout', '169h'], {}, /--drain-timeout: "169h" is longer than the most allowed, 7d \(168h\)/],
  ['--grace 10 parsecs', ['--grace', '10 parsecs'], {}, /--grace/],
  ['--mcp-port 70000', ['--mcp-port', '70000'], {}, /--mcp-port: 70000 is out of range/],
  ['--blueprint-env 1BAD', ['--blueprint-env', '1BAD'], {}, /--blueprint-env: "1BAD" is not an environment variable name/],
  ['AGENT_RUNNER_BLUEPRINT_ENV=A-B', [], { AGENT_RUNNER_BLUEPRINT_ENV: 'A-B' }, /AGENT_RUNNER_BLUEPRINT_ENV: "A-B" is not an environment variable name/],
  ['AGENT_RUNNER_LOCAL_PORT=99999', [], { AGENT_RUNNER_LOCAL_PORT: '99999' }, /AGENT_RUNNER_LOCAL_PORT: "99999" is not a port/],
  ['-x no-such-executor', ['-x', 'no-such-executor'], {}, /no-such-executor/],
  ['--executor and --executor-path', ['-x', 'sh-echo', '--executor-path', '/bin/true'], {}, /--executor and --executor-path cannot be used together/],
  ['an unknown flag', ['--concurency', '4'], {}, /unknown option '--concurency'/],
];

describe('agent-runner (daemon): bad flags and environment', () => {
  const kit = useRunnerKit();

  it.each(CASES)('%s: exit 2 and one clear message', async (_name, args, env, message) => {
    const result = await kit().cli(args, { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.stdout).toBe('');
  });

  it('a coordinator that is not there: the runner keeps retrying and says so (it does not crash)', async () => {
    const proc = kit().spawnCli(['-c', 'http://127.0.0.1:9', '-x', 'sh-echo']);
    await proc.waitForLog((l) => l.msg === 'cannot register; will retry' && String(l.err).includes('127.0.0.1:9'), 'a retry warning');
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
  });
});
