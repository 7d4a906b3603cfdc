import { resolve } from 'node:path';
import { parseDuration } from '../../protocol/duration.js';
import { CREDENTIALS_KEY_ENV } from '../credentials/credentials-cipher.js';
import { type CredentialProfile, CredentialsFileError, loadCredentialsFile } from '../credentials/credentials-file.js';
import { envPatternProblem, EXECUTOR_ENV_VAR, isRunnerSecret, SECRET_ENV_NAMES } from '../process/executor-env.js';

/** Executors run at once by default. */
export const DEFAULT_CONCURRENCY = 4;
/** Largest --concurrency accepted. */
export const MAX_CONCURRENCY = 256;
/**
 * Nice levels below the runner its executors run at by default. The runner supervises them: it reads
 * their output, renews its heartbeat and leases, enforces timeouts and cancels, and claims the next runs.
 * Executors that keep every core busy would otherwise get the same share of CPU each as the runner, and a
 * runner of 16 slots on 2 cores then gets a seventeenth of them: its heartbeats come late and new runs
 * wait for it. Measured on the peers bench's load (16 trivial executors on 2 cores, SQLite): time per run
 * 8.4 → 7.6 ms at 5, with the floor (a bare spawn loop) unchanged. 0 runs them at the runner's priority.
 */
export const DEFAULT_EXECUTOR_NICE = 5;
/** How long SIGINT/SIGTERM waits for running executors before cancelling them. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

/** The runner daemon's settings, from flags first, then environment variables, then defaults. */
export interface RunnerConfig {
  /** Coordinator to join; undefined = start one in-process on SQLite. */
  coordinatorUrl: string | undefined;
  /** Executor names to serve; empty = every usable executor found. */
  executors: string[];
  tags: string[];
  projectDir: string;
  concurrency: number;
  /** 0 = any free port. */
  mcpPort: number;
  runTimeoutMs: number | undefined;
  graceMs: number | undefined;
  /** `--executor-nice`: nice levels below the runner its executors run at (0 to 19; DEFAULT_EXECUTOR_NICE). */
  executorNice: number;
  drainTimeoutMs: number;
  /** Names `${env.NAME}` may read in blueprints. */
  blueprintEnv: Set<string>;
  /** Names or prefixes every executor gets on top of the base set and its declared `env` (executor-env.ts). */
  executorEnv: string[];
  /** `--credentials FILE`: the profiles one of which each run gets (none: executors use the runner's environment as allowed). */
  credentials: CredentialProfile[];
  credentialsFile: string | undefined;
  verbose: boolean;
}

export interface RunnerFlags {
  coordinatorUrl?: string;
  executor?: string[];
  tags?: string;
  projectDir?: string;
  concurrency?: string;
  mcpPort?: string;
  runTimeout?: string;
  grace?: string;
  executorNice?: string;
  drainTimeout?: string;
  blueprintEnv?: string[];
  executorEnv?: string[];
  credentials?: string;
  verbose?: boolean;
}

/** Environment variables read when the matching flag is absent. */
export const RUNNER_ENV = {
  coordinatorUrl: 'AGENT_COORDINATOR_URL',
  tags: 'AGENT_RUNNER_TAGS',
  concurrency: 'AGENT_RUNNER_CONCURRENCY',
  executorNice: 'AGENT_RUNNER_EXECUTOR_NICE',
  blueprintEnv: 'AGENT_RUNNER_BLUEPRINT_ENV',
  executorEnv: EXECUTOR_ENV_VAR,
  credentials: 'AGENT_RUNNER_CREDENTIALS',
} as const;

/** A flag or environment value that cannot be used; the message names it and says why. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const list = (text: string | undefined) =>
  (text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

function integer(text: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new ConfigError(`${name}: "${text}" is not a whole number`);
  const value = Number(text);
  if (value < min || value > max) throw new ConfigError(`${name}: ${value} is out of range (${min} to ${max})`);
  return value;
}

function duration(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text, name);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/** `host`, `host:port` or `[v6]:port`, with an optional path: a URL someone wrote without its scheme. */
const WITHOUT_SCHEME = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d+)?(\/(?!\/)\S*)?$/;

