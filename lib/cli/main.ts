import { Command, CommanderError, Option } from 'commander';
import { CliError, EXIT_USAGE } from './cli-error.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** Build the `agent-runner` command line. Commands load their modules on use, to keep start-up fast. */
export function buildProgram(): Command {
  const program = new Command('agent-runner')
    .description('Run AI agents as pluggable executor subprocesses.')
    .enablePositionalOptions()
    .exitOverride() // before the subcommands, which inherit it
    .showHelpAfterError('(run with --help for usage)')
    .option('-l, --executor-list', 'list the executors found, with their problems, and exit')
    .option('--json', 'machine-readable output (with --executor-list)')
    .option('-x, --executor <name>', 'the executor to run (default: claude-code)')
    .option('--executor-path <file>', 'run this executable file as the executor')
    .option('--executors-dir <dir>', 'another folder of executors (repeatable; later ones win)', collect, [])
    .action(async (options) => {
      const { rootCommand } = await import('./root-command.js');
      process.exitCode = await rootCommand(options);
    });

  program
    .command('invoke')
    .description('run one executor here, without a coordinator, and print its events')
    .requiredOption('--prompt <text>', 'the prompt ("-" reads it from stdin)')
    .option('-x, --executor <name>', 'the executor to run (default: claude-code)')
    .option('--executor-path <file>', 'run this executable file as the executor')
    .option('--executors-dir <dir>', 'another folder of executors (repeatable)', collect, [])
    .addOption(new Option('--mode <mode>', 'start a session or resume one').default('start'))
    .option('--session-id <id>', 'the session id (default: a new ses_… id; required with --mode resume)')
    .option('--executor-session-id <id>', 'resume this executor session (default: the one the session bound)')
    .option('-p, --project-dir <dir>', 'the project folder, the executor\'s cwd (default: .)')
    .option('--blueprint <file>', 'an agent blueprint JSON file to send as agent_blueprint')
    .option('--timeout <duration>', 'cancel the run after this long (e.g. 30s, 5m)')
    .option('--grace <duration>', 'time between SIGTERM and SIGKILL (default 10s)')
    .option('--json', 'print events and the outcome as JSON lines')
    .action(async (options) => {
      const { invokeCommand } = await import('./invoke-command.js');
      process.exitCode = await invokeCommand(options);
    });

  const executor = program.command('executor').description('work with executors');
  executor
    .command('check <name-or-path>')
    .description('run the conformance battery against an executor')
    .option('--grace <duration>', 'how long it may take to exit after SIGTERM (default 10s)')
    .option('--timeout <duration>', 'how long one run may take (default 30s)')
    .option('--executors-dir <dir>', 'another folder of executors (repeatable)', collect, [])
    .option('--json', 'print the results as JSON')
    .action(async (target: string, options) => {
      const { checkCommand } = await import('./check-command.js');
      process.exitCode = await checkCommand(target, options);
    });

  return program;
}

/** Run the CLI: parse argv, run the command, turn failures into one stderr line and an exit code. */
export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; any other parse failure is a usage error.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    if (error instanceof CliError) {
      process.stderr.write(`agent-runner: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    throw error;
  }
}
