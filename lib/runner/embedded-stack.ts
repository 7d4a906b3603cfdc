import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { RunningCoordinator } from '../../coordinator/index.js';
import { RunnerApi } from '../client/runner-api.js';
import { startRunnerMcp, type RunnerMcp } from '../mcp/runner-endpoint.js';
import type { ResolvedExecutor } from '../discovery/resolve-executor.js';
import { openProjectDatabase, openProjectState } from '../state/project-state.js';
import { RunnerDaemon } from './runner-daemon.js';
import type { ServedTrees } from './served-trees.js';
import type { RunnerConfig } from './runner-config.js';

// Where clients look for this machine's coordinator: in lib/client, so client commands need not load the runner.
export { DEFAULT_LOCAL_PORT, LOCAL_PORT_ENV, localCoordinatorUrl } from '../client/local-coordinator.js';

export interface EmbeddedCoordinatorOptions {
  cwd: string;
  /** 0 = any free port. */
  port: number;
  logger: Logger;
  /** The executor of sessions that name none and whose agent names none (agent-coordinator's `--default-executor`). */
  defaultExecutor: string;
  /**
   * How long a run no online runner serves may wait (default: the coordinator's, 10 min). 0 fails it at once:
   * for a coordinator that lives only as long as one command, whose own runner is the only one there will be.
   */
  placementTimeoutMs?: number | undefined;
  /** The message of its `listening` line (url, store, database, agents); default `coordinator listening`. */
  listeningMessage?: string | undefined;
}

/** The shared MCP servers file the embedded coordinator reads when the working directory has one (the first found). */
export const EMBEDDED_MCP_SERVERS_FILES = ['mcp-servers.yaml', 'mcp-servers.yml', 'mcp-servers.json'] as const;

/**
 * Start a coordinator in this process on SQLite in the project's state folder, with `./agents`, `./skills`
 * and `./mcp-servers.{yaml,yml,json}` if present.
 */
export async function startEmbeddedCoordinator(options: EmbeddedCoordinatorOptions): Promise<RunningCoordinator> {
  const databaseUrl = openProjectDatabase(options.cwd, options.logger);
  const agentsDir = join(options.cwd, 'agents');
  const skillsDir = join(options.cwd, 'skills');
  const mcpServers = EMBEDDED_MCP_SERVERS_FILES.map((name) => join(options.cwd, name)).find((file) => existsSync(file));
  // Loaded on use: a runner joined to a remote coordinator never needs Hono, SQLite or pg in memory.
  const { startCoordinator } = await import('../../coordinator/index.js');
  return startCoordinator({
    host: '127.0.0.1',
    port: options.port,
    databaseUrl,
    agentsDir: existsSync(agentsDir) ? agentsDir : null,
    skillsDir: existsSync(skillsDir) ? skillsDir : null,
    mcpServers: mcpServers ?? null,
    logger: options.logger.child({ component: 'coordinator' }),
    defaultExecutor: options.defaultExecutor,
    ...(options.placementTimeoutMs === undefined ? {} : { timings: { placementTimeoutMs: options.placementTimeoutMs } }),
    listeningMessage: options.listeningMessage,
  });
}

export interface RunnerStack {
  url: string;
  daemon: RunnerDaemon;
  coordinator: RunningCoordinator | undefined;
  /** This project's state folder (lib/state): the embedded database, the MCP key, the event spool. */
  stateDir: string;
  /** The session-scoped MCP endpoint (docs/mcp.md). */
  mcp: RunnerMcp;
  /** Stop the runner (drain, cancel; with `cancelRuns`, cancel at once) and the embedded coordinator, if any. */
  close(options?: { cancelRuns?: boolean }): Promise<void>;
}

/** A runner daemon joined to `url`, or to a coordinator started in-process when `url` is undefined. */
export async function startRunnerStack(options: {
  /** The folder whose state folder (lib/state) holds the embedded database, the MCP key and the event spool. */
  cwd: string;
  config: RunnerConfig;
  executors: ResolvedExecutor[];
  logger: Logger;
  url: string | undefined;
  embeddedPort: number;
  /** The executor of runs that name none: the embedded coordinator's `--default-executor`, and the runner's fallback. */
  defaultExecutor: string;
  /** The embedded coordinator's placement timeout (see EmbeddedCoordinatorOptions). */
  placementTimeoutMs?: number | undefined;
  /** The message of the embedded coordinator's `listening` line, logged before anything of the runner. */
  embeddedListeningMessage?: string | undefined;
  apiToken?: string | undefined;
  /** Abort to give up starting (e.g. SIGTERM while the coordinator is still unreachable). */
  signal?: AbortSignal | undefined;
  /** Serve only these session trees (a client command's in-process runner); absent: every run. */
  trees?: ServedTrees | undefined;
}): Promise<RunnerStack> {
  const { config, logger } = options;
  const coordinator =
    options.url === undefined
      ? await startEmbeddedCoordinator({
          cwd: options.cwd, port: options.embeddedPort, logger, defaultExecutor: options.defaultExecutor, placementTimeoutMs: options.placementTimeoutMs,
          listeningMessage: options.embeddedListeningMessage,
        })
      : undefined;
  const url = options.url ?? coordinator!.url;
  const stateDir = openProjectState(options.cwd, logger);
  let mcp: RunnerMcp;
  try {
    mcp = await startRunnerMcp({ stateDir, port: config.mcpPort, coordinatorUrl: url, apiToken: options.apiToken, logger });
  } catch (error) {
    await coordinator?.close();
    throw error;
  }
  const daemon = new RunnerDaemon({
    config,
    executors: options.executors,
    api: new RunnerApi(url, options.apiToken),
    logger,
    stateDir,
    defaultExecutor: options.defaultExecutor,
    mcpUrl: mcp.endpoint.url,
    decorateBlueprint: mcp.decorateBlueprint,
    trees: options.trees,
  });
  mcp.attach(daemon);
  const stopStarting = () => void daemon.stop();
  options.signal?.addEventListener('abort', stopStarting, { once: true });
  try {
    if (options.signal?.aborted) stopStarting();
    await daemon.start();
  } catch (error) {
    await daemon.stop();
    await mcp.endpoint.close();
    await coordinator?.close();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', stopStarting);
  }
  let closing: Promise<void> | undefined;
  return {
    url,
    daemon,
    coordinator,
    stateDir,
    mcp,
    close(how = {}) {
      closing ??= (async () => {
        await daemon.stop();
        await mcp.endpoint.close();
        await coordinator?.close();
      })();
      // A second stop request skips the drain: what still runs is cancelled now (runner-shutdown.ts).
      if (how.cancelRuns === true) void daemon.stop();
      return closing;
    },
  };
}
