import { EXECUTION_MARK_ENV } from './process-group.js';

/** Runner secrets that never reach an executor's environment, whatever is allowed. */
export const SECRET_ENV_NAMES = ['AGENT_COORDINATOR_TOKEN', 'AGENT_RUNNER_TOKEN', 'AGENT_RUNNER_SECRET', 'AGENT_RUNNER_CREDENTIALS_KEY'] as const;

/**
 * What every executor gets from the runner's environment: enough to find programs, a home, a user, a
 * locale, a terminal type, a temp folder and a time zone. Everything else (cloud keys, tokens) stays out
 * unless the executor declares it (`executor.json` `env`) or the operator adds it (`--executor-env`).
 */
export const BASE_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_*', 'TERM', 'TMPDIR', 'TZ'] as const;

/** The variables the runner sets for each run (the only `AGENT_*` an executor sees unless allowed; TRACEPARENT when the run has a trace). */
export const RUN_ENV_NAMES = ['AGENT_SESSION_ID', 'AGENT_RUN_ID', 'AGENT_RUNNER_MCP_URL', EXECUTION_MARK_ENV, 'TRACEPARENT'] as const;

/**
 * OpenTelemetry's settings pass to every executor, so one that traces (Claude Code, an SDK) exports to
 * the same backend under the run's TRACEPARENT: every `OTEL_*` of the runner's environment except the
 * exporter's headers, which may hold the backend's credentials (passed only when `--executor-env` or the
 * executor's `env` names them).
 */
export const TRACE_ENV_PREFIX = 'OTEL_';
const WITHHELD_TRACE_ENV = /^OTEL_EXPORTER_OTLP_(?:[A-Z]+_)?HEADERS$/;

/** Environment variable with more names or prefixes for every executor, when `--executor-env` is absent. */
export const EXECUTOR_ENV_VAR = 'AGENT_RUNNER_EXECUTOR_ENV';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Why `pattern` is not an environment variable name or a prefix ending in `*` (`ANTHROPIC_*`), or
 * undefined when it is one. A bare `*` (everything) is allowed only where `wildcard` says so.
 */
export function envPatternProblem(pattern: string, wildcard = false): string | undefined {
  if (pattern === '*') return wildcard ? undefined : '"*" would pass the whole environment; name the variables or prefixes';
  const name = pattern.endsWith('*') ? pattern.slice(0, -1) : pattern;
  return NAME.test(name) ? undefined : `"${pattern}" is not an environment variable name or a prefix ending in *`;
}

/** Whether `name` is one of the runner's own secrets (refused in `--blueprint-env` and `--executor-env`). */
export function isRunnerSecret(name: string): boolean {
  return (SECRET_ENV_NAMES as readonly string[]).includes(name);
}

/** The names of `base` an executor allowed `allow` (on top of BASE_ENV) receives, sorted; never a secret. */
export function passedEnvNames(base: NodeJS.ProcessEnv, allow: readonly string[]): string[] {
  // Patterns split once into exact names and prefixes: this runs for every executor start.
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const pattern of [...BASE_ENV, ...allow]) {
    if (pattern.endsWith('*')) prefixes.push(pattern.slice(0, -1));
    else exact.add(pattern);
  }
  const names: string[] = [];
  for (const name of Object.keys(base)) {
    if (base[name] === undefined || isRunnerSecret(name)) continue;
    if (exact.has(name) || prefixes.some((prefix) => name.startsWith(prefix))) names.push(name);
    else if (name.startsWith(TRACE_ENV_PREFIX) && !WITHHELD_TRACE_ENV.test(name)) names.push(name);
  }
  return names.sort();
}

/**
 * The part of `base` an executor allowed `allow` receives (what buildExecutorEnv starts from), as a
 * plain object: the runner takes it once per executor when it starts, so a run does not enumerate
 * `process.env` (each read of it is a call into the C++ environment). Never holds a secret.
 */
