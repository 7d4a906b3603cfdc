/**
 * The claude-code executor: reads the Schema 2.0 invocation on stdin, drives Claude Code through the
 * Agent SDK's `query()`, reports what happens as JSON-line events on stdout, and exits with the code of
 * the executor contract (docs/executors.md, docs/claude-code.md).
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ExecutorEvent } from '../../../protocol/executor-event.js';
import { buildOptions } from './build-options.js';
import { readConfig } from './config.js';
import { loadSdk } from './load-sdk.js';
import { mapMessage, newMappingState, usageSoFar } from './map-message.js';
import { detectRateLimit, newRateLimitState } from './rate-limit.js';
import { EXIT_INFRA, EXIT_REJECTED, EXIT_TERMINATED, endingFromError, endingFromResult, PREFIX, type Ending } from './outcome.js';
import { createPermissionCallback } from './permission-callback.js';
import { parseInvocation, readStdin } from './read-invocation.js';
import { createApprover, type Approver } from './request-approval.js';
import { buildSkillsPlugin, type SkillsPlugin } from './skills-plugin.js';
import type { SdkSpawnOptions } from './sdk-types.js';

/** The blueprint's MCP server that reaches the runner (the coordinator's tools, request_approval among them). */
const ORCHESTRATOR_SERVER = 'orchestrator';

