import type { Command } from 'commander';
import { clientOptions } from './client-options.js';

/** The `skills` command group: the Agent Skills the coordinator serves (`--skills-dir`). Modules load on use. */
export function addSkillsCommands(program: Command): void {
  const skills = program.command('skills').description('list and show the Agent Skills the coordinator serves (--skills-dir)');
  const client = clientOptions;
  client(skills.command('list').description('every skill (name, files, digest, description), then the skills folder\'s problems')).action(async (options) => {
    const { listSkillsCommand } = await import('./skills-command.js');
    process.exitCode = await listSkillsCommand(options);
  });
  client(skills.command('show').description('one skill: its SKILL.md frontmatter and its files').argument('<name>')).action(async (name: string, options) => {
    const { showSkillCommand } = await import('./skills-command.js');
    process.exitCode = await showSkillCommand(name, options);
  });
}