function url(text: string, name: string): string {
  if (WITHOUT_SCHEME.test(text.trim())) {
    throw new ConfigError(`${name}: "${text}" has no scheme (did you mean http://${text.trim()}?)`);
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new ConfigError(`${name}: "${text}" is not a URL (expected e.g. http://127.0.0.1:8765)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`${name}: "${text}" must be an http:// or https:// URL`);
  }
  return parsed.href.replace(/\/+$/, '');
}

/** Merge flags, environment and defaults into a checked configuration. */
export function resolveRunnerConfig(flags: RunnerFlags, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): RunnerConfig {
  const from = <K extends keyof typeof RUNNER_ENV>(key: K, flagName: string, flagValue: string | undefined) =>
    flagValue !== undefined ? { value: flagValue, name: flagName } : env[RUNNER_ENV[key]] !== undefined && env[RUNNER_ENV[key]] !== '' ? { value: env[RUNNER_ENV[key]]!, name: RUNNER_ENV[key] } : undefined;

  const coordinator = from('coordinatorUrl', '--coordinator-url', flags.coordinatorUrl);
  const concurrency = from('concurrency', '--concurrency', flags.concurrency);
  const executorNice = from('executorNice', '--executor-nice', flags.executorNice);
  const tags = from('tags', '--tags', flags.tags);
  const credentials = from('credentials', '--credentials', flags.credentials);
  const credentialsFile = credentials === undefined ? undefined : resolve(cwd, credentials.value);
  const blueprintEnvFromFlags = (flags.blueprintEnv?.length ?? 0) > 0;
  const blueprintEnv = blueprintEnvFromFlags ? flags.blueprintEnv!.flatMap(list) : list(env[RUNNER_ENV.blueprintEnv]);
  for (const name of blueprintEnv) {
    const source = blueprintEnvFromFlags ? '--blueprint-env' : RUNNER_ENV.blueprintEnv;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ConfigError(`${source}: "${name}" is not an environment variable name`);
    refuseSecret(name, source);
  }
  return {
    coordinatorUrl: coordinator === undefined ? undefined : url(coordinator.value, coordinator.name),
    executors: (flags.executor ?? []).flatMap(list),
    tags: list(tags?.value),
    projectDir: resolve(cwd, flags.projectDir ?? '.'),
    concurrency: concurrency === undefined ? DEFAULT_CONCURRENCY : integer(concurrency.value, concurrency.name, 1, MAX_CONCURRENCY),
    mcpPort: flags.mcpPort === undefined ? 0 : integer(flags.mcpPort, '--mcp-port', 0, 65_535),
    runTimeoutMs: duration(flags.runTimeout, '--run-timeout'),
    graceMs: duration(flags.grace, '--grace'),
    executorNice: executorNice === undefined ? DEFAULT_EXECUTOR_NICE : integer(executorNice.value, executorNice.name, 0, 19),
    drainTimeoutMs: duration(flags.drainTimeout, '--drain-timeout') ?? DEFAULT_DRAIN_TIMEOUT_MS,
    blueprintEnv: new Set(blueprintEnv),
    executorEnv: resolveExecutorEnv(flags.executorEnv, env),
    credentials: credentialsFile === undefined ? [] : loadProfiles(credentialsFile, credentials!.name, env),
    credentialsFile,
    verbose: flags.verbose === true,
  };
}

function loadProfiles(file: string, source: string, env: NodeJS.ProcessEnv): CredentialProfile[] {
  try {
    return loadCredentialsFile(file, { key: env[CREDENTIALS_KEY_ENV] });
  } catch (error) {
    if (error instanceof CredentialsFileError) throw new ConfigError(`${source}: ${error.message}`);
    throw error;
  }
}

function refuseSecret(name: string, source: string): void {
  if (isRunnerSecret(name)) {
    throw new ConfigError(`${source}: "${name}" is the runner's own secret; ${SECRET_ENV_NAMES.join(', ')} never reach blueprints or executors`);
  }
}

/** `--executor-env` (repeatable or comma-separated), else AGENT_RUNNER_EXECUTOR_ENV: names or prefixes ending in `*`. */
export function resolveExecutorEnv(flagValues: string[] | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const fromFlags = (flagValues?.length ?? 0) > 0;
  const source = fromFlags ? '--executor-env' : RUNNER_ENV.executorEnv;
  const patterns = fromFlags ? flagValues!.flatMap(list) : list(env[RUNNER_ENV.executorEnv]);
  for (const pattern of patterns) {
    const problem = envPatternProblem(pattern, true);
    if (problem !== undefined) throw new ConfigError(`${source}: ${problem}`);
    refuseSecret(pattern, source);
  }
  return patterns;
}
