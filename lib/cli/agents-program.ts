import type { Command } from 'commander';
import { clientOptions } from './client-options.js';

/** The `agents` command group: blueprints on the coordinator, and blueprint files checked offline. Modules load on use. */
export function addAgentsCommands(program: Command): void {
  const agents = program.command('agents').description('list, show, validate, apply, delete and reload agent blueprints');
  const client = clientOptions;
  client(agents.command('list').description('every agent, and the problems of the coordinator\'s agents folder')).action(async (options) => {
    const { listAgentsCommand } = await import('./agents-command.js');
    process.exitCode = await listAgentsCommand(options);
  });
  client(agents.command('show').description('one agent\'s blueprint').argument('<name>')).action(async (name: string, options) => {
    const { showAgentCommand } = await import('./agents-command.js');
    process.exitCode = await showAgentCommand(name, options);
  });
  agents
    .command('validate')
    .description('check blueprint files offline, as the coordinator would (exit 1 if any is refused)')
    .argument('<file...>', '<name>.json blueprint files (a base named by `extends` is looked for among them)')
    .option('--skills-dir <dir>', 'check `skills` against this skills folder (as the coordinator\'s --skills-dir)')
    .option('--mcp-servers <file>', 'check `shared_mcp_servers` against this MCP servers file (as the coordinator\'s --mcp-servers)')
    .option('--json', 'JSON output')
    .action(async (files: string[], options) => {
      const { validateAgentsCommand } = await import('./agent-files-command.js');
      process.exitCode = await validateAgentsCommand(files, options);
    });
  client(agents.command('apply').description('create or update agents from blueprint files (none if any file is refused)').argument('<file...>', '<name>.json blueprint files')).action(
    async (files: string[], options) => {
      const { applyAgentsCommand } = await import('./agent-files-command.js');
      process.exitCode = await applyAgentsCommand(files, options);
    },
  );
  client(agents.command('delete').description('delete an agent').argument('<name>')).action(async (name: string, options) => {
    const { deleteAgentCommand } = await import('./agents-command.js');
    process.exitCode = await deleteAgentCommand(name, options);
  });
  client(agents.command('reload').description('have the coordinator read its agents folder again (exit 1 if a file there is refused)')).action(async (options) => {
    const { reloadAgentsCommand } = await import('./agents-command.js');
    process.exitCode = await reloadAgentsCommand(options);
  });
}
