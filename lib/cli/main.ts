import { Argument, Command, CommanderError, Option } from 'commander';
import { EXIT_TEMPFAIL } from '../../protocol/outcome.js';
import { CoordinatorError } from '../client/coordinator-error.js';
import { packageVersion } from '../package-root.js';
import { EXECUTOR_ENV_VAR } from '../process/executor-env.js';
import { growYoungGenerationAtOnce } from '../runner/young-generation.js';
import { describeStateDir } from '../state/state-dir.js';
import { addAgentsCommands } from './agents-program.js';
import { addSkillsCommands } from './skills-program.js';
import { addWorkflowCommands } from './workflow-program.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { terminalText } from './terminal-text.js';
import { refuseStrayArguments } from './unknown-command.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** Build the `agent-runner` command line. Commands load their modules on use, to keep start-up fast. */
export function buildProgram(): Command {
  const program = new Command('agent-runner')
    .description('Run AI agents as pluggable executor subprocesses.')
    .enablePositionalOptions()
    .exitOverride() // before the subcommands, which inherit it
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .showHelpAfterError('(run with --help for usage)')
    // Every command but the daemon (the root action, which caps its young generation instead).
    .hook('preSubcommand', () => void growYoungGenerationAtOnce())
    .option('-l, --executor-list', 'list the executors found, with their problems, and exit')
    .option('--json', 'machine-readable output (with --executor-list)')
    .option('-c, --coordinator-url <url>', 'the coordinator to join (env AGENT_COORDINATOR_URL; default: start one in-process)')
    .option('-x, --executor <name>', 'serve this executor (repeatable or comma-separated; default: every usable one)', collect, [])
    .option('--executor-path <file>', 'serve this executable file as the only executor')
    .option('--executors-dir <dir>', 'another folder of executors (repeatable; later ones win)', collect, [])
    .option('-t, --tags <a,b>', 'this runner\'s tags, for runs that ask for them (env AGENT_RUNNER_TAGS)')
    .option('-p, --project-dir <dir>', 'project folder for runs that do not name one (default: .)')
    .option('-n, --concurrency <n>', 'executors run at once (env AGENT_RUNNER_CONCURRENCY; default 4)')
    .option('--mcp-port <port>', 'port of the MCP endpoint (default: a free one)')
    .option('--run-timeout <duration>', 'cancel a run after this long unless its session sets timeout_s')
    .option('--grace <duration>', 'time between SIGTERM and SIGKILL when cancelling (default 10s)')
    .option('--executor-nice <n>', 'run executors n nice levels below the runner, 0 to 19 (env AGENT_RUNNER_EXECUTOR_NICE; default 5; 0: same priority)')
    .option('--drain-timeout <duration>', 'on SIGINT/SIGTERM, wait this long for running executors (default 30s)')
    .option('--blueprint-env <name>', 'allow ${env.NAME} in blueprints to read NAME (repeatable or comma-separated)', collect, [])
    .option('--executor-env <name>', `pass NAME (or a prefix: AWS_*) to executors on top of the base set and their executor.json env (repeatable; env ${EXECUTOR_ENV_VAR})`, collect, [])
    .option('--credentials <file>', 'credential profiles, one of which each run gets (env AGENT_RUNNER_CREDENTIALS; docs/runner.md)')
    .option('-v, --verbose', 'debug logs')
    .option('--log-format <format>', 'log lines as json or pretty (env AGENT_RUNNER_LOG_FORMAT; default: pretty on a terminal, else json)')
    .addHelpText('after', () => `\n${describeStateDir()}\n`)
    .action(async (options) => {
      refuseStrayArguments(program);
      const { rootCommand } = await import('./root-command.js');
      process.exitCode = await rootCommand(options);
    });

  program
    .command('run')
    .description('submit a prompt, stream the run live, print its result (exit code follows the outcome)')
    .argument('[prompt]', 'the task ("-" reads it from stdin)')
    .option('--prompt-file <file>', 'read the task from this file')
    .option('-a, --agent <name>', 'the agent blueprint to use')
    .option('-x, --executor <name>', 'the executor (default: the agent\'s, else the coordinator\'s default, claude-code)')
    .option('-t, --tags <a,b>', 'only runners with these tags may take it')
    .option('--timeout <duration>', 'cancel the run after this long (e.g. 30s, 5m; default: the agent\'s timeout_s, else the runner\'s)')
    .option('--priority <n>', 'higher runs are taken first, -1000 to 1000 (default 0)')
    .option('--max-attempts <n>', 'tries on infrastructure failures, 1 to 20 (default: the coordinator\'s, 3)')
    .option('--kind <kind>', 'what kind of task this is (e.g. review), for the coordinator\'s model routing rules')
    .option('--budget-usd <usd>', 'stop the whole tree (this session and every one it starts) once it has cost this many US dollars')
    .option('--budget-tokens <n>', 'stop the whole tree once it has used this many tokens (input, output and cache)')
    .option('--max-wall <duration>', 'stop the whole tree once it has run this long (e.g. 90s, 10m, 2h; a bare number is seconds)')
    .option('--max-depth <n>', 'refuse sessions more than this many levels below this one (0: no children)')
    .option('--max-children <n>', 'refuse a child to a session of the tree that has this many already')
    .option('--max-sessions <n>', 'refuse a session to a tree that holds this many, this one included')
    .option('-p, --project-dir <dir>', 'the project folder (default: .)')
    .option('-c, --coordinator-url <url>', 'the coordinator (default: one on 127.0.0.1:8765, else in-process)')
    .option('--executors-dir <dir>', 'another folder of executors for an in-process runner (repeatable)', collect, [])
    .option('-d, --detach', 'print the session id and return at once')
    .option('--root-only', 'follow this session\'s run only, not the sessions it starts (return when that run ends)')
    .option('--grace <duration>', 'in-process runner: time between SIGTERM and SIGKILL when cancelling (default 10s)')
    .option('--json', 'events and the outcome as JSON lines')
    .option('-v, --verbose', 'debug logs')
    .action(async (prompt: string | undefined, options) => {
      const { readPrompt } = await import('./read-prompt.js');
      const { runCommand } = await import('./run-command.js');
      process.exitCode = await runCommand(await readPrompt(prompt, options.promptFile), options);
    });

  const sessions = program.command('sessions').description('list, inspect, follow, wait for, resume, stop, retry, delete and prune sessions');
  const common = (cmd: Command) =>
    cmd.option('-c, --coordinator-url <url>', 'the coordinator (default: one on 127.0.0.1:8765, else in-process)').option('--json', 'JSON output').option('-v, --verbose', 'debug logs');
  common(sessions.command('list').description('sessions, newest first'))
    .option('--status <status>', 'only sessions in this state (queued, running, idle, failed, cancelled)')
    .option('--agent <name>', 'only sessions of this agent')
    .option('--parent <id>', 'only the children of this session')
    .option('--root <id>', 'only the sessions of the tree under this root (itself included)')
    .option('--executor <name>', 'only sessions run by this executor')
    .option('--search <text>', 'only sessions whose prompt contains this text (case-insensitive; scans at most 20,000 sessions per page)')
    .option('--limit <n>', 'sessions per page (default 20)')
    .option('--cursor <cursor>', 'the page after this cursor (printed at the end of a page)')
    .action(async (options) => {
      const { listSessionsCommand } = await import('./sessions-list-command.js');
      process.exitCode = await listSessionsCommand(options);
    });
  common(sessions.command('show').description('one session: status, outcome, error, runner, usage, result').argument('<id>'))
    .action(async (id: string, options) => {
      const { showSessionCommand } = await import('./sessions-show-command.js');
      process.exitCode = await showSessionCommand(id, options);
    });
  common(sessions.command('tree').description('the tree of sessions under a session: status, agent, duration, cost, and a total').argument('<id>'))
    .option('-f, --follow', 'redraw it live until the tree is quiet (nothing in flight, no callback waiting)')
    .option('--depth <n>', 'only this many levels below the session')
    .action(async (id: string, options) => {
      const { sessionTreeCommand } = await import('./sessions-tree-command.js');
      process.exitCode = await sessionTreeCommand(id, options);
    });
  common(sessions.command('events').description('a session\'s events').argument('<id>'))
    .option('-f, --follow', 'keep printing new events until Ctrl-C')
    .option('--after <seq>', 'only events after this sequence number')
    .option('--tree', 'every event of the session\'s tree, each line prefixed with its session, children indented')
    .action(async (id: string, options) => {
      const { sessionEventsCommand } = await import('./sessions-command.js');
      process.exitCode = await sessionEventsCommand(id, options);
    });
  common(sessions.command('resume').description('continue a session with a new prompt').argument('<id>').argument('<prompt>'))
    .option('--executors-dir <dir>', 'another folder of executors for an in-process runner (repeatable)', collect, [])
    .option('-d, --detach', 'print the run id and return at once')
    .action(async (id: string, prompt: string, options) => {
      const { resumeSessionCommand } = await import('./sessions-command.js');
      process.exitCode = await resumeSessionCommand(id, prompt, options);
    });
  common(sessions.command('stop').description('cancel a session\'s running run, and its descendants\'').argument('<id>'))
    .option('--no-cascade', 'stop this session only; its descendant sessions keep running')
    .option('-w, --wait', 'wait until it (and each descendant stopped) has ended')
    .option('--timeout <duration>', 'with --wait: stop waiting after this long (exit 124)')
    .action(async (id: string, options) => {
      const { stopSessionCommand } = await import('./sessions-stop-command.js');
      process.exitCode = await stopSessionCommand(id, options);
    });
  common(sessions.command('retry').description('start an ended session again as a new session (same agent, prompt, parent…); prints its id').argument('<id>'))
    .action(async (id: string, options) => {
      const { retrySessionCommand } = await import('./sessions-retry-command.js');
      process.exitCode = await retrySessionCommand(id, options);
    });
  // Scripting and housekeeping: wait for the end, read the result, delete, prune.
  common(sessions.command('wait').description('wait until a session ends (exit code follows its outcome, as run\'s)').argument('<id>'))
    .option('--timeout <duration>', 'stop waiting after this long (exit 124)')
    .action(async (id: string, options) => {
      const { waitSessionCommand } = await import('./sessions-wait-command.js');
      process.exitCode = await waitSessionCommand(id, options);
    });
  common(sessions.command('result').description('print only a session\'s result text (--json: the result object)').argument('<id>'))
    .action(async (id: string, options) => {
      const { sessionResultCommand } = await import('./sessions-wait-command.js');
      process.exitCode = await sessionResultCommand(id, options);
    });
  common(sessions.command('delete').description('delete an ended session and its descendants, with their runs and events').argument('<id>'))
    .action(async (id: string, options) => {
      const { deleteSessionCommand } = await import('./sessions-delete-command.js');
      process.exitCode = await deleteSessionCommand(id, options);
    });
  common(sessions.command('prune').description('delete sessions that ended long enough ago'))
    .requiredOption('--older-than <age>', 'sessions that ended at least this long ago (e.g. 12h, 7d, 2w; 0: any)')
    .option('--status <status>', 'only sessions in these ended states: idle, failed, cancelled (repeatable or comma-separated)', collect, [])
    .action(async (options) => {
      const { pruneSessionsCommand } = await import('./sessions-delete-command.js');
      process.exitCode = await pruneSessionsCommand(options);
    });

  // The fleet and the system: runners, status.
  common(program.command('say').description('a message to agents by @mention: `@reviewer look at the last commit` starts a session of reviewer; several mentions, one session each').argument('<message>'))
    .action(async (message: string, options) => {
      const { sayCommand } = await import('./say-command.js');
      process.exitCode = await sayCommand(message, options);
    });
  common(program.command('runners').description('the fleet: each runner\'s executors, tags, slots used/total, last heartbeat, state'))
    .option('--all', 'offline runners too')
    .action(async (options) => {
      const { runnersCommand } = await import('./runners-command.js');
      process.exitCode = await runnersCommand(options);
    });
  common(program.command('notifications').description('the notification outbox, newest first: event, target, status, attempts, last error'))
    .option('--failed', 'only notifications that failed (gave up after their attempts)')
    .option('--limit <n>', 'how many (default 50, at most 500)')
    .action(async (options) => {
      const { notificationsCommand } = await import('./notifications-command.js');
      process.exitCode = await notificationsCommand(options);
    });
  const credentials = program.command('credentials').description('a runner\'s credential profiles (--credentials FILE): list, check, encrypt, decrypt');
  const credentialsFile = (command: Command) => command.option('--credentials <file>', 'the credentials file (env AGENT_RUNNER_CREDENTIALS)');
  credentialsFile(credentials.command('list').description('each profile: name, weight, models, executors, the names of its variables (never their values), and its state (ok, or parked until a rate limit resets)'))
    .option('-c, --coordinator-url <url>', 'the coordinator whose parks to show (default: one on 127.0.0.1:8765, else in-process)')
    .option('--json', 'machine-readable output')
    .action(async (options) => {
      const { credentialsListCommand } = await import('./credentials-command.js');
      process.exitCode = await credentialsListCommand(options);
    });
  credentialsFile(credentials.command('check').description('ask each profile\'s API whether its key works now (ok, failing, rate limited); exit 1 when one fails'))
    .option('--timeout <duration>', 'how long to wait for each answer (default 10s)')
    .option('--json', 'machine-readable output')
    .action(async (options) => {
      const { credentialsCheckCommand } = await import('./credentials-command.js');
      process.exitCode = await credentialsCheckCommand(options);
    });
  credentialsFile(credentials.command('encrypt').description(`encrypt the file in place with the passphrase in AGENT_RUNNER_CREDENTIALS_KEY`))
    .argument('[file]', 'the file (default: --credentials)')
    .action(async (file: string | undefined, options) => {
      const { credentialsEncryptCommand } = await import('./credentials-command.js');
      process.exitCode = await credentialsEncryptCommand(file, options);
    });
  credentialsFile(credentials.command('decrypt').description('decrypt the file in place, to edit it (encrypt it again after)'))
    .argument('[file]', 'the file (default: --credentials)')
    .action(async (file: string | undefined, options) => {
      const { credentialsDecryptCommand } = await import('./credentials-command.js');
      process.exitCode = await credentialsDecryptCommand(file, options);
    });

  common(program.command('status').description('system status: coordinator and store, runners, runs by state, queue age, last hour, sessions'))
    .action(async (options) => {
      const { statusCommand } = await import('./status-command.js');
      process.exitCode = await statusCommand(options);
    });

  common(program.command('inbox').description('open questions and approvals agents asked, oldest first (session, agent, tree root, age, the question or exact tool call)'))
    .option('-f, --follow', 'keep watching: print each new question, and a line when one is answered (Ctrl-C stops)')
    .action(async (options) => {
      const { inboxCommand } = await import('./inbox-command.js');
      process.exitCode = await inboxCommand(options);
    });
  common(program.command('answer').description('answer a question or approval once: TEXT, --choice N, --allow or --deny'))
    .argument('<question-id>', 'the question (q_…), from `agent-runner inbox`')
    .argument('[text]', 'a free answer')
    .option('--choice <n>', 'pick option N (0, 1, …) of the question')
    .option('--allow', 'approve the tool call')
    .option('--deny', 'refuse the tool call')
    .option('--message <text>', 'words for the agent with the answer (e.g. why it is denied)')
    .option('--remember', 'with --allow: allow this tool for the rest of the session')
    .action(async (id: string, text: string | undefined, options) => {
      const { answerCommand } = await import('./inbox-command.js');
      process.exitCode = await answerCommand(id, text, options);
    });

  // Shell completion, generated from this program; `__complete` lists names for the scripts.
  program
    .command('completion')
    .description('print a completion script for bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText('after', '\nInstall: source <(agent-runner completion bash) · agent-runner completion zsh > "${fpath[1]}/_agent_runner" · agent-runner completion fish > ~/.config/fish/completions/agent-runner.fish')
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      const { completionCommand } = await import('./completion-command.js');
      process.exitCode = completionCommand(shell, program);
    });
  program
    .command('__complete', { hidden: true })
    .argument('<kind>', 'executors, agents, sessions or skills')
    .action(async (kind: string) => {
      const { completeValuesCommand } = await import('./completion/complete-values.js');
      process.exitCode = await completeValuesCommand(kind);
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
    .option('--executor-env <name>', `pass NAME (or a prefix: AWS_*) to the executor on top of the base set (repeatable; env ${EXECUTOR_ENV_VAR})`, collect, [])
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
    .option('--executor-env <name>', `pass NAME (or a prefix: AWS_*) to the executor on top of the base set (repeatable; env ${EXECUTOR_ENV_VAR})`, collect, [])
    .option('--json', 'print the results as JSON')
    .action(async (target: string, options) => {
      const { checkCommand } = await import('./check-command.js');
      process.exitCode = await checkCommand(target, options);
    });

  addAgentsCommands(program);
  addSkillsCommands(program);
  addWorkflowCommands(program);

  // The root command takes no operands; set after the subcommands, which would inherit it.
  program.allowUnknownOption().allowExcessArguments();
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
    // Messages may quote what a user, a file or a coordinator wrote: shown safe for a terminal.
    if (error instanceof CliError) {
      process.stderr.write(`agent-runner: ${terminalText(error.message, { lines: true })}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof CoordinatorError) {
      // The coordinator's own words name the field or the missing thing; bad input is a usage error, no
      // answer at all a temporary failure (EX_TEMPFAIL: try again once it is up).
      process.stderr.write(`agent-runner: ${terminalText(error.message, { lines: true })}\n`);
      process.exitCode = error.status === 0 ? EXIT_TEMPFAIL : error.status === 400 || error.status === 422 ? EXIT_USAGE : 1;
      return;
    }
    throw error;
  }
}
