import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Logger } from 'pino';
import { createLogger } from '../lib/log/create-logger.js';
import type { LogFormat } from '../lib/log/log-format.js';
import { openProjectDatabase } from '../lib/state/project-state.js';
import { executorNameProblem } from '../protocol/fields.js';
import { AgentsFolder } from './agents/agents-folder.js';
import { EMPTY_MCP_REGISTRY, loadMcpRegistry, type McpRegistry } from './agents/mcp-registry.js';
import { SkillsFolder } from './skills/skills-folder.js';
import { WorkflowsFolder } from './workflows/workflows-folder.js';
import { type CoordinatorTimings, DEFAULT_AGENTS_DIR, DEFAULT_WORKFLOWS_DIR, DEFAULT_EXECUTOR, DEFAULT_HOST, DEFAULT_PORT, MAX_BODY_BYTES, resolveTimings } from './constants.js';
import { createContext, dispatchChanges } from './http/context.js';
import { buildApp } from './http/app.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';
import { startSweeper } from './sweeper.js';
import { startTracing } from '../lib/trace/tracing.js';
import { RunSpans } from './tracing/run-spans.js';
import { startDeliveryWorker } from './notify/delivery-worker.js';
import { loadNotifyConfig, type ResolvedNotifyConfig } from './notify/notify-config.js';
import { outboxPlanOf } from './notify/outbox-routes.js';
import { runEndHeard } from './notify/run-end-heard.js';
import { startTelegramAnswerPolls } from './notify/telegram-wiring.js';
import { RoutingTable } from './routing/routing-table.js';
import type { RoutingStatus } from '../protocol/routing.js';

export interface CoordinatorOptions {
  /** Interface to bind (default 127.0.0.1). Anything but loopback requires `apiToken`. */
  host?: string;
  /** Port (default 8765; 0 picks a free one). */
  port?: number;
  /** SQLite file path or a `postgres://` URL (default: `coordinator.db` in the cwd's state folder, lib/state). */
  databaseUrl?: string;
  /** PostgreSQL schema to use instead of `public` (created if missing). */
  databaseSchema?: string;
  /**
   * Folder of `<name>.json` agent blueprints, loaded at start and watched (default `./agents`; `null`
   * loads none). A bad file is skipped with a warning and listed as a problem; an unreadable folder stops start-up.
   */
  agentsDir?: string | null;
  /**
   * Folder of workflow files (`*.yaml`, `*.yml`, `*.json`), loaded at start and watched (default
   * `./workflows`; `null` loads none). A bad file is skipped with a warning and listed as a problem.
   */
  workflowsDir?: string | null;
  /** Folder of Agent Skills (each a folder with SKILL.md), read at start and on `POST /v1/skills/reload`; unset: none. */
  skillsDir?: string | null;
  /** The shared MCP servers file (`--mcp-servers`, JSON or YAML), or a registry already loaded; unset: none. */
  mcpServers?: string | McpRegistry | null;
  /** The workflow retry jitter's source (tests fix it). */
  workflowRandom?: () => number;
  /** Reload the agents folder when it changes (default true); `POST /v1/agents/reload` works either way. */
  watchAgents?: boolean;
  /** Bearer token for the user-facing API; `null`/unset leaves it open (loopback only). */
  apiToken?: string | null;
  timings?: Partial<CoordinatorTimings>;
  maxBodyBytes?: number;
  /** The executor of sessions that name none and whose agent names none (default `claude-code`). */
  defaultExecutor?: string;
  /** pino level (default `info`, or `silent` under vitest); ignored when `logger` is given. */
  logLevel?: string;
  /** `json` or `pretty` (default: AGENT_RUNNER_LOG_FORMAT, else pretty on a terminal); ignored when `logger` is given. */
  logFormat?: LogFormat;
  logger?: Logger;
  /**
   * The notification config (`--notify`): a JSON or YAML file, or one already loaded (loadNotifyConfig).
   * Unset: no notifications, and no statement spent on them.
   */
  notify?: string | ResolvedNotifyConfig | null;
  /** How often the delivery worker looks for due notifications when idle (default NOTIFY_POLL_MS). */
  notifyPollMs?: number;
  /** How long a Telegram getUpdates long-poll waits for an answer, in seconds (default 25). */
  telegramPollTimeoutS?: number;
  /** The notification backoff's jitter source (tests fix it). */
  notifyRandom?: () => number;
  /**
   * The model routing file (`--routing`, YAML or JSON; docs/coordinator.md, "Models and routing"), read at
   * start (a bad file stops start-up) and again when it changes. Unset: every run gets its blueprint's own model.
   */
  routing?: string | null;
  /** Called after each reading of the routing file that changed something (tests wait on it). */
  onRoutingReload?: (status: RoutingStatus) => void;
  /** The message of the line logged once it listens, with its url, store, database and agents (default `coordinator listening`). */
  listeningMessage?: string | undefined;
}

