/**
 * Agent Skills as the coordinator serves them (`--skills-dir`, docs/coordinator.md "Skills"): each skill is
 * a folder holding a `SKILL.md` whose frontmatter gives its `name` (the folder's name) and `description`,
 * the layout Claude Code reads. One schema per wire format: the list, one skill's files.
 */
import { z } from 'zod';
import './zod-config.js';

/** A skill's name: lowercase letters, digits and single hyphens, at most 64 (the Agent Skills rule). */
export const SKILL_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const MAX_SKILL_NAME_CHARS = 64;
/** The longest `description` (the Agent Skills rule). */
export const MAX_SKILL_DESCRIPTION_CHARS = 1024;
/** Most files in one skill folder, and most bytes of them all (a skill is instructions, scripts, small assets). */
export const MAX_SKILL_FILES = 200;
export const MAX_SKILL_BYTES = 4 * 1024 * 1024;
/** The file every skill folder holds. */
export const SKILL_FILE = 'SKILL.md';

/** `SKILL.md`'s frontmatter block: its YAML text is the first group. */
export const SKILL_FRONTMATTER = /^---\r?\n([\s\S]*?)\r?\n---(?:\r?\n|$)/;

/** Why a name is not a skill name, or null when it is one. Pure. */
export function skillNameProblem(name: string): string | null {
  if (name.length > MAX_SKILL_NAME_CHARS) return `must be at most ${MAX_SKILL_NAME_CHARS} characters`;
  if (!SKILL_NAME.test(name)) return 'must be lowercase letters, digits and single hyphens (e.g. "pdf-forms")';
  return null;
}

export const SkillNameSchema = z.string().superRefine((name, ctx) => {
  const problem = skillNameProblem(name);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

/** `SKILL.md`'s frontmatter: `name` and `description` are required; other keys (`license`, `allowed-tools`...) are kept for Claude Code. */
export const SkillFrontmatterSchema = z.looseObject({
  name: SkillNameSchema,
  description: z
    .string({ message: 'description is required (when to use the skill)' })
    .min(1, { message: 'description must not be empty' })
    .max(MAX_SKILL_DESCRIPTION_CHARS, { message: `description must be at most ${MAX_SKILL_DESCRIPTION_CHARS} characters` }),
});

/** One skill in `GET /v1/skills`. */
export const SkillSummarySchema = z.looseObject({
  name: z.string(),
  description: z.string(),
  digest: z.string().describe('A strong ETag of the skill\'s files (`GET /v1/skills/:name` answers it; runners revalidate with it).'),
  files: z.int().describe('How many files the folder holds.'),
  bytes: z.int().describe('Their total size.'),
});
export type SkillSummary = z.infer<typeof SkillSummarySchema>;

/** A skills-folder entry that is not served, and why (`field: reason`). */
export const SkillProblemSchema = z.looseObject({
  folder: z.string().describe('The entry\'s name within the skills folder.'),
  message: z.string(),
});
export type SkillProblem = z.infer<typeof SkillProblemSchema>;

/** `GET /v1/skills`. */
export const SkillListSchema = z.looseObject({
  skills: z.array(SkillSummarySchema),
  problems: z.array(SkillProblemSchema),
});

/** One file of a skill: its path within the folder (`/`-separated), its bytes as base64, and whether it is executable. */
export const SkillFileSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .refine((p) => !p.startsWith('/') && !p.split('/').some((part) => part === '' || part === '.' || part === '..'), { message: 'must be a relative path inside the skill' }),
  content_base64: z.base64({ message: 'must be base64' }),
  executable: z.boolean(),
});

/** `GET /v1/skills/:name` (ETag: its digest; 304 on If-None-Match). */
export const SkillFilesSchema = z.looseObject({
  name: SkillNameSchema,
  description: z.string(),
  digest: z.string(),
  files: z.array(SkillFileSchema).max(MAX_SKILL_FILES),
});
export type SkillFiles = z.infer<typeof SkillFilesSchema>;

/** A session's skill in the runner's assignment: the name, and the version the run needs (its digest when the run was claimed). */
export const AssignedSkillSchema = z.looseObject({ name: z.string(), digest: z.string() });
export type AssignedSkill = z.infer<typeof AssignedSkillSchema>;
