import type { Logger } from 'pino';
import { PlaceholderError, resolvePlaceholders } from '../blueprint/resolve-placeholders.js';
import { CoordinatorError } from '../client/coordinator-error.js';
import type { Assignment } from '../../protocol/runners.js';
import type { ResolvedExecutor } from '../discovery/resolve-executor.js';
import { buildInvocation, InvalidInvocationError } from '../invocation/build-invocation.js';
import type { AgentBlueprint } from '../../protocol/invocation.js';
import type { RunOutcome } from '../process/run-outcome.js';
import { spawnExecutor } from '../process/spawn-executor.js';
import type { BlueprintCache } from './blueprint-cache.js';
import type { SkillCache } from './skill-cache.js';
import { checkProjectFolder } from './project-folder.js';
import { attemptTraceparent } from './attempt-span.js';
import type { ExecutorLedger } from './executor-ledger.js';
import type { ReportOutbox, RunModel } from './report-outbox.js';
import type { CredentialProfile } from '../credentials/credentials-file.js';

export interface RunContext {
  executors: ReadonlyMap<string, ResolvedExecutor>;
  defaultExecutor: string;
  blueprints: BlueprintCache;
  /** The sessions' Agent Skills, fetched and kept under the runner's state folder. */
  skills: SkillCache;
  outbox: ReportOutbox;
  projectDir: string;
  runTimeoutMs: number | undefined;
  graceMs: number | undefined;
  /** Nice levels below the runner its executors run at (RunnerConfig.executorNice). */
  executorNice: number;
  allowedEnv: ReadonlySet<string>;
  /** The operator's `--executor-env`: names or prefixes every executor gets on top of its declared `env`. */
  executorEnv: readonly string[];
  mcpUrl: string | undefined;
  /**
   * Per executor name: what of the runner's environment its executors get (executor-env.ts passedEnv over
   * its declared `env` and `executorEnv`), taken when the runner started; absent: read from process.env at
   * each start. spawnExecutor filters it again, so no secret passes whatever it holds.
   */
  executorBaseEnv?: ReadonlyMap<string, NodeJS.ProcessEnv>;
  /** Add the runner's own MCP server to the blueprint (the session-scoped endpoint). */
  decorateBlueprint?: (blueprint: AgentBlueprint | undefined, sessionId: string) => AgentBlueprint | undefined;
  logger: Logger;
  /** The runner's credential profiles by name (`--credentials`): a run gets only the one its claim names. */
  credentials?: ReadonlyMap<string, CredentialProfile> | undefined;
  /** Where executor groups are noted so they end if the runner dies (watchdog.ts); set when the runner starts. */
  ledger?: ExecutorLedger | undefined;
}

/** An outcome for a run that ended before any executor started (bad blueprint, unknown executor). */
export function outcomeWithoutProcess(kind: RunOutcome['kind'], message: string): RunOutcome {
  return {
    kind,
    exit_code: null,
    signal: null,
    duration_ms: 0,
    stderr_tail: '',
    result: null,
    executor_session_id: null,
    forcefully_killed: false,
    left_processes_behind: false,
    message,
  };
}

/** The executor an agent blueprint prefers (the coordinator's `executor` field, kept by the loose blueprint schema). */
function preferredExecutor(blueprint: AgentBlueprint | undefined): string | undefined {
  return typeof blueprint?.executor === 'string' ? blueprint.executor : undefined;
}

/**
 * The profile a run was given (by name, in its claim), or why it cannot be used (the message of an
 * infrastructure failure: another runner, or this one after a restart, may have it). Null: no profile.
 */
function credentialFor(name: string | null, executor: string, profiles: ReadonlyMap<string, CredentialProfile> | undefined): CredentialProfile | string | null {
  if (name === null) return null;
  const profile = profiles?.get(name);
  if (profile === undefined) return `credential profile "${name}" is not on this runner (its --credentials file changed?)`;
  // Its secrets go only to the executors it is for.
  if (profile.executors !== null && !profile.executors.includes(executor)) return `credential profile "${name}" is not for executor "${executor}"`;
  return profile;
}

/**
 * The blueprint with the model the coordinator chose at the claim (routing rules, else the blueprint's own
 * list less parked models): `model` the choice, `models` the choice then its fallbacks. Unchanged when the
 * coordinator chose none (or predates routing).
 */
function withChosenModel(blueprint: AgentBlueprint | undefined, inputs: Assignment['invocation']): AgentBlueprint | undefined {
  const chosen = chosenModel(inputs);
  return blueprint === undefined || chosen === undefined ? blueprint : { ...blueprint, ...chosen };
}

/** The model the coordinator chose at the claim and its fallbacks, reported with the start so the run notes what its executor got; none when it chose none. */
function chosenModel(inputs: Assignment['invocation']): RunModel | undefined {
  if (typeof inputs.model !== 'string') return undefined;
  return { model: inputs.model, models: inputs.models !== undefined && inputs.models.length > 0 ? inputs.models : [inputs.model] };
}

/** What a run's executor showed while it ran, for the runner's span of the attempt. */
export interface RunObservations {
  /** Its last `usage` event (the run's totals so far). */
  usage?: Record<string, unknown>;
}

/**
 * Run one claimed run: resolve its blueprint, build the Schema 2.0 invocation, supervise the executor
 * while its start and its events go to the outbox. Resolves when the executor has ended. Never throws:
 * whatever happens ends as a RunOutcome for the coordinator.
 */
