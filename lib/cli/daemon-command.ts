import { ExecutorResolutionError } from '../discovery/resolve-executor.js';
import { createLogger } from '../log/create-logger.js';
import { LOG_FORMAT_ENV, LogFormatError, resolveLogFormat } from '../log/log-format.js';
import { localCoordinatorUrl, startRunnerStack, type RunnerStack } from '../runner/embedded-stack.js';
import { ConfigError, resolveRunnerConfig, type RunnerFlags } from '../runner/runner-config.js';
import { executorsToServe } from '../runner/serve-executors.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { defaultExecutorFromEnv } from './select-executor.js';

export interface DaemonOptions extends RunnerFlags {
  executorPath?: string;
  executorsDir?: string[];
  logFormat?: string;
}

/**
 * `agent-runner [options]`: the runner daemon. Joins the coordinator given, or starts one in-process on
 * SQLite (on the default port, so other commands on this machine find it). Runs until SIGINT/SIGTERM:
 * the first drains then cancels, a second cancels at once.
 */
export async function daemonCommand(options: DaemonOptions): Promise<number> {
  const cwd = process.cwd();
  if (options.executorPath !== undefined && (options.executor?.length ?? 0) > 0) {
    throw new CliError('--executor and --executor-path cannot be used together; give one', EXIT_USAGE);
  }
  let config;
  let executors;
  let logFormat;
  try {
    logFormat = resolveLogFormat(
      [
        { name: '--log-format', value: options.logFormat },
        { name: LOG_FORMAT_ENV, value: process.env[LOG_FORMAT_ENV] },
      ],
      process.stderr.isTTY === true,
    );
    config = resolveRunnerConfig(options, process.env, cwd);
    executors = executorsToServe({ executors: config.executors, executorPath: options.executorPath, executorsDir: options.executorsDir, cwd });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ExecutorResolutionError || error instanceof LogFormatError) throw new CliError(error.message, EXIT_USAGE);
    throw error;
  }
  let localUrl: string;
  try {
    localUrl = localCoordinatorUrl();
  } catch (error) {
    throw new CliError((error as Error).message, EXIT_USAGE);
  }
  const logger = createLogger({ name: 'agent-runner', verbose: config.verbose, format: logFormat });
  const embeddedPort = Number(new URL(localUrl).port);
  // Signals are handled from here on: one that comes while the runner is still registering (the
  // coordinator may be unreachable for a long time) ends start-up cleanly instead of killing the process.
  const starting = new AbortController();
  let stack: RunnerStack | undefined;
  let stopped!: () => void;
  const done = new Promise<void>((resolve) => (stopped = resolve));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (stack === undefined) {
      logger.info({ signal }, 'stopping before the runner started');
      starting.abort();
      return;
    }
    logger.info({ signal }, signals === 1 ? 'stopping: no new runs; waiting for running executors' : 'cancelling running executors now');
    if (signals === 1) void stack.close().then(stopped);
    else void stack.daemon.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    stack = await startRunnerStack({
      cwd,
      config,
      executors,
      logger,
      url: config.coordinatorUrl,
      embeddedPort,
      defaultExecutor: defaultExecutorFromEnv(),
      apiToken: process.env.AGENT_COORDINATOR_TOKEN,
      signal: starting.signal,
      // The first line a user reads: where the coordinator they did not name runs, and its database.
      embeddedListeningMessage: 'no --coordinator-url: started a coordinator in-process',
    });
  } catch (error) {
    if (starting.signal.aborted) return 0;
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliError(`port ${embeddedPort} is in use: a coordinator may already run there; join it with --coordinator-url ${localUrl}, or move this one with AGENT_RUNNER_LOCAL_PORT`);
    }
    throw error;
  }
  // An embedded coordinator's listening line names its console; one joined by URL serves it there too.
  if (config.coordinatorUrl !== undefined) logger.info({ console: new URL('/', stack.url).href }, 'the coordinator\'s console (web page)');
  await done;
  // Something executors reported never reached the coordinator: say so with the exit code too.
  return stack.daemon.undelivered === undefined ? 0 : 1;
}
