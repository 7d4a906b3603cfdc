import type { Hono } from 'hono';
import { didYouMean } from '../../../protocol/did-you-mean.js';
import type { SkillFiles } from '../../../protocol/skills.js';
import { etagMatches } from '../../agents/agent-etag.js';
import { ApiError } from '../../api-error.js';
import { SkillsDirError } from '../../skills/skills-folder.js';
import type { CoordinatorContext } from '../context.js';

/**
 * `/v1/skills`: the skills folder's skills with their digests and its bad entries; one skill's files
 * (ETag: its digest, 304 on If-None-Match), as runners fetch them; reload (read the folder again).
 */
export function mountSkillRoutes(app: Hono, ctx: CoordinatorContext): void {
  app.get('/v1/skills', (c) => c.json({ skills: ctx.skillsFolder?.list() ?? [], problems: ctx.skillsFolder?.problems() ?? [] }));

  app.post('/v1/skills/reload', async (c) => {
    if (ctx.skillsFolder === null) throw new ApiError(409, 'conflict', 'this coordinator has no skills folder to reload (start it with --skills-dir)');
    try {
      return c.json({ skills_dir: ctx.skillsFolder.dir, ...(await ctx.skillsFolder.reload()) });
    } catch (error) {
      if (error instanceof SkillsDirError) throw new ApiError(409, 'conflict', `${error.message}; the skills stay as they were`);
      throw error;
    }
  });

  app.get('/v1/skills/:name', (c) => {
    const name = c.req.param('name');
    const skill = ctx.skillsFolder?.get(name);
    if (skill === undefined) {
      const why = ctx.skillsFolder === null ? `no skill "${name}": this coordinator has no skills folder` : `no skill named "${name}"${didYouMean(name, ctx.skillsFolder.names())}`;
      throw new ApiError(404, 'not_found', why, { skill: name });
    }
    if (etagMatches(c.req.header('if-none-match'), skill.digest)) return c.body(null, 304, { etag: skill.digest });
    const body: SkillFiles = {
      name: skill.name,
      description: skill.description,
      digest: skill.digest,
      files: skill.files.map((f) => ({ path: f.path, content_base64: f.data.toString('base64'), executable: f.executable })),
    };
    return c.json(body, 200, { etag: skill.digest });
  });
}
