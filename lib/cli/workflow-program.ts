import type { Command } from 'commander';

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * The `workflow` command group: files checked offline (`validate`, `graph`). The engine's commands (run,
 * list, runs, show, cancel, resume) join this group. Modules load on use.
 */
export function addWorkflowCommands(program: Command): Command {
  const workflow = program.command('workflow').description('validate and draw workflow files (YAML or JSON)');
  workflow
    .command('validate')
    .description('check workflow files offline: schema, needs, cycles, expressions, matrix, schedules (exit 1 if any is refused)')
    .argument('<file...>', 'workflow files (.yaml, .yml or .json)')
    .option('--json', 'JSON output')
    .option('--agents-dir <dir>', 'check agent names against the blueprints of this folder (default: ./agents, when it exists; else not checked)')
    .option('--workflows-dir <dir>', 'check nested workflow names against this folder and the files given (default: ./workflows, when it exists; else not checked)')
    .option('--check-executors', 'check executor names against the executors found on this machine (off by default: a runner elsewhere may serve others)')
    .option('--executors-dir <dir>', 'with --check-executors: another folder of executors (repeatable)', collect, [])
    .action(async (files: string[], options) => {
      const { validateWorkflowsCommand } = await import('./workflow-command.js');
      process.exitCode = validateWorkflowsCommand(files, options);
    });
  workflow
    .command('graph')
    .description('print a workflow file as a Mermaid flowchart')
    .argument('<file>', 'a workflow file')
    .action(async (file: string) => {
      const { graphWorkflowCommand } = await import('./workflow-command.js');
      process.exitCode = graphWorkflowCommand(file);
    });
  return workflow;
}
