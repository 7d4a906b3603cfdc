import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONCURRENCY, DEFAULT_EXECUTOR_NICE, resolveRunnerConfig } from './runner-config.js';

describe('resolveRunnerConfig', () => {
  it('uses defaults when nothing is given (embedded coordinator, every executor)', () => {
    expect(resolveRunnerConfig({}, {}, '/work')).toEqual({
      coordinatorUrl: undefined,
      executors: [],
      tags: [],
      projectDir: '/work',
      concurrency: DEFAULT_CONCURRENCY,
      mcpPort: 0,
      runTimeoutMs: undefined,
      graceMs: undefined,
      executorNice: DEFAULT_EXECUTOR_NICE,
      drainTimeoutMs: 30_000,
      blueprintEnv: new Set(),
      executorEnv: [],
      credentials: [],
      credentialsFile: undefined,
      verbose: false,
    });
  });

  it('reads the environment, and lets flags win over it', () => {
    const env = {
      AGENT_COORDINATOR_URL: 'http://10.0.0.1:8765/',
      AGENT_RUNNER_TAGS: 'gpu, linux',
      AGENT_RUNNER_CONCURRENCY: '8',
      AGENT_RUNNER_BLUEPRINT_ENV: 'GITHUB_TOKEN,NPM_TOKEN',
    };
    const fromEnv = resolveRunnerConfig({}, env, '/w');
    expect(fromEnv).toMatchObject({ coordinatorUrl: 'http://10.0.0.1:8765', tags: ['gpu', 'linux'], concurrency: 8 });
    expect([...fromEnv.blueprintEnv]).toEqual(['GITHUB_TOKEN', 'NPM_TOKEN']);
    const fromFlags = resolveRunnerConfig(
      { coordinatorUrl: 'https://c.example:1/', tags: 'arm', concurrency: '16', executor: ['sh-echo,test-executor', 'python-echo'], blueprintEnv: ['A'], runTimeout: '5m', drainTimeout: '10s', mcpPort: '7000', projectDir: 'sub' },
      env,
      '/w',
    );
    expect(fromFlags).toMatchObject({
      coordinatorUrl: 'https://c.example:1',
      tags: ['arm'],
      concurrency: 16,
      executors: ['sh-echo', 'test-executor', 'python-echo'],
      runTimeoutMs: 300_000,
      drainTimeoutMs: 10_000,
      mcpPort: 7000,
      projectDir: '/w/sub',
    });
    expect([...fromFlags.blueprintEnv]).toEqual(['A']);
    expect(resolveRunnerConfig({}, { AGENT_RUNNER_EXECUTOR_ENV: 'AWS_*, GH_TOKEN' }, '/w').executorEnv).toEqual(['AWS_*', 'GH_TOKEN']);
    expect(resolveRunnerConfig({ executorEnv: ['A', 'B_*,C'] }, { AGENT_RUNNER_EXECUTOR_ENV: 'X' }, '/w').executorEnv).toEqual(['A', 'B_*', 'C']);
  });

  it('--executor-nice, else AGENT_RUNNER_EXECUTOR_NICE, else 5; 0 keeps executors at the runner\'s priority', () => {
    expect(DEFAULT_EXECUTOR_NICE).toBe(5);
    expect(resolveRunnerConfig({}, { AGENT_RUNNER_EXECUTOR_NICE: '0' }, '/w').executorNice).toBe(0);
    expect(resolveRunnerConfig({ executorNice: '19' }, { AGENT_RUNNER_EXECUTOR_NICE: '0' }, '/w').executorNice).toBe(19);
    expect(resolveRunnerConfig({}, { AGENT_RUNNER_EXECUTOR_NICE: '' }, '/w').executorNice).toBe(DEFAULT_EXECUTOR_NICE);
  });

  it.each([
    [{ concurrency: '0' }, {}, '--concurrency: 0 is out of range (1 to 256)'],
    [{ concurrency: 'lots' }, {}, '--concurrency: "lots" is not a whole number'],
    [{}, { AGENT_RUNNER_CONCURRENCY: '-3' }, 'AGENT_RUNNER_CONCURRENCY: "-3" is not a whole number'],
    [{ mcpPort: '70000' }, {}, '--mcp-port: 70000 is out of range (0 to 65535)'],
    [{ executorNice: '20' }, {}, '--executor-nice: 20 is out of range (0 to 19)'],
    [{ executorNice: '-5' }, {}, '--executor-nice: "-5" is not a whole number'],
    [{ executorNice: '2.5' }, {}, '--executor-nice: "2.5" is not a whole number'],
    [{}, { AGENT_RUNNER_EXECUTOR_NICE: 'low' }, 'AGENT_RUNNER_EXECUTOR_NICE: "low" is not a whole number'],
    [{ coordinatorUrl: 'localhost:8765' }, {}, '--coordinator-url: "localhost:8765" has no scheme (did you mean http://localhost:8765?)'],
    [{}, { AGENT_COORDINATOR_URL: '127.0.0.1:8765' }, 'AGENT_COORDINATOR_URL: "127.0.0.1:8765" has no scheme (did you mean http://127.0.0.1:8765?)'],
    [{ coordinatorUrl: '[::1]:8765/prefix' }, {}, '--coordinator-url: "[::1]:8765/prefix" has no scheme (did you mean http://[::1]:8765/prefix?)'],
    [{ coordinatorUrl: 'ftp://host:8765' }, {}, '--coordinator-url: "ftp://host:8765" must be an http:// or https:// URL'],
    [{ coordinatorUrl: 'http://' }, {}, '--coordinator-url: "http://" is not a URL (expected e.g. http://127.0.0.1:8765)'],
    [{}, { AGENT_COORDINATOR_URL: 'not a url' }, 'AGENT_COORDINATOR_URL: "not a url" is not a URL (expected e.g. http://127.0.0.1:8765)'],
    [{ runTimeout: 'forever' }, {}, '--run-timeout: "forever" is not a duration (use e.g. 500ms, 30s, 5m, 1h30m)'],
    [{ blueprintEnv: ['GOOD,bad-name'] }, {}, '--blueprint-env: "bad-name" is not an environment variable name'],
    [{}, { AGENT_RUNNER_BLUEPRINT_ENV: 'A B' }, 'AGENT_RUNNER_BLUEPRINT_ENV: "A B" is not an environment variable name'],
    [{ blueprintEnv: ['AGENT_RUNNER_SECRET'] }, {}, '--blueprint-env: "AGENT_RUNNER_SECRET" is the runner\'s own secret; AGENT_COORDINATOR_TOKEN, AGENT_RUNNER_TOKEN, AGENT_RUNNER_SECRET, AGENT_RUNNER_CREDENTIALS_KEY never reach blueprints or executors'],
    [{}, { AGENT_RUNNER_BLUEPRINT_ENV: 'GITHUB_TOKEN,AGENT_COORDINATOR_TOKEN' }, 'AGENT_RUNNER_BLUEPRINT_ENV: "AGENT_COORDINATOR_TOKEN" is the runner\'s own secret; AGENT_COORDINATOR_TOKEN, AGENT_RUNNER_TOKEN, AGENT_RUNNER_SECRET, AGENT_RUNNER_CREDENTIALS_KEY never reach blueprints or executors'],
    [{ executorEnv: ['AGENT_RUNNER_TOKEN'] }, {}, '--executor-env: "AGENT_RUNNER_TOKEN" is the runner\'s own secret; AGENT_COORDINATOR_TOKEN, AGENT_RUNNER_TOKEN, AGENT_RUNNER_SECRET, AGENT_RUNNER_CREDENTIALS_KEY never reach blueprints or executors'],
    [{ executorEnv: ['AWS-*'] }, {}, '--executor-env: "AWS-*" is not an environment variable name or a prefix ending in *'],
    [{}, { AGENT_RUNNER_EXECUTOR_ENV: 'A,*B' }, 'AGENT_RUNNER_EXECUTOR_ENV: "*B" is not an environment variable name or a prefix ending in *'],
  ])('rejects %j %j naming the flag or variable', (flags, env, message) => {
    expect(() => resolveRunnerConfig(flags, env, '/w')).toThrow(new ConfigError(message));
  });
});
