import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { formatFieldIssues, toFieldIssues } from '../../protocol/field-issues.js';
import type { InvocationSkill } from '../../protocol/invocation.js';
import { SkillFilesSchema, type AssignedSkill } from '../../protocol/skills.js';

/** GET /v1/skills/:name: the body as JSON (parsed by the cache), or null for 304. */
export type FetchSkill = (name: string, etag?: string) => Promise<{ skill: unknown; etag: string | undefined } | null>;

interface Entry {
  skill: InvocationSkill;
  digest: string;
}

/** A folder name for a digest (an ETag in quotes, base64url inside): file-name safe. */
const folderOf = (digest: string) => createHash('sha256').update(digest).digest('hex').slice(0, 24);

/**
 * Agent Skills by name, revalidated with the coordinator's ETag (its digest) as BlueprintCache does for
 * blueprints: a run that names the version it needs is served from the cache without a request when it
 * matches; otherwise the skill is fetched with If-None-Match. Each version is written once under `dir`
 * (the runner's state folder, never a project folder) as `<name>/<version>/`, whole or not at all: written
 * beside and renamed into place, so runners sharing the folder never see half a skill. What the coordinator
 * answers is validated first (file paths stay inside the skill's folder).
 */
export class SkillCache {
  readonly #fetch: FetchSkill;
  readonly #dir: string;
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<InvocationSkill>>();
  /** Requests made, for tests and metrics. */
  fetches = 0;

  constructor(fetch: FetchSkill, dir: string) {
    this.#fetch = fetch;
    this.#dir = dir;
  }

  /** The run's skills as local folders, in the order given. @throws Error naming the skill. */
  async getAll(skills: readonly AssignedSkill[]): Promise<InvocationSkill[]> {
    return Promise.all(skills.map((s) => this.get(s.name, s.digest)));
  }

  async get(name: string, wantedDigest?: string): Promise<InvocationSkill> {
    const cached = this.#entries.get(name);
    if (cached !== undefined && cached.digest === wantedDigest) return cached.skill;
    let request = this.#inFlight.get(name);
    if (request === undefined) {
      request = this.#revalidate(name, cached).finally(() => this.#inFlight.delete(name));
      this.#inFlight.set(name, request);
    }
    return request;
  }

  async #revalidate(name: string, cached: Entry | undefined): Promise<InvocationSkill> {
    this.fetches += 1;
    const fetched = await this.#fetch(name, cached?.digest);
    if (fetched === null) {
      if (cached === undefined) throw new Error(`skill "${name}": the coordinator answered 304 for a skill never fetched`);
      return cached.skill;
    }
    const checked = SkillFilesSchema.safeParse(fetched.skill);
    if (!checked.success) throw new Error(`skill "${name}": the coordinator's answer is not a skill (${formatFieldIssues(toFieldIssues(checked.error))})`);
    if (checked.data.name !== name) throw new Error(`skill "${name}": the coordinator answered skill "${checked.data.name}"`);
    const digest = fetched.etag ?? checked.data.digest;
    const path = join(this.#dir, name, folderOf(digest));
    if (!(await exists(path))) {
      const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await mkdir(temp, { recursive: true });
        for (const file of checked.data.files) {
          const target = join(temp, ...file.path.split('/'));
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, Buffer.from(file.content_base64, 'base64'));
          if (file.executable) await chmod(target, 0o755);
        }
        await rename(temp, path).catch(async (error: NodeJS.ErrnoException) => {
          // Another runner sharing the folder wrote the same version first: theirs is the same bytes.
          if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
        });
      } finally {
        await rm(temp, { recursive: true, force: true });
      }
    }
    const skill = { name, description: checked.data.description, path };
    this.#entries.set(name, { skill, digest });
    return skill;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
