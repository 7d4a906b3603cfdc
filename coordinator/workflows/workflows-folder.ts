import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { WorkflowDef } from '../../lib/workflow/model.js';
import type { WorkflowProblem } from '../../protocol/workflows.js';
import { FolderWatch } from '../folder-watch.js';
import { AGENTS_WATCH_DEBOUNCE_MS } from '../constants.js';
import type { Store } from '../store/store.js';

/** The files a workflows folder holds: YAML, or JSON (which is YAML). */
const WORKFLOW_FILE = /\.(ya?ml|json)$/i;

export interface WorkflowsFolderOptions {
  dir: string;
  /** A missing folder holds no workflows (the default `./workflows`); otherwise it is an error. */
  optional: boolean;
  store: Store;
  logger: Logger;
  debounceMs?: number;
}

/** What `POST /v1/workflows/reload` answers. */
export interface WorkflowsReload {
  workflows_dir: string;
  loaded: string[];
  removed: string[];
  problems: WorkflowProblem[];
}

/** The workflows folder itself cannot be read (a missing explicit folder, no permission). */
export class WorkflowsFolderError extends Error {
  override name = 'WorkflowsFolderError';
}

/**
 * The coordinator's workflows folder (`--workflows-dir`), kept in step with the store as the agents folder
 * is: every good file is stored (validated and compiled; each problem with its path and line:column), a
 * workflow whose file is gone is deleted, a file that became bad keeps its workflow's last good version.
 * Names of agents and nested workflows are not checked here (they may be loaded later); a run names the
 * one it cannot find. Reloads never overlap; `watch` reloads on every change (debounced).
 */
export class WorkflowsFolder {
  readonly dir: string;
  readonly #options: WorkflowsFolderOptions;
  /** Each workflow stored from its file by this process: its definition's JSON, and its file. */
  readonly #loaded = new Map<string, { json: string; file: string }>();
  #problems: WorkflowProblem[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  readonly #watch: FolderWatch;

  constructor(options: WorkflowsFolderOptions) {
    this.dir = options.dir;
    this.#options = options;
    this.#watch = new FolderWatch(
      options.dir,
      () => void this.reload(false).catch((error: unknown) => options.logger.warn({ dir: this.dir, err: error }, `workflows folder: ${(error as Error).message}`)),
      options.logger,
      { folder: 'workflows folder', reload: '`POST /v1/workflows/reload`' },
      options.debounceMs ?? AGENTS_WATCH_DEBOUNCE_MS,
    );
  }

  problems(): WorkflowProblem[] {
    return this.#problems;
  }

  /** Read the folder again and bring the store in step (one reading at a time); `force` stores unchanged files too. */
  reload(force: boolean): Promise<WorkflowsReload> {
    const next = this.#queue.then(() => this.#read(force));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #files(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((n) => WORKFLOW_FILE.test(n)).sort();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && this.#options.optional) return [];
      throw new WorkflowsFolderError(`cannot read the workflows folder ${this.dir}: ${code ?? (error as Error).message}`);
    }
  }

  async #read(force: boolean): Promise<WorkflowsReload> {
    const { store, logger } = this.#options;
    const files = await this.#files();
    // The validator (YAML, the expression language, cron) loads only for a folder that has files.
    const { validateWorkflow } = files.length === 0 ? { validateWorkflow: null } : await import('../../lib/workflow/validate-workflow.js');
    const good = new Map<string, { def: WorkflowDef; document: unknown; file: string }>();
    const problems: WorkflowProblem[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = await readFile(join(this.dir, file), 'utf8');
      } catch (error) {
        problems.push({ file, workflow: null, message: `cannot read it: ${(error as Error).message}`, issues: [], kept: false });
        continue;
      }
      const checked = validateWorkflow!(text, { file });
      if (checked.def === null) {
        const first = checked.issues[0];
        problems.push({ file, workflow: null, message: first === undefined ? 'invalid' : `${first.line === null ? '' : `${first.line}:${first.col}: `}${first.path}: ${first.message}`, issues: checked.issues.map((i) => ({ ...i })), kept: false });
        continue;
      }
      const other = good.get(checked.def.name);
      if (other !== undefined) {
        problems.push({ file, workflow: checked.def.name, message: `workflow ${checked.def.name} is also defined in ${other.file}; this file is not loaded`, issues: [], kept: true });
        continue;
      }
      good.set(checked.def.name, { def: checked.def, document: null, file });
    }
    const loaded: string[] = [];
    const now = Date.now();
    for (const [name, { def, file }] of good) {
      const json = JSON.stringify(def);
      if (!force && this.#loaded.get(name)?.json === json) continue;
      await store.putWorkflow(def, null, file, now);
      this.#loaded.set(name, { json, file });
      loaded.push(name);
    }
    // A bad file keeps the workflow it held: only a workflow whose file is gone is removed.
    const present = new Set(files);
    const removed: string[] = [];
    for (const [name, { file }] of this.#loaded) {
      if (good.has(name) || present.has(file)) continue;
      this.#loaded.delete(name);
      if (await store.deleteWorkflow(name)) removed.push(name);
    }
    const before = new Map(this.#problems.map((p) => [p.file, p.message]));
    for (const problem of problems) {
      const kept = [...this.#loaded.values()].some((l) => l.file === problem.file);
      problem.kept ||= kept;
      if (before.get(problem.file) !== problem.message) logger.warn({ file: join(this.dir, problem.file), issues: problem.issues }, `workflow file ${join(this.dir, problem.file)}: ${problem.message}`);
    }
    this.#problems = problems;
    if (loaded.length > 0 || removed.length > 0) logger.info({ dir: this.dir, loaded, removed }, 'workflows folder read');
    await this.#watch.recheck();
    return { workflows_dir: this.dir, loaded, removed, problems };
  }

  async watch(): Promise<void> {
    await this.#watch.start();
  }

  async close(): Promise<void> {
    this.#watch.close();
    await this.#queue;
  }
}
