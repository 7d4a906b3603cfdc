/**
 * The runner's skill cache against a real coordinator: a skill is written once under the cache folder
 * (files, executable bits), served from it while its digest matches, revalidated with If-None-Match
 * otherwise; an answer whose file paths leave the skill's folder is refused, and nothing is written.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { afterTest, scratch } from './scratch.js';
import { RunnerApi } from '../../lib/client/runner-api.js';
import { SkillCache } from '../../lib/runner/skill-cache.js';
import { SkillFilesSchema } from '../../protocol/skills.js';
import { startTestCoordinator } from '../coordinator/helpers.js';


describe('the runner\'s skill cache', () => {
  it('writes a skill once, serves it by digest, revalidates a changed one', async () => {
    const skills = scratch('skills-src-');
    mkdirSync(join(skills, 'tidy', 'bin'), { recursive: true });
    writeFileSync(join(skills, 'tidy', 'SKILL.md'), '---\nname: tidy\ndescription: Tidy up.\n---\nv1\n');
    writeFileSync(join(skills, 'tidy', 'bin', 'run'), '#!/bin/sh\n', { mode: 0o755 });
    const c = await startTestCoordinator('sqlite', { skillsDir: skills });
    afterTest(c.stop);
    const api = new RunnerApi(c.url);
    afterTest(() => api.close());
    const cacheDir = scratch('skills-cache-');
    const cache = new SkillCache((name, etag) => api.skill(name, etag), cacheDir);

    const digest = ((await c.api('GET', '/v1/skills')).body.skills[0] as { digest: string }).digest;
    const first = await cache.get('tidy', digest);
    expect(first).toMatchObject({ name: 'tidy', description: 'Tidy up.' });
    expect(first.path.startsWith(cacheDir)).toBe(true);
    expect(readFileSync(join(first.path, 'SKILL.md'), 'utf8')).toContain('v1');
    expect(statSync(join(first.path, 'bin', 'run')).mode & 0o111).not.toBe(0);
    expect(await cache.get('tidy', digest)).toEqual(first);
    expect(cache.fetches).toBe(1);

    writeFileSync(join(skills, 'tidy', 'SKILL.md'), '---\nname: tidy\ndescription: Tidy up more.\n---\nv2\n');
    await c.api('POST', '/v1/skills/reload');
    const newDigest = ((await c.api('GET', '/v1/skills')).body.skills[0] as { digest: string }).digest;
    const second = await cache.get('tidy', newDigest);
    expect(cache.fetches).toBe(2);
    expect(second.path).not.toBe(first.path);
    expect(readFileSync(join(second.path, 'SKILL.md'), 'utf8')).toContain('v2');
    // Revalidated without a wanted digest: a 304, the same folder.
    expect(await cache.get('tidy')).toEqual(second);
    expect(readdirSync(join(cacheDir, 'tidy')).filter((n) => n.endsWith('.tmp'))).toEqual([]);

    await expect(cache.get('absent', 'x')).rejects.toThrow(/no skill named "absent"/);
  });

  it('refuses an answer whose files leave the skill\'s folder and writes nothing', async () => {
    const cacheDir = scratch('skills-cache-');
    const hostile = { name: 'evil', description: 'd', digest: '"d"', files: [{ path: '../escape', content_base64: 'eA==', executable: false }] };
    const cache = new SkillCache(async () => ({ skill: hostile, etag: '"d"' }), cacheDir);
    await expect(cache.get('evil', '"d"')).rejects.toThrow(/skill "evil": the coordinator's answer is not a skill \(files\[0\]\.path: must be a relative path inside the skill\)/);
    expect(existsSync(join(cacheDir, 'escape'))).toBe(false);
    expect(readdirSync(cacheDir)).toEqual([]);
    for (const path of ['/etc/passwd', 'a/../../b', 'a//b', './a', '']) {
      expect(SkillFilesSchema.safeParse({ ...hostile, files: [{ ...hostile.files[0], path }] }).success, path).toBe(false);
    }
    const renamed = new SkillCache(async () => ({ skill: { ...hostile, files: [] }, etag: '"d"' }), cacheDir);
    await expect(renamed.get('other')).rejects.toThrow(/skill "other": the coordinator answered skill "evil"/);
  });
});