export function passedEnv(base: NodeJS.ProcessEnv, allow: readonly string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of passedEnvNames(base, allow)) env[name] = base[name];
  return env;
}

/**
 * The variables that choose which account a model API call is billed to. A run with a credential profile
 * is that profile's account alone: the runner's own values of these are not passed beside it (Claude Code
 * prefers an `ANTHROPIC_API_KEY` over a `CLAUDE_CODE_OAUTH_TOKEN`, so a runner's key would silently win over
 * the profile's token). Endpoints (`ANTHROPIC_BASE_URL`) are not accounts: the runner's pass unless the profile sets its own.
 */
export const ACCOUNT_ENV_NAMES = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'OPENAI_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY'] as const;

export interface ExecutorEnvFacts {
  sessionId: string;
  runId?: string | undefined;
  mcpUrl?: string | undefined;
  /** A random id unique to this executor start: finds its processes wherever they went (process-group.ts). */
  executionMark?: string | undefined;
  /** Names or prefixes passed on top of BASE_ENV: the executor's declared `env` and the operator's `--executor-env`. */
  allow?: readonly string[] | undefined;
  /** The W3C traceparent the executor's own spans go under (`TRACEPARENT`); none inherited from the runner otherwise. */
  traceparent?: string | null | undefined;
  /**
   * The variables of the credential profile the coordinator chose for this run (its secrets): they replace
   * the runner's own of the same names; never a runner secret nor a variable the runner sets per run.
   */
  credentialEnv?: Readonly<Record<string, string>> | undefined;
}

/**
 * The environment an executor gets: BASE_ENV and the allowed names of the runner's own (never its
 * secrets), plus `AGENT_SESSION_ID`, `AGENT_RUN_ID` and `AGENT_RUNNER_MCP_URL` (empty when there is no MCP
 * endpoint, e.g. `invoke`), the execution mark `AGENT_RUNNER_EXECUTION`, and the run's `TRACEPARENT`
 * (never the runner's own: an executor's spans belong to the run's trace) with the `OTEL_*` settings; over
 * them the run's credential profile's variables, when it has one (and then none of the runner's own
 * ACCOUNT_ENV_NAMES).
 */
export function buildExecutorEnv(base: NodeJS.ProcessEnv, facts: ExecutorEnvFacts): NodeJS.ProcessEnv {
  const env = passedEnv(base, facts.allow ?? []);
  if (facts.credentialEnv !== undefined) for (const name of ACCOUNT_ENV_NAMES) delete env[name];
  for (const [name, value] of Object.entries(facts.credentialEnv ?? {})) {
    if (!isRunnerSecret(name) && !(RUN_ENV_NAMES as readonly string[]).includes(name)) env[name] = value;
  }
  env.AGENT_SESSION_ID = facts.sessionId;
  env.AGENT_RUN_ID = facts.runId ?? '';
  env.AGENT_RUNNER_MCP_URL = facts.mcpUrl ?? '';
  if (facts.executionMark !== undefined) env[EXECUTION_MARK_ENV] = facts.executionMark;
  if (facts.traceparent != null) env.TRACEPARENT = facts.traceparent;
  else delete env.TRACEPARENT;
  return env;
}

/** What an executor receives, by name only (never values): for `executor check` and its `--json`. */
export interface ExecutorEnvReport {
  base: string[];
  declared: string[];
  operator: string[];
  set_per_run: string[];
  /** The names of `env` that would pass now, plus the ones set for each run. */
  names: string[];
}

/** Describe the environment an executor with `declared` env gets from `env` with the operator's additions. */
export function describeExecutorEnv(declared: readonly string[], operator: readonly string[], env: NodeJS.ProcessEnv = process.env): ExecutorEnvReport {
  const names = [...new Set([...passedEnvNames(env, [...declared, ...operator]), ...RUN_ENV_NAMES])].sort();
  return { base: [...BASE_ENV], declared: [...declared], operator: [...operator], set_per_run: [...RUN_ENV_NAMES], names };
}
