import { resolve } from 'node:path';
import { buildInvocation, InvalidInvocationError, newSessionId } from '../invocation/build-invocation.js';
import { findLocalSession, recordLocalSession } from '../invocation/local-sessions.js';
import type { InvocationMode } from '../../protocol/invocation.js';
import { resolveExecutorEnv } from '../runner/runner-config.js';
import { openProjectState, stderrNotices } from '../state/project-state.js';
import { signalGroup } from '../process/process-group.js';
import { OUTCOME_EXIT_CODES } from '../../protocol/outcome.js';
import { spawnExecutor } from '../process/spawn-executor.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { parseDuration } from '../../protocol/duration.js';
import { readBlueprintFile } from './read-blueprint.js';
import { readStdinPrompt, STDIN_ARGUMENT } from './read-prompt.js';
import { renderEvent, renderOutcome } from './render-event.js';
import { selectExecutor, type ExecutorSelection } from './select-executor.js';
import { makeStyle } from './style.js';

export interface InvokeOptions extends ExecutorSelection {
  prompt: string;
  mode: string;
  sessionId?: string;
  executorSessionId?: string;
  projectDir?: string;
  timeout?: string;
  grace?: string;
  executorEnv?: string[];
  blueprint?: string;
  json?: boolean;
}

/**
 * `agent-runner invoke`: run one executor here, with no coordinator; print its events as they come.
 * @returns the process exit code for the outcome (see OUTCOME_EXIT_CODES).
 */
export async function invokeCommand(options: InvokeOptions): Promise<number> {
  const cwd = process.cwd();
  if (options.mode !== 'start' && options.mode !== 'resume') {
    throw new CliError(`--mode: "${options.mode}" is not a mode (use start or resume)`, EXIT_USAGE);
  }
  const mode: InvocationMode = options.mode;
  if (mode === 'resume' && options.sessionId === undefined) {
    throw new CliError('--mode resume needs --session-id (the session printed by the start run)', EXIT_USAGE);
  }
  const timeoutMs = options.timeout === undefined ? undefined : usage(() => parseDuration(options.timeout!, '--timeout'));
  const graceMs = options.grace === undefined ? undefined : usage(() => parseDuration(options.grace!, '--grace'));
  const executor = selectExecutor(options, cwd);
  const executorEnv = usage(() => resolveExecutorEnv(options.executorEnv));
  const prompt = options.prompt === STDIN_ARGUMENT ? await readStdinPrompt() : options.prompt;
  const blueprint = options.blueprint === undefined ? undefined : readBlueprintFile(options.blueprint);
  const sessionId = options.sessionId ?? newSessionId();
  const stateDir = openProjectState(cwd, stderrNotices('agent-runner'));
  const executorSessionId =
    options.executorSessionId ?? (mode === 'resume' ? findLocalSession(stateDir, sessionId)?.executor_session_id : undefined);

  let invocation;
  try {
    invocation = buildInvocation({
      mode,
      sessionId,
      prompt,
      projectDir: resolve(cwd, options.projectDir ?? '.'),
      blueprint,
      metadata: executorSessionId === undefined ? undefined : { executor_session_id: executorSessionId },
    });
  } catch (error) {
    if (error instanceof InvalidInvocationError) throw new CliError(`invalid invocation: ${error.message}`, EXIT_USAGE);
    throw error;
  }

  const out = process.stdout;
  const style = makeStyle(out);
  if (!options.json) {
    out.write(style.bold(`▶ ${executor.name}`) + style.dim(`  session ${sessionId} (${mode})  ${executor.path}\n`));
  }

  const controller = new AbortController();
  let pid: number | undefined;
  let interrupts = 0;
  // First Ctrl-C cancels gracefully (SIGTERM, grace, SIGKILL); a second one kills at once.
  const onSignal = () => {
    interrupts += 1;
    if (interrupts === 1) controller.abort();
    else if (pid !== undefined) signalGroup(pid, 'SIGKILL');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const child = spawnExecutor({
    executable: executor.path,
    invocation,
    envAllow: [...executor.env, ...executorEnv],
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(graceMs === undefined ? {} : { graceMs }),
    signal: controller.signal,
    onEvent: (event) => out.write(options.json ? `${JSON.stringify(event)}\n` : `${renderEvent(event, style)}\n`),
  });
  pid = child.pid;
  const outcome = await child.outcome;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);

  if (outcome.executor_session_id !== null) {
    recordLocalSession(stateDir, sessionId, {
      executor: executor.name,
      executor_session_id: outcome.executor_session_id,
      updated_at: new Date().toISOString(),
    });
  }
  if (options.json) out.write(`${JSON.stringify({ type: 'outcome', session_id: sessionId, executor: executor.name, ...outcome })}\n`);
  else out.write(`${renderOutcome(outcome, style)}\n`);
  return OUTCOME_EXIT_CODES[outcome.kind];
}

function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new CliError((error as Error).message, EXIT_USAGE);
  }
}
