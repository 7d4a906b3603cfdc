import { resolve } from 'node:path';
import type { SessionEvent } from '../../protocol/events.js';
import type { CreateSession } from '../../protocol/sessions.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { commandLogger } from './command-logger.js';
import { connectCoordinator, type Connection } from './connect-coordinator.js';
import { RunInterrupts } from './run-interrupts.js';
import { renderSessionEvent } from './render-session-event.js';
import { renderRunEnding, runDurationMs } from './run-ending.js';
import { beginRunStream } from './run-stream.js';
import { parseRunShape, type RunShapeFlags } from './run-flags.js';
import { traceparentFromEnv } from './run-traceparent.js';
import { selectExecutor } from './select-executor.js';
import { exitCodeForRun } from '../../protocol/outcome.js';
import { followRun } from '../client/follow-session.js';
import { EMBEDDED_PLACEMENT_HINT, streamTree } from './run-tree.js';

export interface RunOptions extends RunShapeFlags {
  agent?: string;
  executor?: string;
  projectDir?: string;
  detach?: boolean;
  /** Follow the root session's run only (not its tree), returning when that run ends. */
  rootOnly?: boolean;
  json?: boolean;
  coordinatorUrl?: string;
  executorsDir?: string[];
  grace?: string;
  verbose?: boolean;
}


/** The exit code of a command that was interrupted before its run ended (as a cancelled run's). */
const EXIT_INTERRUPTED = 130;

/** `agent-runner run PROMPT`: create a session, stream its events live, print the result; exit by outcome. */
export async function runCommand(prompt: string, options: RunOptions): Promise<number> {
  if (prompt.trim() === '') throw new CliError('the prompt is empty; give the task as the argument, e.g. agent-runner run "fix the build"', EXIT_USAGE);
  const shape = parseRunShape(options);
  const cwd = process.cwd();
  const logger = commandLogger(options.verbose);
  // Listening from here on: a signal while the embedded stack starts is not the default death.
  const interrupts = new RunInterrupts();
  try {
    const connection = await connectCoordinator({
      coordinatorUrl: options.coordinatorUrl,
      withRunner: true,
      executorsDir: options.executorsDir,
      projectDir: options.projectDir,
      grace: options.grace,
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
      // No executor named: the agent's, else the coordinator's default executor (decided when it is created).
      const body: CreateSession = { prompt, project_dir: resolve(cwd, options.projectDir ?? '.'), ...shape };
      if (options.agent !== undefined) body.agent = options.agent;
      if (options.executor !== undefined) body.executor = options.executor;
      const trace = traceparentFromEnv(process.env);
      if (trace.warning !== undefined) process.stderr.write(trace.warning);
      if (trace.traceparent !== undefined) body.traceparent = trace.traceparent;
      if (interrupts.count > 0) return EXIT_INTERRUPTED; // told to end before anything was submitted
      const created = await connection.api.createSession(body);
      connection.serveTree(created.session_id);
      if (options.detach) {
        process.stdout.write(options.json ? `${JSON.stringify(created)}\n` : `${created.session_id}\n`);
        return 0;
      }
      if (options.rootOnly === true) return await streamRun(connection, interrupts, created.session_id, created.run_id, 0, options.json ?? false);
      return await streamTree(connection, interrupts, created.session_id, created.run_id, options.json ?? false);
    } finally {
      await connection.close({ cancelRuns: interrupts.count > 0 });
    }
  } finally {
    interrupts.dispose();
  }
}

/**
 * Print a run's events as they come and its ending. The first interruption (Ctrl-C, SIGTERM, SIGHUP,
 * output gone) asks the coordinator to stop the session and waits for the run to end cancelled; a
 * second one stops waiting (an embedded runner then cancels what it still runs at once, on close).
 */
export async function streamRun(connection: Connection, interrupts: RunInterrupts, sessionId: string, runId: string, after: number, json: boolean): Promise<number> {
  const { api } = connection;
  const stream = await beginRunStream(connection, interrupts, sessionId, runId, json);
  const { write, say, style, spinner, following } = stream;
  try {
    const onEvent = (record: SessionEvent) => {
      spinner.stop();
      write(json ? `${JSON.stringify(record)}\n` : `${renderSessionEvent(record, style, { endReason: false })}\n`);
      const placement = stream.takePlacement();
      if (placement !== undefined) write(placement);
      spinner.start(record.type === 'run_status' && record.event.status === 'queued' ? 'waiting for a runner…' : 'working…');
    };
    // Follows until the run ends (the stream reconnects by itself; an error that is not retryable throws).
    const ended = await followRun(api, sessionId, runId, after, following.signal, onEvent);
    if (!ended && following.signal.aborted) return EXIT_INTERRUPTED;
    const run = await api.getRun(runId);
    spinner.stop();
    const session = await api.getSession(sessionId);
    const code = exitCodeForRun(run.status, run.outcome?.kind);
    if (json) {
      const ending = { status: run.status, error: run.error, duration_ms: runDurationMs(run), outcome: run.outcome, result: session.result, usage: session.usage, tree_totals: session.tree_totals };
      write(`${JSON.stringify({ type: 'outcome', session_id: sessionId, run_id: runId, ...ending })}\n`);
    } else {
      write(`${renderRunEnding(run, session, code === 0, style)}\n`);
      // Never claimed, and this command's runner is the only one: say how to give the run a runner.
      if (code !== 0 && connection.embedded && run.claimed_at === null && run.status === 'failed') say(EMBEDDED_PLACEMENT_HINT);
    }
    return code;
  } finally {
    stream.close();
  }
}
