import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AgentProblem, AgentsReload } from '../../protocol/agents.js';
import { AGENTS_WATCH_DEBOUNCE_MS } from '../constants.js';
import type { Store } from '../store/store.js';
import { FolderWatch } from '../folder-watch.js';
import { AgentFileError, loadAgentsDir, type AgentsDirContents } from './load-agents-dir.js';
import { agentsByName, resolveChecked, type AgentRules } from './agent-rules.js';
import { AgentResolveError } from './resolve-agent.js';

export interface AgentsFolderOptions {
  dir: string;
  /** A missing folder holds no agents (the default `./agents`); otherwise it is an error. */
  optional: boolean;
  store: Store;
  logger: Logger;
  debounceMs?: number;
  /** What a blueprint's `extends`, `shared_mcp_servers` and `skills` are checked against (unset: not checked). */
  rules?: AgentRules;
}

/**
 * The coordinator's agents folder, kept in step with the store: `reload` stores every good `<name>.json`,
 * deletes the agents whose file was removed (since this process started), and keeps the last good
 * version of an agent whose file became invalid, with a problem that says why. `watch` reloads on every
 * change of the folder (debounced); reloads never overlap.
 */
export class AgentsFolder {
  readonly dir: string;
  readonly #options: AgentsFolderOptions;
  /** Each agent stored from its file by this process, with the document's JSON as stored. */
  readonly #loaded = new Map<string, string>();
  #problems: AgentProblem[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  readonly #watch: FolderWatch;

  constructor(options: AgentsFolderOptions) {
    this.dir = options.dir;
    this.#options = options;
    this.#watch = new FolderWatch(
      options.dir,
      () => void this.reload(false).catch((error: unknown) => options.logger.warn({ dir: this.dir, err: error }, `agents folder: ${(error as Error).message}`)),
      options.logger,
      { folder: 'agents folder', reload: '`agents reload`' },
      options.debounceMs ?? AGENTS_WATCH_DEBOUNCE_MS,
    );
  }

  /** The folder's bad files at the last reading. */
  problems(): AgentProblem[] {
    return this.#problems;
  }

  /**
   * Read the folder again and bring the store in step (one reading at a time). `force` stores every good
   * file even when unchanged since the last reading (what `POST /v1/agents/reload` asks for: the files
   * win over `PUT`s); a watch reload stores only what changed.
   * @throws AgentFileError when the folder cannot be read (the store is left as it was).
   */
  reload(force: boolean): Promise<AgentsReload> {
    const next = this.#queue.then(() => this.#read(force));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #read(force: boolean): Promise<AgentsReload> {
    const { store, logger } = this.#options;
    let contents;
    try {
      contents = await loadAgentsDir(this.dir, this.#options.optional);
    } catch (error) {
      if (error instanceof AgentFileError) this.#problems = [{ file: '.', agent: null, message: error.message, issues: [{ path: '(folder)', message: error.message }], kept: true }];
      throw error;
    }
    if (this.#options.rules !== undefined) await this.#checkRules(contents, this.#options.rules);
    const loaded: string[] = [];
    for (const agent of contents.agents) {
      const json = JSON.stringify(agent);
      if (!force && this.#loaded.get(agent.name) === json) continue;
      await store.putAgent(agent, Date.now());
      this.#loaded.set(agent.name, json);
      loaded.push(agent.name);
    }
    // A bad file keeps its agent: only an agent whose file is gone is removed.
    const present = new Set(contents.files.map((file) => file.slice(0, -'.json'.length)));
    const removed: string[] = [];
    for (const name of this.#loaded.keys()) {
      if (present.has(name)) continue;
      this.#loaded.delete(name);
      if (await store.deleteAgent(name)) removed.push(name);
    }
    const before = new Map(this.#problems.map((p) => [p.file, p.message]));
    const problems: AgentProblem[] = [];
    for (const problem of contents.problems) {
      const kept = problem.agent !== null && (await store.getAgent(problem.agent)) !== null;
      problems.push({ ...problem, kept });
      if (before.get(problem.file) !== problem.message) {
        const what = kept ? 'keeping its last good version' : 'not loaded';
        logger.warn({ file: join(this.dir, problem.file), issues: problem.issues }, `agent file ${join(this.dir, problem.file)}: ${problem.message}; ${what}`);
      }
    }
    this.#problems = problems;
    if (loaded.length > 0 || removed.length > 0) logger.info({ dir: this.dir, loaded, removed }, 'agents folder read');
    await this.#watch.recheck();
    return { agents_dir: this.dir, loaded, removed, problems };
  }

  /**
   * Move the folder's blueprints that cannot be resolved (a bad `extends`, an unknown or disabled shared
   * MCP server, an unknown skill) to the problems; bases may be in the folder or already stored.
   */
  async #checkRules(contents: AgentsDirContents, rules: AgentRules): Promise<void> {
    const all = await agentsByName(this.#options.store);
    for (const agent of contents.agents) all.set(agent.name, agent);
    const good = [];
    for (const agent of contents.agents) {
      try {
        resolveChecked(agent, all, rules);
        good.push(agent);
      } catch (error) {
        if (!(error instanceof AgentResolveError)) throw error;
        contents.problems.push({ file: `${agent.name}.json`, agent: agent.name, message: error.message, issues: error.issues, kept: false });
      }
    }
    contents.agents = good;
  }

  /** Reload on every change of the folder, debounced. A folder missing now is watched from the next reload that finds it. */
  async watch(): Promise<void> {
    await this.#watch.start();
  }

  /** Stop watching and wait for a reading in progress. */
  async close(): Promise<void> {
    this.#watch.close();
    await this.#queue;
  }
}
