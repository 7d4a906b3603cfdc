import { resolve } from 'node:path';
import type { UserApi } from '../client/user-api.js';
import type { SessionEvent } from '../../protocol/events.js';
import type { CreateSession } from '../../protocol/sessions.js';
import { createLogger } from '../log/create-logger.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { connectCoordinator } from './connect-coordinator.js';
import { renderSessionEvent } from './render-session-event.js';
import { terminalText } from './terminal-text.js';
import { selectExecutor } from './select-executor.js';
import { Spinner } from './spinner.js';
import { makeStyle } from './style.js';
import { exitCodeForRun } from '../../protocol/outcome.js';
import { followRun } from '../client/follow-session.js';

export interface RunOptions {
  agent?: string;
  executor?: string;
  tags?: string;
  projectDir?: string;
  detach?: boolean;
  json?: boolean;
  coordinatorUrl?: string;
  executorsDir?: string[];
  timeout?: number;
  verbose?: boolean;
}

/** `agent-runner run PROMPT`: create a session, stream its events live, print the result; exit by outcome. */
export async function runCommand(prompt: string, options: RunOptions): Promise<number> {
  if (prompt.trim() === '') throw new CliError('the prompt is empty; give the task as the argument, e.g. agent-runner run "fix the build"', EXIT_USAGE);
  const cwd = process.cwd();
  const logger = createLogger({ name: 'agent-runner', verbose: options.verbose ?? false });
  if (!options.verbose && process.env.AGENT_RUNNER_LOG_LEVEL === undefined) logger.level = 'warn';
  const connection = await connectCoordinator({
    coordinatorUrl: options.coordinatorUrl,
    withRunner: true,
    executorsDir: options.executorsDir,
    projectDir: options.projectDir,
    cwd,
    logger,
  });
  try {
    if (options.detach && connection.embedded) {
      throw new CliError(
        '--detach needs a coordinator that outlives this command: start one with `agent-runner` (or agent-coordinator) first, or give --coordinator-url',
        EXIT_USAGE,
      );
    }
    // The in-process runner serves every executor found here: an unknown name would only wait for the
    // placement timeout, so say at once what is available.
    if (connection.embedded && options.executor !== undefined) selectExecutor({ executor: options.executor, executorsDir: options.executorsDir }, cwd);
    const body: CreateSession = { prompt, project_dir: resolve(cwd, options.projectDir ?? '.') };
    if (options.agent !== undefined) body.agent = options.agent;
    if (options.executor !== undefined) body.executor = options.executor;
    else if (options.agent === undefined) body.executor = 'claude-code';
    if (options.tags !== undefined) body.tags = options.tags.split(',').map((t) => t.trim()).filter(Boolean);
    const created = await connection.api.createSession(body);
    if (options.detach) {
      process.stdout.write(options.json ? `${JSON.stringify(created)}\n` : `${created.session_id}\n`);
      return 0;
    }
    return await streamRun(connection.api, created.session_id, created.run_id, 0, options.json ?? false);
  } finally {
    await connection.close();
  }
}

/** Print a run's events as they come and its ending; Ctrl-C asks the coordinator to stop the session. */
export async function streamRun(api: UserApi, sessionId: string, runId: string, after: number, json: boolean): Promise<number> {
  const out = process.stdout;
  const style = makeStyle(out);
  const spinner = new Spinner(process.stderr, !json && process.stderr.isTTY === true);
  if (!json) out.write(style.bold(`▶ session ${sessionId}`) + style.dim(`  run ${runId}\n`));
  spinner.start('waiting for a runner…');
  let interrupted = 0;
  const onSignal = () => {
    interrupted += 1;
    if (interrupted > 1) process.exit(130);
    spinner.stop();
    process.stderr.write('stopping the session… (Ctrl-C again to leave it running)\n');
    void api.stopSession(sessionId).catch(() => undefined);
  };
  process.on('SIGINT', onSignal);
  try {
    const onEvent = (record: SessionEvent) => {
      spinner.stop();
      out.write(json ? `${JSON.stringify(record)}\n` : `${renderSessionEvent(record, style)}\n`);
      spinner.start(record.type === 'run_status' && record.event.status === 'queued' ? 'waiting for a runner…' : 'working…');
    };
    // Follows until the run ends (the stream reconnects by itself; an error that is not retryable throws).
    await followRun(api, sessionId, runId, after, new AbortController().signal, onEvent);
    const run = await api.getRun(runId);
    spinner.stop();
    const session = await api.getSession(sessionId);
    const code = exitCodeForRun(run.status, run.outcome?.kind);
    if (json) {
      out.write(`${JSON.stringify({ type: 'outcome', session_id: sessionId, run_id: runId, status: run.status, outcome: run.outcome, result: session.result, usage: session.usage })}\n`);
    } else {
      const message = run.outcome?.message ?? run.error ?? run.status;
      out.write(code === 0 ? style.green(`✔ ${run.status}`) + '\n' : style.red(`✘ ${run.status}: ${terminalText(message)}`) + '\n');
    }
    return code;
  } finally {
    spinner.stop();
    process.off('SIGINT', onSignal);
  }
}
