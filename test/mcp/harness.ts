import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { pino } from 'pino';
import { type CoordinatorOptions, startCoordinator, type RunningCoordinator } from '../../coordinator/start-coordinator.js';
import { UserApi } from '../../lib/client/user-api.js';
import type { SessionEvent } from '../../protocol/events.js';
import type { SessionView } from '../../protocol/sessions.js';
import { discoverExecutors } from '../../lib/discovery/discover-executors.js';
import { resolveExecutorByName } from '../../lib/discovery/resolve-executor.js';
import { executorSearchDirs } from '../../lib/discovery/search-dirs.js';
import { sessionToken } from '../../lib/mcp/session-token.js';
import { startRunnerStack, type RunnerStack } from '../../lib/runner/embedded-stack.js';
import { resolveRunnerConfig } from '../../lib/runner/runner-config.js';
import { FIXTURE_EXECUTORS, ROOT, tempDir } from '../helpers/fixtures.js';

export const silent = pino({ level: 'silent' });

/** A tag no runner of the test bed has: a session that asks for it stays queued. */
export const QUEUED_TAG = 'never-served';

/** The executors the MCP tests serve: the echoing test executor, the MCP driver, and slow-echo (runs until stopped). */
export function mcpTestExecutors() {
  const discovery = discoverExecutors(executorSearchDirs({ cwd: ROOT, env: {}, extraDirs: [FIXTURE_EXECUTORS] }));
  return ['test-executor', 'mcp-driver', 'slow-echo'].map((name) => resolveExecutorByName(name, discovery));
}

/** Start a coordinator on SQLite in `dir` (a fixed port when given, e.g. to restart it in place). */
export function startTestCoordinatorIn(dir: string, port = 0, options: CoordinatorOptions = {}): Promise<RunningCoordinator> {
  return startCoordinator({ port, databaseUrl: join(dir, 'coordinator.db'), agentsDir: null, workflowsDir: null, logLevel: 'silent', timings: { sweepIntervalMs: 50 }, ...options });
}

/** Start a runner (with its MCP endpoint) joined to `url`, keeping its state under `cwd`. */
export function startTestRunner(cwd: string, url: string, mcpPort = 0, concurrency = 16): Promise<RunnerStack> {
  const config = resolveRunnerConfig({ coordinatorUrl: url, mcpPort: String(mcpPort), concurrency: String(concurrency), drainTimeout: '5s' }, {}, cwd);
  return startRunnerStack({ cwd, config, executors: mcpTestExecutors(), logger: silent, url, embeddedPort: 0, defaultExecutor: 'test-executor' });
}

/** A coordinator, a runner with its MCP endpoint, a user API client, and MCP clients for any session. */
export class McpTestBed {
  readonly dir: string;
  coordinator!: RunningCoordinator;
  runner!: RunnerStack;
  user!: UserApi;
  readonly #clients: Client[] = [];
  readonly #cleanup: () => void;

  constructor() {
    const temp = tempDir('mcp-test-');
    this.dir = temp.dir;
    this.#cleanup = temp.cleanup;
  }

  static async start(options: { concurrency?: number; coordinator?: (dir: string) => CoordinatorOptions } = {}): Promise<McpTestBed> {
    const bed = new McpTestBed();
    bed.coordinator = await startTestCoordinatorIn(bed.dir, 0, options.coordinator?.(bed.dir));
    bed.runner = await startTestRunner(bed.dir, bed.coordinator.url, 0, options.concurrency);
    bed.user = new UserApi(bed.coordinator.url);
    return bed;
  }

  get mcpUrl(): string {
    return this.runner.mcp.endpoint.url;
  }

  /** The runner's secret, as it persisted it. */
  get secret(): string {
    return readFileSync(join(this.runner.stateDir, 'mcp-secret'), 'utf8').trim();
  }

  token(sessionId: string): string {
    return sessionToken(this.secret, sessionId);
  }

  /** An official MCP SDK client for `sessionId` (its real token unless `headers` replace them), connected. */
  async client(sessionId: string, headers?: Record<string, string>): Promise<Client> {
    const transport = new StreamableHTTPClientTransport(new URL(this.mcpUrl), {
      requestInit: { headers: headers ?? { 'X-Agent-Session-Id': sessionId, Authorization: `Bearer ${this.token(sessionId)}` } },
    });
    const client = new Client({ name: 'mcp-test', version: '1.0.0' });
    await client.connect(transport);
    this.#clients.push(client);
    return client;
  }

  /**
   * A test-executor session that still has work (its run stays queued: no runner has QUEUED_TAG), so its
   * MCP token may call the tools; a token of an ended session is refused.
   */
  async liveSession(prompt = 'hello', extra: { parent_session_id?: string } = {}): Promise<SessionView> {
    const { session_id } = await this.user.createSession({ executor: 'test-executor', tags: [QUEUED_TAG], prompt, ...extra });
    return this.user.getSession(session_id);
  }

  /** Create a session and wait until its run ended. */
  async endedSession(prompt = 'hello', extra: { parent_session_id?: string } = {}): Promise<SessionView> {
    const { session_id } = await this.user.createSession({ executor: 'test-executor', prompt, ...extra });
    return this.waitEnded(session_id);
  }

  /** Wait until a session has no run in flight, following its event stream. */
  async waitEnded(id: string): Promise<SessionView> {
    const controller = new AbortController();
    try {
      for (;;) {
        const view = await this.user.getSession(id);
        if (view.status !== 'queued' && view.status !== 'running') return view;
        for await (const event of this.user.followEvents(id, view.last_event_seq ?? 0, controller.signal)) {
          if (event.type === 'run_status' && ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(String(event.event.status))) break;
        }
      }
    } finally {
      controller.abort();
    }
  }

  /** Stop the coordinator and start it again on the same port and database. */
  async restartCoordinator(): Promise<void> {
    const port = this.coordinator.port;
    await this.coordinator.close();
    this.coordinator = await startTestCoordinatorIn(this.dir, port);
  }

  /** Stop the runner and start it again with the same state folder and MCP port. */
  async restartRunner(): Promise<void> {
    const port = this.runner.mcp.endpoint.port;
    await this.runner.close();
    this.runner = await startTestRunner(this.dir, this.coordinator.url, port);
  }

  /** Start an mcp-driver session that follows `steps` (see test/fixtures/executors/mcp-driver/driver.mjs). */
  async drive(steps: unknown[], extra: { parent_session_id?: string } = {}): Promise<string> {
    const { session_id } = await this.user.createSession({ executor: 'mcp-driver', prompt: JSON.stringify({ steps }), ...extra });
    return session_id;
  }

  /** Wait for an event of the session that matches, following its live stream. */
  async waitForEvent(id: string, match: (event: SessionEvent) => boolean): Promise<SessionEvent> {
    const controller = new AbortController();
    try {
      for await (const event of this.user.followEvents(id, 0, controller.signal)) if (match(event)) return event;
      throw new Error('the event stream ended');
    } finally {
      controller.abort();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#clients.map((c) => c.close().catch(() => undefined)));
    await this.runner?.close();
    await this.coordinator?.close();
    await this.user?.close();
    this.#cleanup();
  }
}

/** The JSON a tool returned (its first text content). */
export function toolData(result: unknown): any {
  const text = (result as { content: Array<{ text: string }> }).content[0]!.text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
