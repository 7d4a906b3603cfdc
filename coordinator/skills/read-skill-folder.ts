import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { formatFieldIssues, toFieldIssues } from '../../protocol/field-issues.js';
import { MAX_SKILL_BYTES, MAX_SKILL_FILES, SKILL_FILE, SKILL_FRONTMATTER, SkillFrontmatterSchema, skillNameProblem } from '../../protocol/skills.js';

/** One file of a skill as the coordinator holds it. */
export interface SkillFile {
  path: string;
  data: Buffer;
  executable: boolean;
}

/** A checked skill: its frontmatter's name and description, its files, and their digest (a strong ETag). */
export interface Skill {
  name: string;
  description: string;
  digest: string;
  files: SkillFile[];
  bytes: number;
}

/** Why a skill folder is not served (`field: reason`). */
export class SkillFolderError extends Error {
  override name = 'SkillFolderError';
}

/** The frontmatter of a SKILL.md text, checked. Pure. @throws SkillFolderError naming the field. */
export function readFrontmatter(text: string, folder: string): { name: string; description: string } {
  const match = SKILL_FRONTMATTER.exec(text);
  if (match === null) throw new SkillFolderError(`${SKILL_FILE}: must start with a --- frontmatter block giving name and description`);
  let raw: unknown;
  try {
    raw = parseYaml(match[1]!);
  } catch (error) {
    throw new SkillFolderError(`${SKILL_FILE}: the frontmatter is not YAML (${(error as Error).message.split('\n')[0]})`);
  }
  const parsed = SkillFrontmatterSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new SkillFolderError(`${SKILL_FILE}: ${formatFieldIssues(toFieldIssues(parsed.error))}`);
  if (parsed.data.name !== folder) throw new SkillFolderError(`${SKILL_FILE}: name: is "${parsed.data.name}" but the folder is "${folder}" (they must be the same)`);
  return { name: parsed.data.name, description: parsed.data.description };
}

/** A digest of a skill's files (paths, modes and bytes), as a strong ETag. Pure. */
export function skillDigest(files: readonly SkillFile[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    hash.update(`${file.path}\0${file.executable ? 'x' : '-'}\0${file.data.length}\0`);
    hash.update(file.data);
  }
  return `"${hash.digest('base64url').slice(0, 22)}"`;
}

/**
 * Read and check one skill folder: its name is a skill name, its SKILL.md's frontmatter names it, it holds
 * at most MAX_SKILL_FILES files of at most MAX_SKILL_BYTES in all, and a symbolic link in it points at a
 * file inside it (a link out of the folder, or to a folder, is refused). @throws SkillFolderError.
 */
export async function readSkillFolder(root: string, folder: string): Promise<Skill> {
  const nameProblem = skillNameProblem(folder);
  if (nameProblem !== null) throw new SkillFolderError(`name: "${folder}" ${nameProblem}`);
  const top = await realpath(root);
  const files: SkillFile[] = [];
  let bytes = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir)).sort()) {
      const full = join(dir, entry);
      const rel = relative(top, full).split(sep).join('/');
      let info = await lstat(full);
      if (info.isSymbolicLink()) {
        const target = await realpath(full).catch(() => null);
        if (target === null || !target.startsWith(`${top}${sep}`)) throw new SkillFolderError(`${rel}: a symbolic link out of the skill's folder`);
        info = await stat(target);
        if (!info.isFile()) throw new SkillFolderError(`${rel}: a symbolic link to a folder (only links to files inside the skill are followed)`);
      }
      if (info.isDirectory()) {
        await walk(full);
        continue;
      }
      if (!info.isFile()) throw new SkillFolderError(`${rel}: not a regular file`);
      if (files.length >= MAX_SKILL_FILES) throw new SkillFolderError(`(folder): more than ${MAX_SKILL_FILES} files`);
      bytes += info.size;
      if (bytes > MAX_SKILL_BYTES) throw new SkillFolderError(`(folder): more than ${MAX_SKILL_BYTES} bytes of files`);
      files.push({ path: rel, data: await readFile(full), executable: (info.mode & 0o111) !== 0 });
    }
  };
  await walk(top);
  const main = files.find((f) => f.path === SKILL_FILE);
  if (main === undefined) throw new SkillFolderError(`${SKILL_FILE}: missing (every skill folder holds one)`);
  const { name, description } = readFrontmatter(main.data.toString('utf8'), folder);
  return { name, description, digest: skillDigest(files), files, bytes };
}
