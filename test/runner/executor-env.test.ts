import { describe, expect, it } from 'vitest';
import { buildExecutorEnv, passedEnv } from '../../lib/process/executor-env.js';
import { createSession, useRunnerKit, waitForSession } from './runner-kit.js';

/** What a runner with this environment and these flags lets reach the print-env fixture. */
const RUNNER_ENV = {
  GITHUB_TOKEN: 'ghp_runner',
  AWS_SECRET_ACCESS_KEY: 'aws-runner',
  AGENT_RUNNER_SECRET: 'x'.repeat(40),
  AGENT_RUNNER_TAGS: 'linux',
  DECLARED_NAME: 'declared',
  DECLARED_PREFIX_ONE: 'declared prefix',
  OPERATOR_NAME: 'operator',
  OPS_ONE: 'operator prefix',
  LC_ALL: 'C',
};

describe('executors get only the environment they need (issue 11, item 14)', () => {
  const kit = useRunnerKit();

  it('the base set, the run\'s AGENT_* variables, the executor\'s declared env and --executor-env; no runner secret or cloud key', async () => {
    const { api, url } = await kit().coordinator();
    await kit().daemon(['-c', url, '-x', 'print-env', '--executor-env', 'OPERATOR_NAME', '--executor-env', 'OPS_*'], RUNNER_ENV);
    const { session_id, run_id } = await createSession(api, { executor: 'print-env', prompt: 'x' });
    const session = await waitForSession(api, session_id, ['idle', 'failed']);
    const env = (session.result!.result_data as { env: Record<string, string> }).env;

    for (const name of ['GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'AGENT_RUNNER_SECRET', 'AGENT_RUNNER_TAGS', 'AGENT_RUNNER_EXECUTORS_PATH', 'AGENT_RUNNER_STATE_DIR']) {
      expect(env[name], name).toBeUndefined();
    }
    expect(env).toMatchObject({
      DECLARED_NAME: 'declared',
      DECLARED_PREFIX_ONE: 'declared prefix',
      OPERATOR_NAME: 'operator',
      OPS_ONE: 'operator prefix',
      LC_ALL: 'C',
      AGENT_SESSION_ID: session_id,
      AGENT_RUN_ID: run_id,
      PATH: process.env.PATH,
    });
    expect(env.AGENT_RUNNER_MCP_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    // The run's span (its attempt's) in its session's trace.
    expect(env.TRACEPARENT).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const allowed = /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LC_.*|TERM|TMPDIR|TZ|AGENT_SESSION_ID|AGENT_RUN_ID|AGENT_RUNNER_MCP_URL|AGENT_RUNNER_EXECUTION|TRACEPARENT|DECLARED_NAME|DECLARED_PREFIX_.*|OPERATOR_NAME|OPS_.*)$/;
    // Nothing else: every name it got is one of the rules above.
    expect(Object.keys(env).filter((name) => !allowed.test(name))).toEqual([]);
  });

  it('AGENT_RUNNER_EXECUTOR_ENV adds names when --executor-env is absent; the runner\'s own tokens are refused as --executor-env and --blueprint-env', async () => {
    const { api, url } = await kit().coordinator();
    await kit().daemon(['-c', url, '-x', 'print-env'], { ...RUNNER_ENV, AGENT_RUNNER_EXECUTOR_ENV: 'GITHUB_TOKEN' });
    const { session_id } = await createSession(api, { executor: 'print-env', prompt: 'x' });
    const env = ((await waitForSession(api, session_id, ['idle', 'failed'])).result!.result_data as { env: Record<string, string> }).env;
    expect(env.GITHUB_TOKEN).toBe('ghp_runner');
    expect(env.OPERATOR_NAME).toBeUndefined();

    for (const flag of ['--executor-env', '--blueprint-env']) {
      const refused = await kit().cli(['-c', url, '-x', 'print-env', flag, 'AGENT_COORDINATOR_TOKEN']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`${flag}: "AGENT_COORDINATOR_TOKEN" is the runner's own secret`);
    }
  });

  it('`executor check` shows what an executor receives, by name only', async () => {
    const check = await kit().cli(['executor', 'check', 'print-env', '--executor-env', 'OPS_*'], { env: RUNNER_ENV });
    expect(check.stdout).toContain('declared      DECLARED_NAME, DECLARED_PREFIX_*');
    expect(check.stdout).toContain('operator      OPS_*');
    const received = check.stdout.split('\n').find((l) => l.includes('receives now'))!;
    expect(received).toContain('DECLARED_NAME');
    expect(received).toContain('OPS_ONE');
    expect(received).not.toContain('GITHUB_TOKEN');
    expect(check.stdout).not.toContain('ghp_runner');
    expect(check.stdout).not.toContain('declared prefix');
    const json = JSON.parse((await kit().cli(['executor', 'check', 'print-env', '--json'], { env: RUNNER_ENV })).stdout);
    expect(json.environment).toMatchObject({ declared: ['DECLARED_NAME', 'DECLARED_PREFIX_*'], operator: [], set_per_run: ['AGENT_SESSION_ID', 'AGENT_RUN_ID', 'AGENT_RUNNER_MCP_URL', 'AGENT_RUNNER_EXECUTION', 'TRACEPARENT'] });
    expect(json.environment.names).toEqual(expect.arrayContaining(['DECLARED_NAME', 'DECLARED_PREFIX_ONE', 'PATH']));
    expect(json.environment.names).not.toContain('AWS_SECRET_ACCESS_KEY');
  });
});

describe('passedEnv (what the runner takes once per executor when it starts)', () => {
  it('keeps the base set, exact names and prefixes allowed, and never a runner secret, even when a prefix or * covers it', () => {
    const base = { ...RUNNER_ENV, AGENT_COORDINATOR_TOKEN: 'tok', AGENT_RUNNER_TOKEN: 'tok', PATH: '/bin', UNSET: undefined };
    expect(Object.keys(passedEnv(base, ['DECLARED_NAME', 'OPS_*', 'AGENT_*']))).toEqual(['AGENT_RUNNER_TAGS', 'DECLARED_NAME', 'LC_ALL', 'OPS_ONE', 'PATH']);
    const everything = passedEnv(base, ['*']);
    for (const secret of ['AGENT_COORDINATOR_TOKEN', 'AGENT_RUNNER_TOKEN', 'AGENT_RUNNER_SECRET']) expect(everything).not.toHaveProperty(secret);
    expect(everything).not.toHaveProperty('UNSET');
    // A snapshot that somehow held a secret still loses it at the start of the executor.
    const env = buildExecutorEnv({ ...everything, AGENT_RUNNER_SECRET: 'x' }, { sessionId: 'ses_1', allow: ['*'] });
    expect(env).not.toHaveProperty('AGENT_RUNNER_SECRET');
    expect(env).toMatchObject({ AGENT_SESSION_ID: 'ses_1', PATH: '/bin' });
  });
});

describe('trace context in the executor environment', () => {
  const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const base = {
    PATH: '/bin',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
    OTEL_SERVICE_NAME: 'agents',
    OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer backend-secret',
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-key=backend-secret',
    TRACEPARENT: '00-11111111111111111111111111111111-2222222222222222-01',
  };

  it("passes the run's TRACEPARENT and the OTEL_* settings, never the runner's own TRACEPARENT nor the exporter's headers", () => {
    const env = buildExecutorEnv(passedEnv(base, []), { sessionId: 'ses_1', traceparent: TRACEPARENT });
    expect(env).toMatchObject({ TRACEPARENT, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SERVICE_NAME: 'agents' });
    expect(env).not.toHaveProperty('OTEL_EXPORTER_OTLP_HEADERS');
    expect(env).not.toHaveProperty('OTEL_EXPORTER_OTLP_TRACES_HEADERS');
    expect(JSON.stringify(env)).not.toContain('backend-secret');
  });

  it('passes no TRACEPARENT for a run without a trace, even one the runner has or the operator allows', () => {
    const env = buildExecutorEnv(base, { sessionId: 'ses_1', allow: ['TRACEPARENT'] });
    expect(env).not.toHaveProperty('TRACEPARENT');
  });

  it("passes the exporter's headers only when the operator or the executor names them", () => {
    const env = buildExecutorEnv(base, { sessionId: 'ses_1', allow: ['OTEL_EXPORTER_OTLP_HEADERS'] });
    expect(env.OTEL_EXPORTER_OTLP_HEADERS).toBe('authorization=Bearer backend-secret');
    expect(env).not.toHaveProperty('OTEL_EXPORTER_OTLP_TRACES_HEADERS');
  });
});
