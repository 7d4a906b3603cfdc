import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { SkillProblem, SkillSummary } from '../../protocol/skills.js';
import { readSkillFolder, SkillFolderError, type Skill } from './read-skill-folder.js';

/** The skills folder itself cannot be read; the message names it. */
export class SkillsDirError extends Error {
  override name = 'SkillsDirError';
}

/**
 * The coordinator's skills folder (`--skills-dir`): every sub-folder is a skill, checked when the folder
 * is read (at start and on `POST /v1/skills/reload`); a bad one is left out with a problem that says why.
 */
export class SkillsFolder {
  readonly dir: string;
  readonly #logger: Pick<Logger, 'warn'>;
  #skills = new Map<string, Skill>();
  #problems: SkillProblem[] = [];

  constructor(dir: string, logger: Pick<Logger, 'warn'>) {
    this.dir = dir;
    this.#logger = logger;
  }

  /** Read the folder again. @throws SkillsDirError when it cannot be read (what was served stays). */
  async reload(): Promise<{ skills: string[]; problems: SkillProblem[] }> {
    let entries;
    try {
      entries = (await readdir(this.dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch (error) {
      throw new SkillsDirError(`cannot read the skills folder ${this.dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const skills = new Map<string, Skill>();
    const problems: SkillProblem[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      if (!entry.isDirectory()) {
        problems.push({ folder: entry.name, message: '(folder): not a folder (each skill is a folder holding SKILL.md)' });
        continue;
      }
      try {
        const skill = await readSkillFolder(join(this.dir, entry.name), entry.name);
        skills.set(skill.name, skill);
      } catch (error) {
        if (!(error instanceof SkillFolderError) && (error as NodeJS.ErrnoException).code === undefined) throw error;
        problems.push({ folder: entry.name, message: error instanceof SkillFolderError ? error.message : `(folder): ${(error as NodeJS.ErrnoException).code}` });
      }
    }
    for (const problem of problems) this.#logger.warn({ dir: this.dir, folder: problem.folder }, `skill ${join(this.dir, problem.folder)}: ${problem.message}; not served`);
    this.#skills = skills;
    this.#problems = problems;
    return { skills: [...skills.keys()], problems };
  }

  get(name: string): Skill | undefined {
    return this.#skills.get(name);
  }

  names(): string[] {
    return [...this.#skills.keys()];
  }

  list(): SkillSummary[] {
    return [...this.#skills.values()].map((s) => ({ name: s.name, description: s.description, digest: s.digest, files: s.files.length, bytes: s.bytes }));
  }

  problems(): SkillProblem[] {
    return this.#problems;
  }
}
