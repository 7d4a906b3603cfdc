import type { Command } from 'commander';
import { clientOptions } from './client-options.js';

const collect = (value: string, previous: string[]) => [...previous, value];

const client = clientOptions;

/**
 * The `workflow` command group: files checked offline (`validate`, `graph FILE`) and the engine's
 * commands (run, list, runs, show, cancel, resume, graph WR_ID). Modules load on use.
 */
export function addWorkflowCommands(program: Command): Command {
  const workflow = program.command('workflow').description('run, follow, resume, validate and draw workflows (YAML or JSON: jobs, needs, matrices, gates)');
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
  client(workflow.command('graph'))
    .description('print a workflow file, or a run with each job\'s state, as a Mermaid flowchart')
    .argument('<file-or-run>', 'a workflow file, or a workflow run id (wfr_…)')
    .action(async (target: string, options) => {
      if (/^wfr_[0-9a-z]+$/.test(target)) {
        const { workflowRunGraphCommand } = await import('./workflow-runs-command.js');
        process.exitCode = await workflowRunGraphCommand(target, options);
        return;
      }
      const { graphWorkflowCommand } = await import('./workflow-command.js');
      process.exitCode = graphWorkflowCommand(target);
    });
  client(workflow.command('run'))
    .description('run a workflow (a file, or a name of the coordinator\'s workflows folder) and follow it live; the exit code follows its outcome (0, 1 failed, 130 cancelled)')
    .argument('<file-or-name>', 'a workflow file (.yaml, .yml, .json) or a workflow\'s name')
    .option('-i, --input <name=value>', 'an input (repeatable); read as the type the workflow declares', collect, [])
    .option('-d, --detach', 'print the workflow run id and return')
    .option('-p, --project-dir <dir>', 'the folder its jobs run in (default: .)')
    .option('--executors-dir <dir>', 'another folder of executors for an in-process runner (repeatable)', collect, [])
    .action(async (target: string, options) => {
      const { workflowRunCommand } = await import('./workflow-run-command.js');
      process.exitCode = await workflowRunCommand(target, options);
    });
  client(workflow.command('list'))
    .description('the workflows of the coordinator\'s folder: form, jobs, inputs, schedule, next slot; bad files on stderr')
    .action(async (options) => {
      const { workflowListCommand } = await import('./workflow-runs-command.js');
      process.exitCode = await workflowListCommand(options);
    });
  client(workflow.command('runs'))
    .description('workflow runs, newest first: status, jobs done, trigger, duration, cost')
    .argument('[name]', 'only runs of this workflow')
    .option('--status <status>', 'running, succeeded, failed or cancelled')
    .option('--limit <n>', 'at most this many (default 50)')
    .action(async (name: string | undefined, options) => {
      const { workflowRunsCommand } = await import('./workflow-runs-command.js');
      process.exitCode = await workflowRunsCommand(name, options);
    });
  client(workflow.command('show'))
    .description('a workflow run: each job\'s status, attempts, duration, cost, reason; --report for the markdown execution report')
    .argument('<run>', 'a workflow run id (wfr_…)')
    .option('--report', 'the execution report as markdown: jobs, outputs, critical path, errors')
    .option('-f, --follow', 'live until it ends (the exit code follows its outcome)')
    .action(async (id: string, options) => {
      const { workflowShowCommand } = await import('./workflow-runs-command.js');
      process.exitCode = await workflowShowCommand(id, options);
    });
  client(workflow.command('cancel'))
    .description('stop a workflow run: jobs in flight are cancelled; always() and cancelled() jobs still run')
    .argument('<run>', 'a workflow run id (wfr_…)')
    .option('--reason <text>', 'why (logged)')
    .action(async (id: string, options) => {
      const { workflowCancelCommand } = await import('./workflow-runs-command.js');
      process.exitCode = await workflowCancelCommand(id, options);
    });
  client(workflow.command('resume'))
    .description('re-run the failed, cancelled and skipped jobs of a run and what needs them, reusing the outputs of what succeeded')
    .argument('<run>', 'a workflow run id (wfr_…)')
    .option('-f, --follow', 'follow it until it ends (the exit code follows its outcome)')
    .action(async (id: string, options) => {
      const { workflowResumeCommand } = await import('./workflow-runs-command.js');
      process.exitCode = await workflowResumeCommand(id, options);
    });
  return workflow;
}
