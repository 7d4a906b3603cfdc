import type { Command } from 'commander';

/** The `skills` command group: the Agent Skills the coordinator serves (`--skills-dir`). Modules load on use. */
export function addSkillsCommands(program: Command): void {
  const skills = program.command('skills').description('list and show the Agent Skills the coordinator serves (--skills-dir)');
  const client = (cmd: Command) =>
    cmd
      .option('-c, --coordinator-url <url>', 'the coordinator (default: one on 127.0.0.1:8765, else in-process)')
      .option('--json', 'JSON output')
      .option('-v, --verbose', 'debug logs');
  client(skills.command('list').description('every skill (name, files, digest, description), then the skills folder\'s problems')).action(async (options) => {
    const { listSkillsCommand } = await import('./skills-command.js');
    process.exitCode = await listSkillsCommand(options);
  });
  client(skills.command('show').description('one skill: its SKILL.md frontmatter and its files').argument('<name>')).action(async (name: string, options) => {
    const { showSkillCommand } = await import('./skills-command.js');
    process.exitCode = await showSkillCommand(name, options);
  });
}
