import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import type { ModelChoice, RoutingStatus } from '../../protocol/routing.js';
import { FolderWatch } from '../folder-watch.js';
import { type BlueprintModels, chooseModel, type CompiledRule, type RoutingFacts } from './choose-model.js';
import { readRoutingFile } from './read-routing-file.js';

/** How long the routing file's folder is quiet before the file is read again after a change (editors write in steps). */
export const ROUTING_WATCH_DEBOUNCE_MS = 100;

/** A routing file that cannot be used at start-up; the message has one `file:line:col: path: message` line per problem. */
export class RoutingFileError extends Error {
  override name = 'RoutingFileError';
}

/**
 * The routing rules in use: none without `--routing`; else the file's, read at start (a bad file stops
 * start-up) and again whenever its folder changes (a bad version is refused with a warning and the rules
 * before it stay in use, as the agents folder keeps an agent's last good file). The folder is watched, not
 * the file: editors and `mv` replace a file by another inode, which a watch of the file would lose.
 */
export class RoutingTable {
  #rules: CompiledRule[] = [];
  #text: string | null = null;
  #loadedAt: number | null = null;
  #problem: string | null = null;
  #watch: FolderWatch | null = null;
  #reading: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string | null,
    private readonly logger: Logger,
    /** Called after each reading of the file that changed something (tests wait on it). */
    private readonly onReload: (status: RoutingStatus) => void = () => {},
  ) {
    if (file === null) return;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new RoutingFileError(`${file}: cannot read the routing file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    const read = readRoutingFile(file, text);
    if (!read.ok) throw new RoutingFileError(read.problems.join('\n'));
    this.#use(read.rules, text);
  }

  /** Reload the file whenever its folder changes (nothing without a file). */
  async watch(debounceMs = ROUTING_WATCH_DEBOUNCE_MS): Promise<void> {
    if (this.file === null) return;
    this.#watch = new FolderWatch(dirname(this.file), () => void this.reload(), this.logger, { folder: `routing file ${basename(this.file)}'s folder`, reload: 'a restart' }, debounceMs);
    await this.#watch.start();
  }

  /** Read the file again; one reading at a time. */
  reload(): Promise<void> {
    this.#reading = this.#reading.then(() => this.#read());
    return this.#reading;
  }

  async #read(): Promise<void> {
    const file = this.file!;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      return this.#refuse(`${file}: cannot read the routing file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the rules read before stay in use`);
    }
    if (text === this.#text) return;
    const read = readRoutingFile(file, text);
    if (!read.ok) return this.#refuse(read.problems.join('\n'), text);
    this.#use(read.rules, text);
    this.logger.info({ file, rules: read.rules.length }, 'routing file reloaded');
    this.onReload(this.status());
  }

  #use(rules: CompiledRule[], text: string): void {
    this.#rules = rules;
    this.#text = text;
    this.#loadedAt = Date.now();
    this.#problem = null;
  }

  #refuse(problem: string, text: string | null = null): void {
    if (problem === this.#problem) return;
    this.#problem = problem;
    // A refused text is remembered so that the same bad version is not reported at every event of its folder.
    if (text !== null) this.#text = text;
    this.logger.warn({ file: this.file, problem }, 'routing file refused; the rules before it stay in use');
    this.onReload(this.status());
  }

  /** The model for a run with these facts (see chooseModel). */
  choose(facts: RoutingFacts, blueprint: BlueprintModels | null, unavailable: ReadonlySet<string>): ModelChoice {
    return chooseModel(this.#rules, facts, blueprint, unavailable);
  }

  /** Whether any rule in use matches on what the tree's budget has left (the claim reads budgets only then, or when the invocation needs them). */
  get readsBudget(): boolean {
    return this.#rules.some((r) => r.rule.match?.budget_left !== undefined);
  }

  status(): RoutingStatus {
    return {
      file: this.file,
      rules: this.#rules.map((r) => ({ ...r.rule })),
      loaded_at: this.#loadedAt === null ? null : new Date(this.#loadedAt).toISOString(),
      problem: this.#problem,
    };
  }

  close(): void {
    this.#watch?.close();
  }
}