export interface RunningCoordinator {
  url: string;
  host: string;
  port: number;
  store: Store;
  timings: CoordinatorTimings;
  /** Stop accepting requests, end open streams, stop the sweep, close the store. */
  close(): Promise<void>;
}

/** A configuration problem that stops start-up; the message says what to change. */
export class CoordinatorConfigError extends Error {
  override name = 'CoordinatorConfigError';
}

/** Refuse an executor name no executor folder can have (empty, a path, spaces or control characters), naming the option. */
export function checkExecutorName(name: string, option: string): void {
  const problem = executorNameProblem(name);
  if (problem !== null) throw new CoordinatorConfigError(`${option}: ${problem}`);
}

/** Whether a host name or address is loopback-only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Start a coordinator in this process: open and migrate the store, load the agents folder, serve HTTP.
 * With OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) in process.env, each run's span is
 * exported once the run ended (docs/observability.md).
 * @example const c = await startCoordinator({ port: 0, databaseUrl: '/tmp/x.db' }); … await c.close();
 */
export async function startCoordinator(options: CoordinatorOptions = {}): Promise<RunningCoordinator> {
  const host = options.host ?? DEFAULT_HOST;
  const apiToken = options.apiToken ?? null;
  if (!isLoopback(host) && apiToken === null) {
    throw new CoordinatorConfigError(
      `refusing to listen on ${host} without an API token: set --api-token or AGENT_COORDINATOR_TOKEN, or bind to 127.0.0.1`,
    );
  }
  const logger =
    options.logger ??
    createLogger({ name: 'agent-coordinator', level: options.logLevel ?? (process.env.VITEST ? 'silent' : 'info'), format: options.logFormat, sync: true });
  const timings = resolveTimings(options.timings);
  if (options.defaultExecutor !== undefined) checkExecutorName(options.defaultExecutor, 'defaultExecutor');
  const agentsDir = options.agentsDir === undefined ? DEFAULT_AGENTS_DIR : options.agentsDir;
  // A bad notification config stops start-up before anything is opened.
  const notify = typeof options.notify === 'string' ? loadNotifyConfig(options.notify) : (options.notify ?? null);
  const mcpRegistry = typeof options.mcpServers === 'string' ? loadMcpRegistry(options.mcpServers) : (options.mcpServers ?? EMPTY_MCP_REGISTRY);
  const skillsFolder = options.skillsDir == null ? null : new SkillsFolder(options.skillsDir, logger);
  // An unreadable skills folder stops start-up, as an unreadable explicit agents folder does.
  await skillsFolder?.reload();
  // So does a bad routing file.
  const routing = new RoutingTable(options.routing ?? null, logger, options.onRoutingReload);
  const databaseUrl = options.databaseUrl ?? openProjectDatabase(process.cwd(), logger);
  const store = await openStore({ databaseUrl, schema: options.databaseSchema });
  if (notify !== null) store.setOutboxPlan(outboxPlanOf(notify));
  const agentsFolder = agentsDir === null ? null : new AgentsFolder({ dir: agentsDir, optional: options.agentsDir === undefined, store, logger, rules: { mcpRegistry, skillsFolder } });
  const workflowsDir = options.workflowsDir === undefined ? DEFAULT_WORKFLOWS_DIR : options.workflowsDir;
  const workflowsFolder = workflowsDir === null ? null : new WorkflowsFolder({ dir: workflowsDir, optional: options.workflowsDir === undefined, store, logger });
  const defaultExecutor = options.defaultExecutor ?? DEFAULT_EXECUTOR;
  store.setWorkflowSettings({ defaultExecutor, maxAttempts: timings.maxAttempts, random: options.workflowRandom ?? Math.random });
  const ctx = createContext({
    store, timings, logger, apiToken, maxBodyBytes: options.maxBodyBytes ?? MAX_BODY_BYTES, defaultExecutor, agentsFolder, workflowsFolder, routing,
    skillsFolder, mcpRegistry,
  });
  let agents = 0;
  let workflows = 0;
  let runSpans: RunSpans | null = null;
  // Started once the store is subscribed; a run's end heard before then is found by the worker's first look.
  let worker: ReturnType<typeof startDeliveryWorker> | null = null;
  try {
    // Watching first: a change while the folder is read is read again.
    if (options.watchAgents !== false) await agentsFolder?.watch();
    agents = (await agentsFolder?.reload(true))?.loaded.length ?? 0;
    if (options.watchAgents !== false) await workflowsFolder?.watch();
    workflows = (await workflowsFolder?.reload(true))?.loaded.length ?? 0;
    if (options.watchAgents !== false) await routing.watch();
    const spans = await startTracing(process.env, 'agent-coordinator', logger);
    runSpans = spans === null ? null : new RunSpans(store, spans, logger);
    await store.sql.subscribeChanges((changes) => {
      dispatchChanges(ctx, changes);
      runSpans?.hear(changes);
      if (worker !== null && runEndHeard(changes)) worker.kick();
    });
  } catch (error) {
    routing.close();
    await runSpans?.close();
    await agentsFolder?.close();
    await workflowsFolder?.close();
    await store.close();
    throw error;
  }
  const stopSweeper = startSweeper(ctx);
  worker = notify === null ? null : startDeliveryWorker({ store, config: notify, logger, pollMs: options.notifyPollMs, random: options.notifyRandom });
  const stopTelegram = notify === null ? async () => {} : startTelegramAnswerPolls(store, notify, logger, options.telegramPollTimeoutS);
  const app = buildApp(ctx);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? DEFAULT_PORT }, () => resolve(s));
    s.once('error', reject);
  }).catch(async (error: unknown) => {
    await stopSweeper();
    await worker?.stop();
    await stopTelegram();
    routing.close();
    await agentsFolder?.close();
    await workflowsFolder?.close();
    await runSpans?.drain();
    await store.close();
    await runSpans?.close();
    throw error;
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  // A SQLite file's path says where the data is; a PostgreSQL URL may hold a password, so it is not logged.
  const database = store.dialect === 'sqlite' ? { database: databaseUrl } : {};
  const notifications = notify === null ? {} : { notify: notify.file, targets: notify.targets.map((t) => t.name) };
  const routed = routing.file === null ? {} : { routing: routing.file, routing_rules: routing.status().rules.length };
  logger.info({ url, console: `${url}/`, store: store.dialect, ...database, agents, workflows, ...notifications, ...routed }, options.listeningMessage ?? 'coordinator listening');
  let closing: Promise<void> | null = null;
  return {
    url,
    host,
    port,
    store,
    timings,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Long-polls and SSE streams would hold close() open; end them.
          (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        await stopSweeper();
        await worker?.stop();
        await stopTelegram();
        routing.close();
        await agentsFolder?.close();
        await workflowsFolder?.close();
    await workflowsFolder?.close();
        // The spans of runs that ended read their run before the store closes; then they are sent.
        await runSpans?.drain();
        await store.close();
        await runSpans?.close();
        logger.info('coordinator stopped');
      })();
      return closing;
    },
  };
}
