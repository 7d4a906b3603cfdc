import type { Logger } from 'pino';
import type { RunningCoordinator } from '../../coordinator/index.js';
import { localCoordinatorUrl } from '../client/local-coordinator.js';
import { parseRepliesWithoutJit } from '../client/reply.js';
import { UserApi } from '../client/user-api.js';
import type { RunnerStack } from '../runner/embedded-stack.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { ConfigError, resolveRunnerConfig, type RunnerConfig } from '../runner/runner-config.js';

export interface Connection {
  api: UserApi;
  /** Set when no coordinator was running and one was started here for this command. */
  embedded: boolean;
  /**
   * End the connection; an embedded runner drains its runs first (30 s), or with `cancelRuns` (the
   * command was interrupted) cancels them at once (SIGTERM → grace → SIGKILL) and records their end.
   */
  close(options?: { cancelRuns?: boolean }): Promise<void>;
  /**
   * Let this command's in-process runner run this session and its descendants: it serves nothing else,
   * so work an earlier command left in the embedded database is not run behind the user's back.
   */
  serveTree(sessionId: string): void;
}

export interface ConnectOptions {
  coordinatorUrl?: string | undefined;
  /** Start a runner too when embedding (commands that run work: `run`, `sessions resume`). */
  withRunner: boolean;
  executorsDir?: string[] | undefined;
  projectDir?: string | undefined;
  /** SIGTERM → SIGKILL grace of the embedded runner (`--grace`). */
  grace?: string | undefined;
  cwd: string;
  /** The logger of a coordinator or runner started here; a function is called only when one is started. */
  logger: Logger | (() => Logger | Promise<Logger>);
}

/**
 * The coordinator a client command talks to: `--coordinator-url` / AGENT_COORDINATOR_URL; else one
 * already running on this machine's default port; else one started in-process on SQLite for the
 * duration of the command (with a runner serving every executor, when the command runs work; a run it
 * cannot serve fails at once, since no other runner can join it). The
 * modules of an in-process coordinator and runner (and the logger) load only in that last case, so a
 * command answered by a running coordinator starts fast.
 */
export async function connectCoordinator(options: ConnectOptions): Promise<Connection> {
  // A command parses a few replies and exits: zod's JIT would cost more than it saves (reply.ts).
  parseRepliesWithoutJit();
  const token = process.env.AGENT_COORDINATOR_TOKEN;
  let config: RunnerConfig;
  try {
    // The URL from --coordinator-url, else AGENT_COORDINATOR_URL: a malformed one is named as given.
    config = resolveRunnerConfig({ coordinatorUrl: options.coordinatorUrl, projectDir: options.projectDir, grace: options.grace }, process.env, options.cwd);
  } catch (error) {
    // A flag or variable the message names (`--coordinator-url: "localhost:8765" has no scheme …`).
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT_USAGE);
    throw error;
  }
  if (config.coordinatorUrl !== undefined) {
    const api = new UserApi(config.coordinatorUrl, token);
    return { api, embedded: false, close: () => api.close(), serveTree: () => undefined };
  }
  let localUrl: string;
  try {
    localUrl = localCoordinatorUrl();
  } catch (error) {
    throw new CliError((error as Error).message, EXIT_USAGE);
  }
  const local = new UserApi(localUrl, token);
  if (await local.healthy(300)) return { api: local, embedded: false, close: () => local.close(), serveTree: () => undefined };
  await local.close();
  return embed(options, config);
}

/** Start a coordinator (and, `withRunner`, a runner) in this process for the duration of the command. */
async function embed(options: ConnectOptions, config: RunnerConfig): Promise<Connection> {
  const token = process.env.AGENT_COORDINATOR_TOKEN;
  const [{ startEmbeddedCoordinator, startRunnerStack }, { executorsToServe }, { ServedTrees }, { defaultExecutorFromEnv }, logger] = await Promise.all([
    import('../runner/embedded-stack.js'),
    import('../runner/serve-executors.js'),
    import('../runner/served-trees.js'),
    import('./select-executor.js'),
    typeof options.logger === 'function' ? options.logger() : options.logger,
  ]);
  const defaultExecutor = defaultExecutorFromEnv();
  const trees = new ServedTrees();
  let stack: RunnerStack | undefined;
  let coordinator: RunningCoordinator | undefined;
  if (options.withRunner) {
    stack = await startRunnerStack({
      cwd: options.cwd,
      config: { ...config, concurrency: 8 },
      executors: executorsToServe({ executors: [], executorsDir: options.executorsDir, cwd: options.cwd }),
      logger,
      url: undefined,
      embeddedPort: 0,
      defaultExecutor,
      // No other runner can join a coordinator that lives for one command: a run its runner cannot serve fails now.
      placementTimeoutMs: 0,
      trees,
    });
  } else {
    coordinator = await startEmbeddedCoordinator({ cwd: options.cwd, port: 0, logger, defaultExecutor });
  }
  const api = new UserApi(stack?.url ?? coordinator!.url, token);
  return {
    api,
    embedded: true,
    serveTree: (sessionId) => trees.add(sessionId),
    async close(how = {}) {
      await api.close();
      await stack?.close(how);
      await coordinator?.close();
    },
  };
}