function emit(event: ExecutorEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** The run's skills plugin folder, removed before the process exits. */
let skillsPlugin: SkillsPlugin | undefined;

async function finish(ending: Ending): Promise<never> {
  await skillsPlugin?.remove().catch(() => undefined);
  if (ending.reason !== undefined) process.stderr.write(`${ending.reason}\n`);
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(ending.code);
}

/** SIGTERM or SIGINT when that is how the child ended, by the signal itself or by its shell-style exit code. */
function stoppedBySignal(child: ChildProcess | undefined): NodeJS.Signals | undefined {
  if (child === undefined) return undefined;
  if (child.signalCode === 'SIGTERM' || child.exitCode === 128 + 15) return 'SIGTERM';
  if (child.signalCode === 'SIGINT' || child.exitCode === 128 + 2) return 'SIGINT';
  return undefined;
}

/** Wait for a child to exit; SIGKILL it if it is still there after the grace period. */
function reap(child: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function main(): Promise<void> {
  let child: ChildProcess | undefined;
  let queryStarted = false;
  let cancelledBy: NodeJS.Signals | undefined;
  let stoppedByUs = false;
  let killGraceMs = 3_000;
  const abort = new AbortController();

  // Our stderr is for the one line that explains an ending; Node's own warnings become log events.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => emit({ type: 'log', level: 'warn', message: `${warning.name}: ${warning.message}` }));
  process.stdout.on('error', () => {});

  // Stop the query (the SDK closes Claude's input) and ask Claude Code itself to stop; main() reaps it.
  const stopClaude = () => {
    stoppedByUs = true;
    abort.abort();
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const target = child;
      target.kill('SIGTERM');
      const timer = setTimeout(() => target.kill('SIGKILL'), killGraceMs);
      target.once('exit', () => clearTimeout(timer));
    }
  };
  const cancel = (signal: NodeJS.Signals) => {
    if (cancelledBy !== undefined) return;
    cancelledBy = signal;
    if (!queryStarted) void finish({ code: EXIT_TERMINATED, reason: `${PREFIX}: cancelled by ${signal} before Claude Code started` });
    stopClaude();
  };
  process.on('SIGTERM', () => cancel('SIGTERM'));
  process.on('SIGINT', () => cancel('SIGINT'));

  // Importing the SDK is the largest fixed cost of a run (~140 ms on the 2-core box): start it while stdin is read.
  const sdkLoading = loadSdk();
  const parsed = parseInvocation(await readStdin());
  if (!parsed.ok) return finish({ code: EXIT_REJECTED, reason: `${PREFIX}: invalid invocation: ${parsed.reason}` });
  const configured = readConfig(process.env);
  if (!configured.ok) return finish({ code: EXIT_INFRA, reason: `${PREFIX}: ${configured.reason}` });
  killGraceMs = configured.config.killGraceMs;
  const loaded = await sdkLoading;
  if (!loaded.ok) return finish({ code: EXIT_INFRA, reason: `${PREFIX}: ${loaded.reason}` });

  // The run's skills: a plugin folder outside the project, for this run only (removed in finish()).
  const skills = parsed.invocation.agent_blueprint?.skills ?? [];
  if (skills.length > 0) {
    try {
      skillsPlugin = await buildSkillsPlugin(skills);
    } catch (error) {
      return finish({ code: EXIT_INFRA, reason: `${PREFIX}: agent_blueprint.skills: cannot copy the skills for Claude Code (${(error as Error).message})` });
    }
  }
  const options = buildOptions({ ...parsed, config: configured.config, env: process.env, cwd: process.cwd(), skillsPlugin: skillsPlugin?.path });
  options.abortController = abort;
  options.spawnClaudeCodeProcess = (spawnOptions: SdkSpawnOptions) => {
    const spawned = spawnClaude(spawnOptions);
    child = spawned;
    return spawned;
  };

  // Approvals: Claude's permission requests for the listed tools go to a person through the coordinator.
  let approver: Approver | undefined;
  const approvals = parsed.settings.approvals;
  if (approvals !== undefined) {
    const orchestrator = parsed.invocation.agent_blueprint?.mcp_servers?.[ORCHESTRATOR_SERVER];
    if (orchestrator?.url !== undefined) approver = createApprover({ url: orchestrator.url, ...(orchestrator.headers === undefined ? {} : { headers: orchestrator.headers }) });
    else emit({ type: 'log', level: 'warn', message: `approvals: the blueprint has no "${ORCHESTRATOR_SERVER}" MCP server over http, so every listed tool is denied` });
    options.canUseTool = createPermissionCallback({ approvals, approver, runSignal: abort.signal, log: (level, message) => emit({ type: 'log', level, message }) });
  }

  const state = newMappingState();
  const limits = newRateLimitState();
  let ending: Ending;
  queryStarted = true;
  try {
    for await (const message of loaded.sdk.query({ prompt: parsed.invocation.prompt, options })) {
      for (const event of mapMessage(message, state)) emit(event);
      const limited = detectRateLimit(message, limits, state.model, Date.now());
      if (limited !== undefined) {
        // Not Claude Code's own retry loop (minutes against a limit): the coordinator parks the run instead.
        emit(limited);
        stopClaude();
        break;
      }
    }
    ending = endingFromResult(state);
  } catch (error) {
    ending = endingFromError(error, state);
  }
  if (limits.reported !== undefined) ending = { code: EXIT_INFRA, reason: `${PREFIX}: rate limited: ${limits.reported.message}` };
  await reap(child, killGraceMs);
  // The runner signals our whole process group: Claude Code and this process get SIGTERM together. On a
  // busy machine Claude Code's end can reach us before our own handler has run, so a Claude Code stopped
  // by SIGTERM or SIGINT that we did not send is a cancel too (the same words, the same exit code).
  if (cancelledBy === undefined && !stoppedByUs) cancelledBy = stoppedBySignal(child);
  await approver?.close();
  // Ended without Claude's result message (cancelled, or Claude Code failed): what it used so far still counts.
  const partialUsage = usageSoFar(state);
  if (partialUsage !== undefined) emit(partialUsage);
  if (cancelledBy !== undefined) {
    emit({ type: 'log', level: 'warn', message: `cancelled by ${cancelledBy}; Claude Code stopped` });
    return finish({ code: EXIT_TERMINATED, reason: `${PREFIX}: cancelled by ${cancelledBy}` });
  }
  return finish(ending);
}

/**
 * Start Claude Code ourselves (instead of letting the SDK do it) to hold its process, so a cancel can
 * signal it directly, and to turn its stderr into log events: our own stderr stays one clear line.
 */
function spawnClaude(options: SdkSpawnOptions): ChildProcessWithoutNullStreams {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    signal: options.signal,
    windowsHide: true,
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (line.trim() !== '') emit({ type: 'log', level: 'warn', message: `claude: ${line}` });
  });
  return child;
}
