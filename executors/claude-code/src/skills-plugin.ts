/**
 * The run's Agent Skills as a Claude Code plugin: Claude Code loads skills from plugins, so the skills the
 * runner gave (`agent_blueprint.skills`, folders on this machine) are copied into a plugin folder made for
 * this run only, outside the project folder, and removed when the run ends.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InvocationSkill } from '../../../protocol/invocation.js';

/** The plugin's name: Claude Code shows its skills as `agent-runner:<skill>`. */
export const SKILLS_PLUGIN_NAME = 'agent-runner';

/** A plugin folder made for one run. */
export interface SkillsPlugin {
  path: string;
  remove(): Promise<void>;
}

/**
 * Make the plugin folder (`.claude-plugin/plugin.json` and `skills/<name>/`) under `parent` (the system's
 * temp folder). Copies, not links: what Claude Code reads cannot change under it, nor reach back into the
 * runner's cache.
 */
export async function buildSkillsPlugin(skills: readonly InvocationSkill[], parent = tmpdir()): Promise<SkillsPlugin> {
  const path = await mkdtemp(join(parent, 'agent-runner-skills-'));
  const remove = () => rm(path, { recursive: true, force: true });
  try {
    await mkdir(join(path, '.claude-plugin'));
    const manifest = { name: SKILLS_PLUGIN_NAME, version: '1.0.0', description: 'The Agent Skills agent-runner gave this run.' };
    await writeFile(join(path, '.claude-plugin', 'plugin.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await mkdir(join(path, 'skills'));
    for (const skill of skills) await cp(skill.path, join(path, 'skills', skill.name), { recursive: true, verbatimSymlinks: true });
  } catch (error) {
    await remove();
    throw error;
  }
  return { path, remove };
}