export async function executeRun(assignment: Assignment, context: RunContext, signal: AbortSignal, observed: RunObservations = {}): Promise<RunOutcome> {
  // What the coordinator asks of this run; the Schema 2.0 invocation is built from it below.
  const { run, invocation: inputs } = assignment;
  const log = context.logger.child({ run: run.run_id, session: run.session_id });
  context.outbox.beginRun(run.run_id, (run.last_event_seq ?? 0) + 1, run.attempt);

  let blueprint: AgentBlueprint | undefined;
  try {
    if (inputs.agent !== null) blueprint = await context.blueprints.get(inputs.agent, inputs.agent_etag);
  } catch (error) {
    // Gone for good (deleted since the session was made) is the run's failure; anything else may pass.
    const gone = error instanceof CoordinatorError && (error.status === 404 || error.status === 422);
    return outcomeWithoutProcess(gone ? 'failed' : 'infra_failed', `agent "${inputs.agent}": cannot fetch its blueprint (${(error as Error).message})`);
  }
  if (inputs.skills !== undefined && inputs.skills.length > 0) {
    try {
      // A session without an agent may have its parent's skills: they go in an ad-hoc blueprint, as its orchestrator entry does.
      blueprint = { ...(blueprint ?? { name: 'ad-hoc' }), skills: await context.skills.getAll(inputs.skills) };
    } catch (error) {
      const gone = error instanceof CoordinatorError && error.status === 404;
      return outcomeWithoutProcess(gone ? 'failed' : 'infra_failed', `skills: cannot fetch them (${(error as Error).message})`);
    }
  }
  blueprint = withChosenModel(blueprint, inputs);
  const executorName = inputs.executor ?? preferredExecutor(blueprint) ?? context.defaultExecutor;
  const executor = context.executors.get(executorName);
  if (executor === undefined) {
    return outcomeWithoutProcess('infra_failed', `executor "${executorName}" is not available on this runner`);
  }

  let invocation;
  try {
    const decorated = context.decorateBlueprint === undefined ? blueprint : context.decorateBlueprint(blueprint, inputs.session_id);
    const resolved =
      decorated === undefined
        ? undefined
        : resolvePlaceholders(decorated, {
            runnerMcpUrl: context.mcpUrl,
            sessionId: inputs.session_id,
            runId: run.run_id,
            env: process.env,
            allowedEnv: context.allowedEnv,
          });
    const metadata: Record<string, unknown> = { run_id: run.run_id, runner_id: inputs.metadata.runner_id, attempt: inputs.metadata.attempt };
    if (inputs.metadata.executor_session_id !== null) metadata.executor_session_id = inputs.metadata.executor_session_id;
    const traceparent = attemptTraceparent(assignment);
    if (traceparent !== null) metadata.traceparent = traceparent;
    // What the session's tree has left, so an executor that can bound its own spending does (claude-code: maxBudgetUsd).
    if (inputs.metadata.budget !== undefined) metadata.budget = inputs.metadata.budget;
    // A workflow task's structured inputs, and where it is in its workflow.
    if (inputs.metadata.inputs !== undefined) metadata.inputs = inputs.metadata.inputs;
    if (inputs.metadata.workflow !== undefined) metadata.workflow = inputs.metadata.workflow;
    invocation = buildInvocation({
      mode: inputs.mode,
      sessionId: inputs.session_id,
      prompt: inputs.prompt,
      projectDir: inputs.project_dir ?? context.projectDir,
      blueprint: resolved,
      metadata,
    });
  } catch (error) {
    if (error instanceof PlaceholderError) return outcomeWithoutProcess('failed', `blueprint placeholders: ${error.message}`);
    if (error instanceof InvalidInvocationError) return outcomeWithoutProcess('failed', `invalid invocation: ${error.message}`);
    throw error;
  }

  const credential = credentialFor(run.credential_profile ?? null, executor.name, context.credentials);
  if (typeof credential === 'string') return outcomeWithoutProcess('infra_failed', credential);

  const folderProblem = await checkProjectFolder(invocation.project_dir ?? context.projectDir);
  if (folderProblem !== undefined) return outcomeWithoutProcess('rejected', folderProblem);

  const timeoutMs = inputs.timeout_s !== null ? inputs.timeout_s * 1000 : context.runTimeoutMs;
  log.info({ executor: executor.name, mode: invocation.mode, attempt: run.attempt, ...(credential === null ? {} : { credential_profile: credential.name }) }, 'starting executor');
  const child = spawnExecutor({
    executable: executor.path,
    invocation,
    runId: run.run_id,
    envAllow: [...executor.env, ...context.executorEnv],
    env: context.executorBaseEnv?.get(executor.name) ?? process.env,
    ...(context.mcpUrl === undefined ? {} : { mcpUrl: context.mcpUrl }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(context.graceMs === undefined ? {} : { graceMs: context.graceMs }),
    niceIncrement: context.executorNice,
    signal,
    ...(credential === null ? {} : { credentialEnv: credential.env }),
    ...(context.ledger === undefined ? {} : { ledger: context.ledger }),
    onEvent: (event) => {
      if (event.type === 'usage') observed.usage = event;
      context.outbox.append(run.run_id, event);
    },
  });
  context.outbox.started(run.run_id, child.pid, chosenModel(inputs));
  const outcome = await child.outcome;
  log.info({ kind: outcome.kind, exit_code: outcome.exit_code, ms: outcome.duration_ms }, outcome.message);
  return outcome;
}
