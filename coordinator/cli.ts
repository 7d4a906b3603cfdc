import { Command, CommanderError, Option } from 'commander';
import { LOG_FORMAT_ENV, LogFormatError, resolveLogFormat } from '../lib/log/log-format.js';
import { parseDuration } from '../protocol/duration.js';
import { packageVersion } from '../lib/package-root.js';
import { openProjectDatabase, stderrNotices } from '../lib/state/project-state.js';
import { describeStateDir } from '../lib/state/state-dir.js';
import { AgentFileError } from './agents/load-agents-dir.js';
import { McpRegistryError } from './agents/mcp-registry.js';
import { SkillsDirError } from './skills/skills-folder.js';
import { NotifyConfigError } from './notify/notify-config.js';
import { RoutingFileError } from './routing/routing-table.js';
import { type CoordinatorTimings, DEFAULT_EXECUTOR, DEFAULT_HOST, DEFAULT_PORT, resolveTimings } from './constants.js';
import { checkExecutorName, CoordinatorConfigError, startCoordinator, type RunningCoordinator } from './start-coordinator.js';

const ENV = 'AGENT_COORDINATOR_';
const defaults = resolveTimings();

/** Timing flags: option name, env suffix, timings key. */
/** The timings given as durations (every one but the jitter source). */
type DurationTiming = Exclude<keyof CoordinatorTimings, 'backoffRandom' | 'maxAttempts'>;

const TIMING_FLAGS: Array<[string, string, DurationTiming, string]> = [
  ['--lease <duration>', 'LEASE', 'leaseMs', 'runner lease: runs of a runner silent this long are taken back'],
  ['--heartbeat-interval <duration>', 'HEARTBEAT_INTERVAL', 'heartbeatIntervalMs', 'how often runners are told to heartbeat'],
  ['--poll-timeout <duration>', 'POLL_TIMEOUT', 'pollTimeoutMs', 'how long a next-run long-poll is held'],
  ['--placement-timeout <duration>', 'PLACEMENT_TIMEOUT', 'placementTimeoutMs', 'fail runs no runner can serve after this long (0: at once)'],
  ['--backoff-base <duration>', 'BACKOFF_BASE', 'backoffBaseMs', 'first retry delay after an infrastructure failure'],
  ['--backoff-max <duration>', 'BACKOFF_MAX', 'backoffMaxMs', 'longest retry delay'],
  ['--sweep-interval <duration>', 'SWEEP_INTERVAL', 'sweepIntervalMs', 'how often leases and placement are checked'],
  ['--sse-keepalive <duration>', 'SSE_KEEPALIVE', 'sseKeepAliveMs', 'keep-alive comment interval on idle SSE streams'],
];

/** Build the `agent-coordinator` command line; every flag also reads an AGENT_COORDINATOR_* variable. */
export function buildCoordinatorProgram(): Command {
  const program = new Command('agent-coordinator')
    .description('Serve the agent-runner coordinator: agents, sessions, runs, runners and events over HTTP.')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .showHelpAfterError('(run with --help for usage)')
    .addOption(new Option('--host <host>', 'interface to bind').env(`${ENV}HOST`).default(DEFAULT_HOST))
    .addOption(new Option('--port <port>', 'port (0 picks a free one)').env(`${ENV}PORT`).default(String(DEFAULT_PORT)))
    .addOption(new Option('--database-url <url>', 'SQLite file path or postgres:// URL (default: coordinator.db in this folder\'s state folder, see below)').env(`${ENV}DATABASE_URL`))
    .addOption(new Option('--database-schema <name>', 'PostgreSQL schema (default: public)').env(`${ENV}DATABASE_SCHEMA`))
    .addOption(new Option('--agents-dir <dir>', 'folder of <name>.json agent blueprints, watched for changes (default ./agents)').env(`${ENV}AGENTS_DIR`))
    .addOption(new Option('--skills-dir <dir>', 'folder of Agent Skills (each a folder holding SKILL.md) blueprints list in `skills`').env(`${ENV}SKILLS_DIR`))
    .addOption(new Option('--mcp-servers <file>', 'shared MCP servers (JSON or YAML: { servers: { name: { url, headers, enabled } } }) blueprints name in `shared_mcp_servers`').env(`${ENV}MCP_SERVERS`))
    .addOption(new Option('--workflows-dir <dir>', 'folder of workflow files (*.yaml, *.yml, *.json), watched for changes (default ./workflows)').env(`${ENV}WORKFLOWS_DIR`))
    .addOption(new Option('--api-token <token>', 'bearer token for the user API (required off loopback)').env(`${ENV}TOKEN`))
    .addOption(new Option('--default-executor <name>', 'executor of sessions that name none and whose agent names none').env(`${ENV}DEFAULT_EXECUTOR`).default(DEFAULT_EXECUTOR))
    .addOption(new Option('--notify <file>', 'notification config (JSON or YAML): targets and the events each wants (docs/notifications.md)').env(`${ENV}NOTIFY`))
    .addOption(new Option('--routing <file>', 'model routing rules (YAML or JSON), reloaded when the file changes (docs/coordinator.md, "Models and routing")').env(`${ENV}ROUTING`))
    .addOption(new Option('--max-attempts <n>', 'tries per run for infrastructure failures').env(`${ENV}MAX_ATTEMPTS`).default(String(defaults.maxAttempts)))
    .addOption(new Option('--max-body-bytes <n>', 'largest request body').env(`${ENV}MAX_BODY_BYTES`))
    .addOption(new Option('--log-level <level>', 'pino level: trace, debug, info, warn, error, silent').env(`${ENV}LOG_LEVEL`).default('info'))
    .addOption(
      new Option('--log-format <format>', `log lines as json or pretty (else ${LOG_FORMAT_ENV}; default: pretty on a terminal, else json)`).env(`${ENV}LOG_FORMAT`),
    );
  for (const [flags, env, key, help] of TIMING_FLAGS) {
    program.addOption(new Option(flags, `${help} (default ${defaults[key]}ms)`).env(`${ENV}${env}`));
  }
  program.addHelpText('after', () => `\n${describeStateDir()}\n`);
  return program;
}

/** Most tries per run (as `max_attempts` in the API), and the largest request body limit (1 GiB). */
const MAX_ATTEMPTS = 20;
const MAX_BODY_LIMIT = 1024 * 1024 * 1024;

function wholeNumber(text: string, option: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min) throw new CoordinatorConfigError(`${option}: "${text}" must be a whole number ≥ ${min}`);
  if (Number(text) > max) throw new CoordinatorConfigError(`${option}: ${text} is more than the most allowed, ${max}`);
  return Number(text);
}

/** Run `agent-coordinator`: parse flags, start, stop cleanly on SIGINT/SIGTERM. */
export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildCoordinatorProgram();
  program.exitOverride();
  try {
    program.parse(argv);
    const o = program.opts<Record<string, string | undefined>>();
    const timings: Partial<CoordinatorTimings> = { maxAttempts: wholeNumber(o.maxAttempts!, '--max-attempts', 1, MAX_ATTEMPTS) };
    for (const [flags, , key] of TIMING_FLAGS) {
      const name = flags.split(' ')[0]!;
      const value = o[name.slice(2).replace(/-(\w)/g, (_, ch: string) => ch.toUpperCase())];
      if (value !== undefined) {
        try {
          timings[key] = parseDuration(value, name);
        } catch (error) {
          throw new CoordinatorConfigError((error as Error).message);
        }
      }
    }
    checkExecutorName(o.defaultExecutor!, '--default-executor');
    // The flag (or AGENT_COORDINATOR_LOG_FORMAT), then the variable agent-runner reads too.
    const logFormat = resolveLogFormat(
      [
        { name: program.getOptionValueSource('logFormat') === 'env' ? `${ENV}LOG_FORMAT` : '--log-format', value: o.logFormat },
        { name: LOG_FORMAT_ENV, value: process.env[LOG_FORMAT_ENV] },
      ],
      process.stderr.isTTY === true,
    );
    // Signals are handled from before start-up: one sent as soon as the `listening` line is read (a
    // supervisor or a test stopping it at once) stops it cleanly once started, instead of killing it
    // between that line and the handlers. A second signal of the same kind kills it (handlers are once).
    let coordinator: RunningCoordinator | undefined;
    let stopRequested = false;
    const stop = () => {
      if (coordinator === undefined) stopRequested = true;
      else void coordinator.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    coordinator = await startCoordinator({
      host: o.host!,
      port: wholeNumber(o.port!, '--port', 0, 65_535),
      databaseUrl: o.databaseUrl ?? openProjectDatabase(process.cwd(), stderrNotices('agent-coordinator')),
      databaseSchema: o.databaseSchema,
      ...(o.agentsDir === undefined ? {} : { agentsDir: o.agentsDir }),
      ...(o.workflowsDir === undefined ? {} : { workflowsDir: o.workflowsDir }),
      ...(o.skillsDir === undefined || o.skillsDir === '' ? {} : { skillsDir: o.skillsDir }),
      ...(o.mcpServers === undefined || o.mcpServers === '' ? {} : { mcpServers: o.mcpServers }),
      apiToken: o.apiToken ?? null,
      notify: o.notify === undefined || o.notify === '' ? null : o.notify,
      routing: o.routing === undefined || o.routing === '' ? null : o.routing,
      defaultExecutor: o.defaultExecutor!,
      timings,
      ...(o.maxBodyBytes === undefined ? {} : { maxBodyBytes: wholeNumber(o.maxBodyBytes, '--max-body-bytes', 1, MAX_BODY_LIMIT) }),
      logLevel: o.logLevel!,
      logFormat,
    });
    if (stopRequested) stop();
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (error instanceof CoordinatorConfigError || error instanceof NotifyConfigError || error instanceof RoutingFileError || error instanceof AgentFileError || error instanceof LogFormatError || error instanceof McpRegistryError || error instanceof SkillsDirError) {
      process.stderr.write(`agent-coordinator: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`agent-coordinator: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
